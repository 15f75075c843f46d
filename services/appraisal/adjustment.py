"""What the statistics did to an employee's behaviour score, beside the human decision.

UU 27/2022 Pasal 10: no decision rests on automated processing alone. Wherever the
employee sees their score they see how the bias correction moved it: the unadjusted
combination (HR's weights on the counted groups' plain means), the corrected value, the
difference and the method, and beside them who decided their score, when, and on what:
the supervisor's behaviour decision and the finalization (or "not yet decided").

The unadjusted figure combines only groups that count, each at or above its anonymity
floor, so it shows nothing the groups' own figures would not.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

from marshmallow import Schema, fields

from services.appraisal import domain
from services.appraisal.decisions import BehaviourDecision
from services.appraisal.provisional import ProvisionalScore

CENT = Decimal("0.01")
BIAS_CORRECTED = "bias_corrected"  # the mixed model: rater leniency out, small groups shrunk
WEIGHTED_MEAN = "weighted_mean"  # HR's weights on the groups' plain means, nothing adjusted


def unadjusted_behaviour(score: ProvisionalScore) -> Decimal | None:
    """HR's weights on the counted groups' plain means; None when no group counts."""
    counted = [g for g in score.groups.values() if g.get("counted")]
    if not counted or score.behaviour_score is None:
        return None
    plain = sum(Decimal(repr(g["weight"])) * Decimal(repr(g["mean_raw"])) for g in counted)
    return plain.quantize(CENT, ROUND_HALF_UP)


def explain(
    score: ProvisionalScore,
    corrects: bool,
    decision: BehaviourDecision | None,
    final: domain.FinalScore | None,
) -> dict:
    """The adjustment and the human decision beside it, as the employee may see them."""
    unadjusted = unadjusted_behaviour(score)
    adjusted = score.behaviour_score
    moved = None if unadjusted is None or adjusted is None else adjusted - unadjusted
    final_unadjusted = (
        None
        if unadjusted is None or score.skp_score is None
        else domain.final_score(score.skp_score, unadjusted, score.skp_share).quantize(CENT)
    )
    return {
        "cycle": score.cycle,
        "nip": score.nip,
        "method": BIAS_CORRECTED if corrects else WEIGHTED_MEAN,
        "scheme": score.scheme,
        "unadjusted_behaviour_score": unadjusted,
        "adjusted_behaviour_score": adjusted,
        "difference": moved,
        "final_score_unadjusted": final_unadjusted,
        "final_score_adjusted": score.final_score or score.provisional_final_score,
        "decision": _decision(decision),
        "finalized": _finalized(final),
    }


def _decision(decision: BehaviourDecision | None) -> dict | None:
    if decision is None:
        return None
    return {
        "kind": decision.kind,
        "behaviour_score": decision.behaviour_score,
        "decided_by": decision.decided_by,
        "decided_at": decision.decided_at,
    }


def _finalized(final: domain.FinalScore | None) -> dict | None:
    if final is None:
        return None
    return {
        "final_score": final.final_score,
        "predicate": final.predicate,
        "behaviour_score": final.behaviour_score,
        "finalized_by": final.finalized_by,
        "finalized_on": final.finalized_on,
    }


class HumanDecisionOut(Schema):
    kind = fields.String(metadata={"description": "adopted or own_scores"})
    behaviour_score = fields.Float()
    decided_by = fields.String()
    decided_at = fields.String()


class FinalizedOut(Schema):
    final_score = fields.Float()
    predicate = fields.String()
    behaviour_score = fields.Float()
    finalized_by = fields.String()
    finalized_on = fields.Date()


class AdjustmentOut(Schema):
    """The contract of GET .../scores/<nip>/adjustment (kept beside its one producer)."""

    cycle = fields.String(required=True)
    nip = fields.String(required=True)
    method = fields.String(
        required=True, metadata={"description": "bias_corrected or weighted_mean"}
    )
    scheme = fields.String(required=True)
    unadjusted_behaviour_score = fields.Float(allow_none=True)
    adjusted_behaviour_score = fields.Float(allow_none=True)
    difference = fields.Float(allow_none=True)
    final_score_unadjusted = fields.Float(allow_none=True)
    final_score_adjusted = fields.Float(allow_none=True)
    decision = fields.Nested(HumanDecisionOut, allow_none=True)
    finalized = fields.Nested(FinalizedOut, allow_none=True)
