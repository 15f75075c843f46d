"""HTTP routes of the appraisal service."""

from __future__ import annotations

from decimal import Decimal

from flask_smorest import Blueprint

from kinerja import directory_replica
from kinerja.auth import current_principal, requires
from kinerja.errors import Forbidden
from kinerja.web import service_context
from services.appraisal import combination, domain, store
from services.appraisal.schemas import ProvisionalScoreOut, RatingsSummaryOut

blp = Blueprint("ratings", __name__, url_prefix="/api/v1", description="Received 360 ratings")


@blp.route("/rounds/<string:round_id>/ratees/<string:ratee_id>/ratings", methods=["GET"])
@blp.response(200, RatingsSummaryOut)
@requires("hr")
def ratings_summary(round_id: str, ratee_id: str):
    """What the appraisal service has received for a ratee (HR only: not anonymized)."""
    summary = domain.summarize(store.ratings_for(service_context().db, round_id, ratee_id))
    return {"round_id": round_id, "ratee_id": ratee_id, **summary.__dict__}


# Until HR's weighting schemes arrive: the superior half, peers and subordinates a quarter each.
DEFAULT_SCHEME = combination.Scheme(
    weights={"superior": 0.5, "peer": 0.25, "subordinate": 0.25, "self": 0.0}
)
ANONYMOUS_GROUPS = ("peer", "subordinate")


@blp.route("/cycles/<string:cycle>/scores/<string:nip>", methods=["GET"])
@blp.response(200, ProvisionalScoreOut)
@requires()
def provisional_score(cycle: str, nip: str):
    """The provisional final score: SKP and bias-corrected behaviour, 60/40, and the predicate.

    The employee's supervisor and HR see the breakdown; the employee sees the scores.
    """
    db = service_context().db
    principal = current_principal()
    supervisor = (directory_replica.find_employee(db, nip) or {}).get("supervisor_nip")
    full_view = principal.subject == supervisor or principal.has_any(["hr"])
    if principal.subject != nip and not full_view:
        raise Forbidden("scores are for the employee, their supervisor and HR")
    skp = store.skp_score(db, nip, cycle)
    ratings = [
        combination.Rating(r.rater_id, r.ratee_id, r.rater_group, dimension, float(score))
        for r in store.cycle_ratings(db, cycle)
        for dimension, score in r.scores.items()
    ]
    result = (
        combination.combine_ratings(ratings, DEFAULT_SCHEME).ratees.get(nip) if ratings else None
    )
    behaviour = Decimal(str(result.score)) if result and result.score is not None else None
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
    }
    if result and full_view:
        out.update(
            groups=_visible_groups(result.groups),
            reliability=result.reliability,
            standard_error=result.standard_error,
            flags=result.flags,
        )
    return out


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
