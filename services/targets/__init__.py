"""SKP targets: yearly work targets, approval, realization and the regulation's score."""
