"""360 feedback: rounds, rater assignments, responses, anonymity, completion."""
