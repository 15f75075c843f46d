"""Events the appraisal service publishes."""

from __future__ import annotations

from services.appraisal.domain import FinalScore
from services.appraisal.schemes import WeightingScheme

SCORE_FINALIZED = "appraisal.score.finalized"
OBJECTION_DECIDED = "appraisal.objection.decided"
# what other services need of HR's schemes: whom each applies to and its anonymity floors
SCHEME_CHANGED = "appraisal.scheme.changed"


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
