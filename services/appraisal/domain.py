"""Rules for combining ratings, pure: no Flask, pymongo or kombu."""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass
from statistics import fmean


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
