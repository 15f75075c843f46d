"""Appraisal: rater weighting, bias correction, reliability, final score, objections."""
