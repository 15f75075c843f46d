"""What of a score, a scheme or a decision goes into the events the appraisal service
publishes; their wire shape is their contract, kinerja/contracts/appraisal.py."""

from __future__ import annotations

from kinerja.contracts.appraisal import (  # noqa: F401 - the events this service publishes
    BEHAVIOUR_DECIDED,
    OBJECTION_DECIDED,
    SCHEME_CHANGED,
    SCORE_FINALIZED,
)
from services.appraisal.decisions import BehaviourDecision
from services.appraisal.domain import FinalScore
from services.appraisal.schemes import WeightingScheme


def final_score(score: FinalScore) -> dict:
    return {
        "nip": score.nip,
        "cycle": score.cycle,
        "skp_score": score.skp_score,
        "behaviour_score": score.behaviour_score,
        "final_score": score.final_score,
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
    """Both numbers and who decided; the written reason stays in this service."""
    return {
        "nip": decision.nip,
        "cycle": decision.cycle,
        "kind": decision.kind,
        "proposed_score": decision.proposed_score,
        "behaviour_score": decision.behaviour_score,
        "beyond_uncertainty": list(decision.beyond_uncertainty),
        "with_reason": decision.reason is not None,
        "decided_by": decision.decided_by,
        "decided_at": decision.decided_at,
    }
