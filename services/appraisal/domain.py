"""Rules for combining ratings, pure: no Flask, pymongo or kombu."""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass, replace
from datetime import date
from decimal import Decimal
from statistics import fmean

from kinerja import predicates
from kinerja.anonymity import ANONYMOUS_GROUPS
from kinerja.errors import Conflict, ValidationFailed


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


def counts_now(rating: Rating, round_closed: bool) -> bool:
    """Whether the rating can enter the scores at this moment (see publishable)."""
    return rating.rater_group not in ANONYMOUS_GROUPS or round_closed


def publishable(
    ratings: Iterable[Rating], closed_rounds: Collection[str], floor: Mapping[str, int]
) -> list[Rating]:
    """The ratings a cycle's scores may use, so that no two readings of a score differ by
    one peer's or subordinate's answer (DESIGN.md, Security; SCORING.md, Anonymity).

    A superior's and a self rating count at once: each is one known person. A peer's or a
    subordinate's counts only once its round has closed, so a round's answers all come in
    together and can no longer change. When a ratee's peers (or subordinates) answered in
    more than one closed round of the cycle, a round's answers count only if they alone reach
    the anonymity floor: a later round adding one answer would otherwise be read as the
    difference. The order of the ratings is kept.
    """
    ratings = list(ratings)
    raters: dict[tuple[str, str], dict[str, set[str]]] = defaultdict(lambda: defaultdict(set))
    for r in ratings:
        if r.rater_group in ANONYMOUS_GROUPS and r.round_id in closed_rounds:
            raters[(r.ratee_id, r.rater_group)][r.round_id].add(r.rater_id)

    def counts(r: Rating) -> bool:
        if r.rater_group not in ANONYMOUS_GROUPS:
            return True
        if r.round_id not in closed_rounds:
            return False
        rounds = raters[(r.ratee_id, r.rater_group)]
        return len(rounds) == 1 or len(rounds[r.round_id]) >= floor[r.rater_group]

    return [r for r in ratings if counts(r)]


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

# The banding itself is the regulation's, shared with the UI's printed forms.
PREDICATES = predicates.BANDS
LOWEST_PREDICATE = predicates.LOWEST
predicate = predicates.predicate
DEFAULT_SKP_SHARE = Decimal("0.6")  # 60% SKP, 40% behaviour: PP 46/2011 fixes the split


def final_score(
    skp: Decimal, behaviour: Decimal, skp_share: Decimal = DEFAULT_SKP_SHARE
) -> Decimal:
    """nilai prestasi kerja = share × nilai SKP + (1 − share) × nilai perilaku."""
    if not Decimal(0) <= skp_share <= Decimal(1):
        raise ValidationFailed("the SKP share is a fraction", {"skp_share": ["between 0 and 1"]})
    return skp_share * skp + (Decimal(1) - skp_share) * behaviour


# --- finalization and objections (keberatan) ------------------------------------------------

OBJECTION_DAYS = 14  # to object, and again to decide (DOMAIN.md)


@dataclass(frozen=True)
class FinalScore:
    """A finalized, locked appraisal; it changes only through a decided objection."""

    nip: str
    cycle: str
    skp_score: Decimal
    behaviour_score: Decimal
    final_score: Decimal
    predicate: str
    finalized_by: str
    finalized_on: date
    objection: dict | None = None  # reason, filed_on, then outcome, decided_by, decided_on, why


def finalize(
    nip: str,
    cycle: str,
    skp: Decimal | None,
    behaviour: Decimal | None,
    supervisor: str,
    today: date,
    skp_share: Decimal = DEFAULT_SKP_SHARE,
    *,
    skp_complete: bool,
) -> FinalScore:
    """Lock the score; only a complete one: every activity realized and confirmed (a
    provisional SKP score, pro-rated during the year, is no appraisal) and behaviour combined."""
    missing = {
        name: ["not available"]
        for name, value in (("skp_score", skp), ("behaviour_score", behaviour))
        if value is None
    }
    if skp is not None and not skp_complete:
        missing["skp_score"] = ["provisional: some activity's realization is still to come"]
    if missing:
        raise Conflict("the score is not complete yet", missing, code="incomplete")
    final = final_score(skp, behaviour, skp_share)
    return FinalScore(nip, cycle, skp, behaviour, final, predicate(final), supervisor, today)


def object_to(score: FinalScore, reason: str, today: date) -> FinalScore:
    if score.objection is not None:
        raise Conflict("an objection was filed already", code="objection_exists")
    if (today - score.finalized_on).days > OBJECTION_DAYS:
        raise Conflict(
            f"objections are filed within {OBJECTION_DAYS} days of the appraisal",
            code="objection_too_late",
        )
    if len(reason.strip()) < 20:
        raise ValidationFailed("say why, in at least 20 characters", {"reason": ["too short"]})
    return replace(score, objection={"reason": reason, "filed_on": today.isoformat()})


def decide_objection(
    score: FinalScore,
    decided_by: str,
    new_final: Decimal | None,
    why: str,
    today: date,
    in_place_of_superior: bool = False,
) -> FinalScore:
    """The supervisor's superior (or HR in their place, `in_place_of_superior`, when the
    supervisor has none) confirms or changes the score, with reasons; it is final."""
    objection = score.objection
    if objection is None or "outcome" in objection:
        raise Conflict("no objection waiting for a decision", code="no_open_objection")
    if (today - date.fromisoformat(objection["filed_on"])).days > OBJECTION_DAYS:
        raise Conflict(f"the decision was due within {OBJECTION_DAYS} days", code="decision_late")
    if len(why.strip()) < 20:
        raise ValidationFailed("give written reasons", {"reason": ["at least 20 characters"]})
    decided = {
        **objection,
        "decided_by": decided_by,
        "decided_on": today.isoformat(),
        "why": why,
        "outcome": "confirmed" if new_final is None else "changed",
    }
    if in_place_of_superior:
        decided["in_place_of_superior"] = True
    if new_final is None:
        return replace(score, objection=decided)
    decided["previous_final_score"] = float(score.final_score)
    return replace(score, final_score=new_final, predicate=predicate(new_final), objection=decided)
