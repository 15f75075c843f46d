"""The predicates (sebutan) of PP 46/2011: one banding for every score the regulation names.

The appraisal service bands final scores; the UI bands each behaviour aspect and the SKP
score on the printed form by the same rule, so the rule lives here once.
"""

from __future__ import annotations

from decimal import Decimal

# Lower bounds of each predicate band, highest first. Scores are not rounded before
# banding: 90.5 is Baik, not Sangat Baik.
BANDS = (
    (Decimal(91), "Sangat Baik"),
    (Decimal(76), "Baik"),
    (Decimal(61), "Cukup"),
    (Decimal(51), "Kurang"),
)
LOWEST = "Buruk"
NAMES = tuple(name for _, name in BANDS) + (LOWEST,)  # best first


def predicate(score: Decimal) -> str:
    for lower_bound, name in BANDS:
        if score >= lower_bound:
            return name
    return LOWEST
