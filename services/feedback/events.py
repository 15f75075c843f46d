"""What of a round or a response goes into the events the feedback service publishes;
their wire shape is their contract, kinerja/contracts/feedback.py."""

from __future__ import annotations

from kinerja.contracts.feedback import (  # noqa: F401 - the events this service publishes
    RESPONSE_REVISED,
    RESPONSE_SUBMITTED,
    RESPONSE_WITHDRAWN,
    ROUND_CLOSED,
    ROUND_OPENED,
)
from services.feedback.domain import Response, Round


def round_changed(round_: Round, assignments: int) -> dict:
    return {
        "round_id": round_.id,
        "cycle": round_.cycle,
        "framework_id": round_.framework_id,
        "framework_version": round_.framework_version,
        "deadline": round_.deadline,
        "status": round_.status,
        "assignments": assignments,
    }


def response_changed(response: Response) -> dict:
    """Submitted, revised or withdrawn: the latest revision wins at the consumer."""
    return {
        "response_id": response.id,
        "round_id": response.round_id,
        "rater_id": response.rater,
        "ratee_id": response.ratee,
        "rater_group": response.group,
        "scores": response.scores,
        "revision": response.revision,
    }
