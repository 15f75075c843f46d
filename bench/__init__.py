"""`make bench`: the platform's performance harness (issue 11). See bench/RESULTS.md."""
