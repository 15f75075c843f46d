"""The appraiser decides: the pejabat penilai's decision on the behaviour proposal. Pure.

The combined, bias-corrected behaviour score is evidence and a proposal (DESIGN.md); the
direct supervisor either adopts it or sets their own aspect scores (0-100). A departure
beyond the proposal's uncertainty needs a written reason:

- beyond the uncertainty: any aspect, or the overall behaviour score (the aspects' mean,
  PP 46/2011), more than 1.96 x the proposal's standard error from the proposed value. The
  proposal has one standard error (of the overall score); an aspect's own uncertainty is at
  least as large, so applying it per aspect asks for a reason rather than missing one;
- a proposal without a standard error carries no measured uncertainty: any departure at all
  needs a reason.

Finalization takes the decided score; without a decision the finalizing supervisor adopts
the proposal as it stands.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from decimal import ROUND_HALF_UP, Decimal
from statistics import fmean

from kinerja.errors import Conflict, ValidationFailed

# The scale every behaviour value and every decided score lives on (DOMAIN.md).
SCALE_MIN, SCALE_MAX = Decimal(0), Decimal(100)
Z_95 = 1.96  # two-sided 95 %: the band the proposal's standard error draws
MIN_REASON = 20  # characters, as for an objection's reasons
CENT = Decimal("0.01")
ADOPTED, OWN_SCORES = "adopted", "own_scores"


def on_scale(field: str, value: Decimal | float | None) -> None:
    """Refuse a value outside 0-100, naming the field (a decision is never off the scale)."""
    if value is None:
        return
    number = Decimal(str(value))
    if not number.is_finite() or not SCALE_MIN <= number <= SCALE_MAX:
        raise ValidationFailed(
            "a score is on the 0-100 scale",
            {field: [f"on_scale: between {SCALE_MIN} and {SCALE_MAX}"]},
        )


@dataclass(frozen=True)
class Proposal:
    """What the appraisal service proposed: the behaviour score, per aspect, and its SE."""

    behaviour_score: Decimal
    dimensions: dict[str, float]
    standard_error: float | None

    @property
    def margin(self) -> float | None:
        """How far a decision may move without a reason; None: no measured uncertainty."""
        return None if self.standard_error is None else Z_95 * self.standard_error


@dataclass(frozen=True)
class BehaviourDecision:
    """The supervisor's decision: both numbers, the reason, who decided and when."""

    nip: str
    cycle: str
    kind: str  # adopted or own_scores
    proposed_score: Decimal
    proposed_dimensions: dict[str, float]
    standard_error: float | None
    behaviour_score: Decimal  # the decided one
    dimensions: dict[str, float]
    reason: str | None
    beyond_uncertainty: list[str]  # the aspects (and "behaviour_score") departing beyond it
    decided_by: str
    decided_at: str  # ISO 8601, UTC

    @property
    def departure(self) -> Decimal:
        """Decided minus proposed: above 0 the supervisor raised the score."""
        return self.behaviour_score - self.proposed_score

    def made_on(self, proposal: Proposal) -> bool:
        """Whether the decision was made on this proposal (a recompute may have moved it)."""
        return (
            self.proposed_score == proposal.behaviour_score
            and self.proposed_dimensions == proposal.dimensions
        )


def adopt(nip: str, cycle: str, proposal: Proposal, by: str, at: str) -> BehaviourDecision:
    return BehaviourDecision(
        nip=nip,
        cycle=cycle,
        kind=ADOPTED,
        proposed_score=proposal.behaviour_score,
        proposed_dimensions=dict(proposal.dimensions),
        standard_error=proposal.standard_error,
        behaviour_score=proposal.behaviour_score,
        dimensions=dict(proposal.dimensions),
        reason=None,
        beyond_uncertainty=[],
        decided_by=by,
        decided_at=at,
    )


def set_own_scores(
    nip: str,
    cycle: str,
    proposal: Proposal,
    scores: Mapping[str, float],
    reason: str | None,
    by: str,
    at: str,
) -> BehaviourDecision:
    """The supervisor's own aspect scores; each broken rule is named by its field."""
    errors: dict[str, list[str]] = {}
    for aspect in sorted(set(proposal.dimensions) - set(scores)):
        errors[f"scores.{aspect}"] = ["required: score every aspect of the proposal"]
    for aspect in sorted(set(scores) - set(proposal.dimensions)):
        errors[f"scores.{aspect}"] = ["unknown aspect: not one of this employee's aspects"]
    for aspect, value in scores.items():
        try:
            on_scale(f"scores.{aspect}", value)
        except ValidationFailed as refused:
            errors.update(refused.fields)
    if errors:
        raise ValidationFailed("the aspect scores are invalid", errors)
    decided = {a: float(Decimal(str(scores[a])).quantize(CENT, ROUND_HALF_UP)) for a in scores}
    overall = Decimal(repr(fmean(decided.values()))).quantize(CENT, ROUND_HALF_UP)
    beyond = departures_beyond(proposal, decided, overall)
    reason = (reason or "").strip() or None
    if beyond and (reason is None or len(reason) < MIN_REASON):
        raise ValidationFailed(
            "a departure beyond the proposal's uncertainty needs a written reason",
            {"reason": [f"departure_needs_reason: {_explain(proposal, beyond)}"]},
        )
    return BehaviourDecision(
        nip=nip,
        cycle=cycle,
        kind=OWN_SCORES,
        proposed_score=proposal.behaviour_score,
        proposed_dimensions=dict(proposal.dimensions),
        standard_error=proposal.standard_error,
        behaviour_score=overall,
        dimensions=decided,
        reason=reason,
        beyond_uncertainty=beyond,
        decided_by=by,
        decided_at=at,
    )


def departures_beyond(
    proposal: Proposal, decided: Mapping[str, float], overall: Decimal
) -> list[str]:
    """The aspects, then "behaviour_score", that depart beyond the proposal's uncertainty."""
    margin = proposal.margin

    def beyond(change: float) -> bool:
        # cents: the proposal is stored to two decimals, so a smaller move is no move
        return round(abs(change), 2) > (margin if margin is not None else 0.0)

    out = [a for a in sorted(decided) if beyond(decided[a] - proposal.dimensions[a])]
    if beyond(float(overall - proposal.behaviour_score)):
        out.append("behaviour_score")
    return out


def _explain(proposal: Proposal, beyond: list[str]) -> str:
    if proposal.margin is None:
        return (
            f"the proposal has no standard error, so any departure needs a reason "
            f"({', '.join(beyond)}); give at least {MIN_REASON} characters"
        )
    return (
        f"{', '.join(beyond)} moved more than 1.96 x SE = {proposal.margin:.2f} from the "
        f"proposal; give at least {MIN_REASON} characters"
    )


def changeable(finalized: bool) -> None:
    """A decision changes until finalization; after it only an objection changes the score."""
    if finalized:
        raise Conflict("finalized already; changes go through an objection", code="finalized")


# --- HR's view: how each supervisor departs from the proposals ----------------------------------


def by_supervisor(decisions: Iterable[BehaviourDecision]) -> list[dict]:
    """Per supervisor: how often they depart from proposals, how far, and in which direction."""
    grouped: dict[str, list[BehaviourDecision]] = defaultdict(list)
    for decision in decisions:
        grouped[decision.decided_by].append(decision)
    rows = []
    for supervisor, made in sorted(grouped.items()):
        changes = [float(d.departure) for d in made]
        moved = [c for c in changes if c != 0]
        rows.append(
            {
                "supervisor": supervisor,
                "decisions": len(made),
                "adopted": sum(d.kind == ADOPTED for d in made),
                "own_scores": sum(d.kind == OWN_SCORES for d in made),
                "beyond_uncertainty": sum(bool(d.beyond_uncertainty) for d in made),
                "raised": sum(c > 0 for c in changes),
                "lowered": sum(c < 0 for c in changes),
                "mean_change": round(fmean(changes), 2),
                "mean_absolute_change": round(fmean(abs(c) for c in changes), 2),
                "largest_change": max(moved, key=abs, default=0.0),
            }
        )
    return rows


def as_record(decision: BehaviourDecision) -> dict:
    """The decision as stored, audited and answered."""
    return {**vars(decision), "departure": decision.departure}


def from_record(doc: Mapping) -> BehaviourDecision:
    fields = {k: v for k, v in doc.items() if k in BehaviourDecision.__dataclass_fields__}
    return replace(
        BehaviourDecision(**fields),
        proposed_score=Decimal(str(fields["proposed_score"])),
        behaviour_score=Decimal(str(fields["behaviour_score"])),
    )
