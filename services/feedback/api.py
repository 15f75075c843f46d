"""HTTP routes of the feedback service: translate HTTP to the domain and back."""

from __future__ import annotations

from flask_smorest import Blueprint

from kinerja.auth import current_principal, requires
from kinerja.errors import NotFound
from kinerja.web import service_context
from services.feedback import domain, store
from services.feedback.events import RESPONSE_SUBMITTED, response_submitted
from services.feedback.schemas import ResponseIn, ResponseOut

blp = Blueprint("responses", __name__, url_prefix="/api/v1", description="360 responses")


def _out(response: domain.Response) -> dict:
    return {"id": response.id, **response.__dict__}


@blp.route("/rounds/<string:round_id>/responses/<string:ratee_id>", methods=["PUT"])
@blp.arguments(ResponseIn)
@blp.response(200, ResponseOut)
@requires()
def submit_response(payload: dict, round_id: str, ratee_id: str):
    """Submit or revise my response for a ratee in a round."""
    rater_id = current_principal().subject
    draft = domain.Response(round_id=round_id, rater_id=rater_id, ratee_id=ratee_id, **payload)

    def work(tx):
        previous = store.find_response(tx, draft.id)
        accepted = domain.submit_response(previous, draft)
        store.save_response(tx, accepted)
        tx.publish(RESPONSE_SUBMITTED, response_submitted(accepted))
        return accepted

    return _out(service_context().uow(work))


@blp.route("/rounds/<string:round_id>/responses/<string:ratee_id>", methods=["GET"])
@blp.response(200, ResponseOut)
@requires()
def get_my_response(round_id: str, ratee_id: str):
    """My own response for a ratee in a round."""
    rater_id = current_principal().subject
    response = store.get_response(
        service_context().db, domain.response_id(round_id, rater_id, ratee_id)
    )
    if response is None:
        raise NotFound("you have not responded for this ratee in this round")
    return _out(response)
