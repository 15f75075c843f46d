"""HTTP routes of the appraisal service."""

from __future__ import annotations

from flask_smorest import Blueprint

from kinerja.auth import requires
from kinerja.web import service_context
from services.appraisal import domain, store
from services.appraisal.schemas import RatingsSummaryOut

blp = Blueprint("ratings", __name__, url_prefix="/api/v1", description="Received 360 ratings")


@blp.route("/rounds/<string:round_id>/ratees/<string:ratee_id>/ratings", methods=["GET"])
@blp.response(200, RatingsSummaryOut)
@requires("hr")
def ratings_summary(round_id: str, ratee_id: str):
    """What the appraisal service has received for a ratee (HR only: not anonymized)."""
    summary = domain.summarize(store.ratings_for(service_context().db, round_id, ratee_id))
    return {"round_id": round_id, "ratee_id": ratee_id, **summary.__dict__}
