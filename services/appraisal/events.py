"""Events the appraisal service publishes."""

from __future__ import annotations

from services.appraisal.decisions import BehaviourDecision
from services.appraisal.domain import FinalScore
from services.appraisal.schemes import WeightingScheme

SCORE_FINALIZED = "appraisal.score.finalized"
OBJECTION_DECIDED = "appraisal.objection.decided"
# what other services need of HR's schemes: whom each applies to and its anonymity floors
SCHEME_CHANGED = "appraisal.scheme.changed"
# the pejabat penilai adopted the behaviour proposal or set their own aspect scores
BEHAVIOUR_DECIDED = "appraisal.behaviour.decided"


def final_score(score: FinalScore) -> dict:
    return {
        "nip": score.nip,
        "cycle": score.cycle,
        "skp_score": float(score.skp_score),
        "behaviour_score": float(score.behaviour_score),
        "final_score": float(score.final_score),
        "predicate": score.predicate,
        "finalized_by": score.finalized_by,
        "objection_outcome": (score.objection or {}).get("outcome"),
    }


def scheme_changed(scheme: WeightingScheme, retired: bool = False) -> dict:
    return {
        "id": scheme.id,
        "version": scheme.version,
        "retired": retired,
        "min_raters": dict(scheme.min_raters),
        "unit_ids": list(scheme.unit_ids),
        "position_kinds": list(scheme.position_kinds),
    }


def behaviour_decided(decision: BehaviourDecision) -> dict:
    """Both numbers and who decided; the written reason stays in the appraisal service."""
    return {
        "nip": decision.nip,
        "cycle": decision.cycle,
        "kind": decision.kind,
        "proposed_score": str(decision.proposed_score),
        "behaviour_score": str(decision.behaviour_score),
        "beyond_uncertainty": list(decision.beyond_uncertainty),
        "with_reason": decision.reason is not None,
        "decided_by": decision.decided_by,
        "decided_at": decision.decided_at,
    }
