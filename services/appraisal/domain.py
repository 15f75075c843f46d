"""Rules for combining ratings, pure: no Flask, pymongo or kombu."""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass
from decimal import Decimal
from statistics import fmean

from kinerja.errors import ValidationFailed


@dataclass(frozen=True)
class Rating:
    """A rater's latest scores for a ratee in a round, as received from feedback."""

    round_id: str
    rater_id: str
    ratee_id: str
    rater_group: str
    scores: dict[str, int]
    revision: int


def supersedes(incoming: Rating, current: Rating | None) -> bool:
    """Events may arrive out of order; only a newer revision replaces what we hold."""
    return current is None or incoming.revision > current.revision


@dataclass(frozen=True)
class RatingsSummary:
    responses: int
    by_group: dict[str, int]
    mean_by_dimension: dict[str, float]


def summarize(ratings: list[Rating]) -> RatingsSummary:
    """Plain counts and means; weighting and bias correction come with the scoring issue."""
    by_dimension: dict[str, list[int]] = defaultdict(list)
    for rating in ratings:
        for dimension, score in rating.scores.items():
            by_dimension[dimension].append(score)
    return RatingsSummary(
        responses=len(ratings),
        by_group=dict(Counter(r.rater_group for r in ratings)),
        mean_by_dimension={d: round(fmean(s), 2) for d, s in sorted(by_dimension.items())},
    )


# --- the final score (nilai prestasi kerja) and its predicate, PP 46/2011 ------------------

# Lower bounds of each predicate band, highest first. Scores are not rounded before
# banding: 90.5 is Baik, not Sangat Baik.
PREDICATES = (
    (Decimal(91), "Sangat Baik"),
    (Decimal(76), "Baik"),
    (Decimal(61), "Cukup"),
    (Decimal(51), "Kurang"),
)
LOWEST_PREDICATE = "Buruk"
DEFAULT_SKP_SHARE = Decimal("0.6")  # 60% SKP, 40% behaviour; HR may change the split


def final_score(
    skp: Decimal, behaviour: Decimal, skp_share: Decimal = DEFAULT_SKP_SHARE
) -> Decimal:
    """nilai prestasi kerja = share × nilai SKP + (1 − share) × nilai perilaku."""
    if not Decimal(0) <= skp_share <= Decimal(1):
        raise ValidationFailed("the SKP share is a fraction", {"skp_share": ["between 0 and 1"]})
    return skp_share * skp + (Decimal(1) - skp_share) * behaviour


def predicate(score: Decimal) -> str:
    for lower_bound, name in PREDICATES:
        if score >= lower_bound:
            return name
    return LOWEST_PREDICATE
