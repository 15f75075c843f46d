"""What a ratee and their supervisor may see of a 360 round, without exposing any one answer.

Peer and subordinate answers are anonymous. Which groups' figures appear is decided for
every view by kinerja.anonymity.shown_groups: a group at or above its floor, or peers and
subordinates merged as "others" when each is below its floor but their union is not. A
dimension's mean appears only when enough raters scored it; a hidden group shows its
response count and nothing else, and the pooled mean for self against others takes only
what is shown, so no answer can be derived by difference. Results are published only
after the round closes (the API enforces it): two readings of an open round would reveal
each new answer by difference.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal

from kinerja.anonymity import (
    ANONYMOUS_GROUPS,
    OTHERS,
    RATER_GROUPS,
    SELF,
    floor_of,
    others_threshold,
    shown_groups,
)
from kinerja.errors import ValidationFailed

DEFAULT_THRESHOLDS = {group: floor_of(group) for group in RATER_GROUPS}


@dataclass(frozen=True)
class Rating:
    """One submitted response about the ratee."""

    rater: str
    group: str
    scores: dict[str, Decimal]  # dimension key -> score
    comment: str = ""


@dataclass(frozen=True)
class AnonymityPolicy:
    """How many responses each rater group needs before its figures are shown."""

    thresholds: dict[str, int] = field(default_factory=lambda: dict(DEFAULT_THRESHOLDS))

    def __post_init__(self) -> None:
        fields: dict[str, list[str]] = {}
        for group in RATER_GROUPS:
            value = self.thresholds.get(group)
            if not isinstance(value, int) or value < 1:
                fields[f"thresholds.{group}"] = ["a whole number, 1 or more"]
        unknown = sorted(set(self.thresholds) - set(RATER_GROUPS))
        if unknown:
            fields["thresholds"] = [f"unknown group {group}" for group in unknown]
        if fields:
            raise ValidationFailed("the anonymity policy is not valid", fields)


DEFAULT_POLICY = AnonymityPolicy()


def thresholds_for(schemes: Iterable[Mapping], unit_id: str | None, position_kind: str | None):
    """The ratee's anonymity policy under HR's live weighting schemes: for peers and
    subordinates, the strictest floor of the schemes that could apply to them (the default,
    and those naming their unit or position kind). The appraisal service picks one of those
    by precedence; taking the strictest never shows a group that scheme would hide."""
    thresholds = dict(DEFAULT_THRESHOLDS)
    for scheme in schemes:
        applies = (not scheme["unit_ids"] and not scheme["position_kinds"]) or (
            unit_id in scheme["unit_ids"] or position_kind in scheme["position_kinds"]
        )
        if applies:
            for group in ANONYMOUS_GROUPS:
                floor = scheme["min_raters"].get(group, 0)
                thresholds[group] = max(thresholds[group], floor)
    return AnonymityPolicy(thresholds)


@dataclass(frozen=True)
class GroupResult:
    """One rater group's aggregate; under the threshold only the count is shown."""

    group: str
    responses: int
    shown: bool
    mean_by_dimension: dict[str, Decimal]
    comments: tuple[str, ...]  # sorted, so their order does not tell who wrote which


@dataclass(frozen=True)
class RateeResults:
    """Everything the ratee and their supervisor may see of one ratee's round."""

    ratee: str
    dimensions: tuple[str, ...]
    # in RATER_GROUPS order, empty groups included, then OTHERS when it is shown
    groups: tuple[GroupResult, ...]
    others_mean_by_dimension: dict[
        str, Decimal
    ]  # shown non-self figures pooled, for self vs others


def ratee_results(
    ratee: str,
    ratings: list[Rating],
    dimensions: list[str],
    policy: AnonymityPolicy = DEFAULT_POLICY,
) -> RateeResults:
    """Aggregate a closed round's ratings of one ratee under the anonymity policy."""
    _check_ratings(ratee, ratings)
    by_group = {group: [r for r in ratings if r.group == group] for group in RATER_GROUPS}
    thresholds = policy.thresholds
    shown = shown_groups({g: len(v) for g, v in by_group.items()}, thresholds)
    groups = tuple(
        _group_result(group, by_group[group], dimensions, thresholds[group], group in shown)
        for group in RATER_GROUPS
    )
    if OTHERS in shown:
        by_group[OTHERS] = [r for g in ANONYMOUS_GROUPS for r in by_group[g]]
        merged = _group_result(
            OTHERS, by_group[OTHERS], dimensions, others_threshold(thresholds), True
        )
        groups += (merged,)
    return RateeResults(
        ratee, tuple(dimensions), groups, _others_mean(groups, by_group, dimensions)
    )


def _check_ratings(ratee: str, ratings: list[Rating]) -> None:
    fields: dict[str, list[str]] = {}
    seen: set[str] = set()
    for index, rating in enumerate(ratings):
        # A repeated rater would count twice towards a threshold that means distinct people.
        if rating.rater in seen:
            # "a rater", with no NIP nor index (the ratings are in rater order): this
            # refusal can reach the ratee.
            fields["ratings"] = ["a rater answered more than once"]
        seen.add(rating.rater)
        if rating.group not in RATER_GROUPS:
            fields[f"ratings[{index}].group"] = [f"one of {', '.join(RATER_GROUPS)}"]
        elif (rating.group == SELF) != (rating.rater == ratee):
            # A mislabelled self answer would be shown at the self threshold of 1.
            fields[f"ratings[{index}].group"] = ["self exactly when the rater is the ratee"]
    if fields:
        raise ValidationFailed("the ratings are not valid", fields)


def _group_result(
    group: str, ratings: list[Rating], dimensions: list[str], threshold: int, shown: bool
) -> GroupResult:
    if not shown:
        return GroupResult(group, len(ratings), False, {}, ())
    means: dict[str, Decimal] = {}
    for dimension in dimensions:
        scores = _scores(ratings, dimension)
        # Fewer scorers than the threshold would expose the few who answered this dimension.
        if len(scores) >= threshold:
            means[dimension] = _mean(scores)
    comments = tuple(sorted(text for r in ratings if (text := r.comment.strip())))
    return GroupResult(group, len(ratings), True, means, comments)


def _others_mean(
    groups: tuple[GroupResult, ...], by_group: dict[str, list[Rating]], dimensions: list[str]
) -> dict[str, Decimal]:
    pooled: dict[str, Decimal] = {}
    for dimension in dimensions:
        # Only (group, dimension) means already shown go in, so the pool reveals nothing new.
        scores = [
            score
            for result in groups
            if result.group != SELF and dimension in result.mean_by_dimension
            for score in _scores(by_group[result.group], dimension)
        ]
        if scores:
            pooled[dimension] = _mean(scores)
    return pooled


def _scores(ratings: list[Rating], dimension: str) -> list[Decimal]:
    return [r.scores[dimension] for r in ratings if r.scores.get(dimension) is not None]


def _mean(scores: list[Decimal]) -> Decimal:
    return sum(scores, Decimal(0)) / len(scores)
