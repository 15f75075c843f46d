"""HTTP routes of the appraisal service."""

from __future__ import annotations

from datetime import date

from flask_smorest import Blueprint

from kinerja.auth import current_principal, requires
from kinerja.errors import Forbidden
from kinerja.web import service_context
from services.appraisal import commands, domain, store
from services.appraisal.schemas import (
    FinalScoreOut,
    ObjectionDecisionIn,
    ObjectionIn,
    ProvisionalScoreOut,
    RatingsSummaryOut,
)

blp = Blueprint("ratings", __name__, url_prefix="/api/v1", description="Received 360 ratings")


@blp.route("/rounds/<string:round_id>/ratees/<string:ratee_id>/ratings", methods=["GET"])
@blp.response(200, RatingsSummaryOut)
@requires("hr")
def ratings_summary(round_id: str, ratee_id: str):
    """What the appraisal service has received for a ratee (HR only: not anonymized)."""
    summary = domain.summarize(store.ratings_for(service_context().db, round_id, ratee_id))
    return {"round_id": round_id, "ratee_id": ratee_id, **summary.__dict__}


ANONYMOUS_GROUPS = ("peer", "subordinate")
SCORE = "/cycles/<string:cycle>/scores/<string:nip>"


def today() -> date:
    """The service's notion of today (one place, so tests can move it)."""
    return date.today()


@blp.route(SCORE, methods=["GET"])
@blp.response(200, ProvisionalScoreOut)
@requires()
def provisional_score(cycle: str, nip: str):
    """The final score: SKP and bias-corrected behaviour, 60/40, and the predicate;
    provisional until the supervisor finalizes it, locked after.

    The employee's supervisor and HR see the breakdown; the employee sees the scores.
    """
    db = service_context().db
    principal = current_principal()
    full_view = principal.subject == commands.supervisor_of(db, nip) or principal.has_any(["hr"])
    if principal.subject != nip and not full_view:
        raise Forbidden("scores are for the employee, their supervisor and HR")
    skp, result, behaviour = commands.provisional(db, cycle, nip)
    final = (
        domain.final_score(skp["skp_score"], behaviour) if skp and behaviour is not None else None
    )
    out = {
        "nip": nip,
        "cycle": cycle,
        "skp_score": skp["skp_score"] if skp else None,
        "skp_complete": bool(skp and skp["complete"]),
        "behaviour_score": behaviour,
        "final_score": final,
        "predicate": domain.predicate(final) if final is not None else None,
        "dimensions": result.dimensions if result else {},
        "groups": {},
        "reliability": None,
        "standard_error": None,
        "flags": [],
        "finalized": None,
    }
    locked = store.find_final(db, nip, cycle)
    if locked is not None:
        out.update(
            final_score=locked.final_score,
            predicate=locked.predicate,
            finalized=commands.as_dict(locked),
        )
    if result and full_view:
        out.update(
            groups=_visible_groups(result.groups),
            reliability=result.reliability,
            standard_error=result.standard_error,
            flags=result.flags,
        )
    return out


@blp.route(f"{SCORE}/finalize", methods=["POST"])
@blp.response(200, FinalScoreOut)
@requires("supervisor")
def finalize(cycle: str, nip: str):
    """Lock a report's appraisal (audited); later changes go through an objection."""
    supervisor = current_principal().subject
    score = service_context().uow(lambda tx: commands.finalize(tx, cycle, nip, supervisor, today()))
    return commands.as_dict(score)


@blp.route(f"{SCORE}/objection", methods=["POST"])
@blp.arguments(ObjectionIn)
@blp.response(200, FinalScoreOut)
@requires("employee")
def object_to(payload: dict, cycle: str, nip: str):
    """Object to my finalized appraisal (keberatan), within 14 days."""
    caller = current_principal().subject
    score = service_context().uow(
        lambda tx: commands.object_to(tx, cycle, nip, caller, payload["reason"], today())
    )
    return commands.as_dict(score)


@blp.route(f"{SCORE}/objection/decision", methods=["POST"])
@blp.arguments(ObjectionDecisionIn)
@blp.response(200, FinalScoreOut)
@requires("supervisor")
def decide_objection(payload: dict, cycle: str, nip: str):
    """The supervisor's superior confirms or changes the score, with written reasons."""
    caller = current_principal().subject
    score = service_context().uow(
        lambda tx: commands.decide_objection(
            tx, cycle, nip, caller, payload["final_score"], payload["reason"], today()
        )
    )
    return commands.as_dict(score)


def _visible_groups(groups: dict) -> dict:
    """A peer or subordinate group that does not count shows its size, never its means."""
    visible = {}
    for name, group in groups.items():
        hidden = name in ANONYMOUS_GROUPS and not group.counted
        visible[name] = {
            "raters": group.raters,
            "counted": group.counted,
            "weight": group.weight,
            "mean_raw": None if hidden else group.mean_raw,
            "mean_adjusted": None if hidden else group.mean_adjusted,
        }
    return visible
