"""The feedback service's events. Rater ids travel here, for the appraisal service's
bias correction, and never to the ratee."""

from __future__ import annotations

from marshmallow import fields

from kinerja import fields as kit
from kinerja.contracts.contract import EventType, Payload, Version


class RoundChangedV1(Payload):
    round_id = fields.String(required=True)
    cycle = fields.String(required=True)
    framework_id = fields.String(required=True)
    framework_version = kit.Integer(required=True)
    deadline = kit.Date(required=True)
    status = fields.String(required=True)
    assignments = kit.Integer(required=True)


class ResponseChangedV1(Payload):
    """Submitted, revised or withdrawn: the latest revision wins at the consumer."""

    response_id = fields.String(required=True)
    round_id = fields.String(required=True)
    rater_id = fields.String(required=True)
    ratee_id = fields.String(required=True)
    rater_group = fields.String(required=True)
    # dimension → score; were JSON numbers before these contracts, read alike
    scores = fields.Dict(keys=fields.String(), values=kit.exact_decimal(), required=True)
    revision = kit.Integer(required=True)


ROUND = {
    "round_id": "r-2026",
    "cycle": "2026",
    "framework_id": "perilaku-pp46",
    "framework_version": 1,
    "deadline": "2026-11-30",
    "status": "open",
    "assignments": 48,
}
RESPONSE = {
    "response_id": "resp-1",
    "round_id": "r-2026",
    "rater_id": "197805122005011003",
    "ratee_id": "198503302010012004",
    "rater_group": "superior",
    "scores": {"integritas": "84", "komitmen": "80.5"},
    "revision": 1,
}

ROUND_OPENED = EventType("feedback.round.opened", Version(1, RoundChangedV1, ROUND))
ROUND_CLOSED = EventType(
    "feedback.round.closed", Version(1, RoundChangedV1, {**ROUND, "status": "closed"})
)
RESPONSE_SUBMITTED = EventType(
    "feedback.response.submitted", Version(1, ResponseChangedV1, RESPONSE)
)
RESPONSE_REVISED = EventType(
    "feedback.response.revised", Version(1, ResponseChangedV1, {**RESPONSE, "revision": 2})
)
RESPONSE_WITHDRAWN = EventType(
    "feedback.response.withdrawn", Version(1, ResponseChangedV1, {**RESPONSE, "revision": 3})
)
