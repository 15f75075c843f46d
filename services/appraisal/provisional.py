"""Every employee's provisional score in a cycle, computed from the cycle's inputs. Pure.

The worker recomputes a cycle whenever one of its inputs changes (a rating, an SKP score,
a round, a weighting scheme); HR's preview runs the same function with the proposed
schemes. One function from inputs to scores is what makes a recompute after a change
give the same numbers as a recompute from scratch.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import NamedTuple

from services.appraisal import domain
from services.appraisal.combination import Combination, GroupResult, Rating, combine_ratings
from services.appraisal.schemes import WeightingScheme, scheme_for

# Stored with every score beside the scheme version, so any score can be traced and redone.
CODE_VERSION = "combination-3"  # the crossed mixed model (mixed_model.py)
CENT = Decimal("0.01")


class SkpInput(NamedTuple):
    """An SKP score as the targets service last published it."""

    score: Decimal | None  # None: no activity can be assessed yet (belum dapat dinilai)
    complete: bool  # every activity realized (and confirmed)
    prorated_to: str | None = None  # the date its targets were pro-rated to, during the year


@dataclass(frozen=True)
class CycleInputs:
    cycle: str
    ratings: Sequence[Rating]
    skp_scores: Mapping[str, SkpInput | tuple]  # nip → the SKP score
    employees: Mapping[str, Mapping]  # nip → the directory's record
    schemes: Sequence[WeightingScheme]


@dataclass(frozen=True)
class ProvisionalScore:
    """One employee's score in a cycle with everything needed to explain it."""

    nip: str
    cycle: str
    unit_id: str | None
    scheme: str  # "<scheme id>@v<version>"
    skp_share: Decimal
    skp_score: Decimal | None
    skp_complete: bool
    behaviour_score: Decimal | None
    final_score: Decimal | None
    predicate: str | None
    dimensions: dict[str, float]
    groups: dict[str, dict]
    group_dimensions: dict[str, dict[str, float]]
    reliability: float | None
    standard_error: float | None
    effective_raters: float | None
    self_gap: float | None
    flags: list[str]
    code_version: str = CODE_VERSION
    # during the year: the date the SKP's targets were pro-rated to, and the figure the
    # shares give with that SKP score (never a predicate; see _final_or_provisional)
    skp_prorated_to: str | None = None
    provisional_final_score: Decimal | None = None


@dataclass(frozen=True)
class CycleScores:
    scores: dict[str, ProvisionalScore]
    combination: Combination | None


def score_cycle(inputs: CycleInputs) -> CycleScores:
    """Combine the cycle's ratings under each employee's scheme, then add the SKP score."""
    chosen = {nip: scheme_for(inputs.schemes, inputs.employees.get(nip)) for nip in _people(inputs)}
    # Sorted, so the floating-point sums run in one order whatever order the store returns.
    ratings = sorted(inputs.ratings, key=lambda r: (r.ratee, r.rater, r.dimension))
    combination = (
        combine_ratings(
            ratings,
            lambda ratee: chosen[ratee].combination_scheme(),
            # the directory's units: the model's unit levels and leniency cultures
            {nip: str(e["unit_id"]) for nip, e in inputs.employees.items() if e.get("unit_id")},
        )
        if ratings
        else None
    )
    scores = {}
    for nip, scheme in sorted(chosen.items()):
        result = combination.ratees.get(nip) if combination else None
        held = inputs.skp_scores.get(nip)
        skp = SkpInput(*held) if held is not None else None
        behaviour = (
            Decimal(repr(result.score)).quantize(CENT, ROUND_HALF_UP)
            if result and result.score is not None
            else None
        )
        final, provisional_final = _final_or_provisional(skp, behaviour, scheme.skp_share)
        scores[nip] = ProvisionalScore(
            nip=nip,
            cycle=inputs.cycle,
            unit_id=(inputs.employees.get(nip) or {}).get("unit_id"),
            scheme=scheme.ref,
            skp_share=scheme.skp_share,
            skp_score=skp.score if skp else None,
            skp_complete=bool(skp and skp.complete),
            behaviour_score=behaviour,
            final_score=final,
            predicate=domain.predicate(final) if final is not None else None,
            dimensions=_rounded(result.dimensions) if result else {},
            groups={g: _group_doc(r) for g, r in result.groups.items()} if result else {},
            group_dimensions=(
                {g: _rounded(d) for g, d in result.group_dimensions.items()} if result else {}
            ),
            reliability=_round(result.reliability, 3) if result else None,
            standard_error=_round(result.standard_error, 2) if result else None,
            effective_raters=_round(result.effective_raters, 2) if result else None,
            self_gap=_round(result.self_gap, 2) if result else None,
            flags=(list(result.flags) if result else []) + _skp_flags(skp),
            skp_prorated_to=skp.prorated_to if skp and not skp.complete else None,
            provisional_final_score=provisional_final,
        )
    return CycleScores(scores, combination)


def _final_or_provisional(
    skp: SkpInput | None, behaviour: Decimal | None, skp_share: Decimal
) -> tuple[Decimal | None, Decimal | None]:
    """(final score, provisional figure): the final score, and so a predicate, exists only
    once every input is complete: every activity realized and confirmed, behaviour combined.

    Before that, when both parts have a number, the same shares give a provisional figure
    without a predicate. An HR officer can defend showing the pace of the year, labelled as
    such, to steer the rest of it; a predicate is the appraisal's verdict (PP 46/2011 bands
    the year's result), and a band put on a pro-rated figure would be read as one. A part
    without a number (belum dapat dinilai) leaves both empty: never counted as a 0.
    """
    if skp is None or skp.score is None or behaviour is None:
        return None, None
    combined = domain.final_score(skp.score, behaviour, skp_share)
    return (combined, None) if skp.complete else (None, combined)


def _skp_flags(skp: SkpInput | None) -> list[str]:
    if skp is None or skp.complete:
        return []
    return ["skp_incomplete"] + (["skp_not_assessable"] if skp.score is None else [])


def _people(inputs: CycleInputs) -> set[str]:
    return {r.ratee for r in inputs.ratings} | set(inputs.skp_scores)


def _group_doc(group: GroupResult) -> dict:
    return _rounded(vars(group), 3)  # vars, not asdict: GroupResult holds only scalars


def _round(value: float | None, places: int) -> float | None:
    return None if value is None else round(value, places)


def _rounded(values: Mapping, places: int = 2) -> dict:
    return {k: round(v, places) if isinstance(v, float) else v for k, v in values.items()}


# --- HR's preview of a scheme change ---------------------------------------------------------


@dataclass(frozen=True)
class Move:
    """How one employee's score would move."""

    nip: str
    scheme_before: str
    scheme_after: str
    final_before: Decimal | None
    final_after: Decimal | None
    predicate_before: str | None
    predicate_after: str | None
    locked: bool  # finalized scores do not move; shown so HR sees who is past changing

    @property
    def change(self) -> Decimal | None:
        if self.final_before is None or self.final_after is None:
            return None
        return self.final_after - self.final_before


def moves(
    before: Mapping[str, ProvisionalScore],
    after: Mapping[str, ProvisionalScore],
    locked: Iterable[str] = (),
) -> list[Move]:
    """Every employee whose scheme, score or predicate the change would touch."""
    locked = set(locked)
    result = []
    for nip in sorted(set(before) | set(after)):
        old, new = before.get(nip), after.get(nip)
        move = Move(
            nip=nip,
            scheme_before=old.scheme if old else "",
            scheme_after=new.scheme if new else "",
            final_before=old.final_score if old else None,
            final_after=new.final_score if new else None,
            predicate_before=old.predicate if old else None,
            predicate_after=new.predicate if new else None,
            locked=nip in locked,
        )
        if (
            move.scheme_before != move.scheme_after
            or move.final_before != move.final_after
            or move.predicate_before != move.predicate_after
        ):
            result.append(move)
    return result


def summarize_moves(all_moves: Sequence[Move], employees: int) -> dict:
    """Counts for the top of the preview: how many scores and predicates move, and how far."""
    changes = [abs(m.change) for m in all_moves if m.change is not None and not m.locked]
    return {
        "employees": employees,
        "scores_changed": sum(1 for c in changes if c != 0),
        "predicates_changed": sum(
            1 for m in all_moves if m.predicate_before != m.predicate_after and not m.locked
        ),
        "largest_change": max(changes, default=Decimal(0)),
        "locked": sum(1 for m in all_moves if m.locked),
    }


def effective_weights(scores: Iterable[ProvisionalScore]) -> dict[str, float]:
    """Each group's weight as it really counted, averaged over the employees: below the
    policy weight where groups fell short of their minimum raters and the rest renormalized."""
    scores = [s for s in scores if s.groups]
    totals: dict[str, float] = {}
    for score in scores:
        for group, part in score.groups.items():
            totals[group] = totals.get(group, 0.0) + part["weight"]
    return {g: round(total / len(scores), 3) for g, total in sorted(totals.items())}


def predicates_changed(
    corrected: Mapping[str, ProvisionalScore], uncorrected: Mapping[str, ProvisionalScore]
) -> int:
    """How many predicates the bias correction changed: scored both ways, compared."""
    return sum(
        1
        for nip, score in corrected.items()
        if score.predicate is not None and score.predicate != uncorrected[nip].predicate
    )
