"""Events the feedback service publishes. Rater ids travel here, for the appraisal
service's bias correction, and never to the ratee."""

from __future__ import annotations

from services.feedback.domain import Response, Round

ROUND_OPENED = "feedback.round.opened"
ROUND_CLOSED = "feedback.round.closed"
RESPONSE_SUBMITTED = "feedback.response.submitted"
RESPONSE_REVISED = "feedback.response.revised"
RESPONSE_WITHDRAWN = "feedback.response.withdrawn"


def round_changed(round_: Round, assignments: int) -> dict:
    return {
        "round_id": round_.id,
        "cycle": round_.cycle,
        "framework_id": round_.framework_id,
        "framework_version": round_.framework_version,
        "deadline": round_.deadline.isoformat(),
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
        "scores": {k: float(v) for k, v in response.scores.items()},
        "revision": response.revision,
    }
