"""Events the appraisal service publishes."""

from __future__ import annotations

from services.appraisal.domain import FinalScore

SCORE_FINALIZED = "appraisal.score.finalized"
OBJECTION_DECIDED = "appraisal.objection.decided"


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
