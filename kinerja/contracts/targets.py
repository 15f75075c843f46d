"""The targets service's events: the SKP's decisions, its realization, and its score."""

from __future__ import annotations

from marshmallow import fields

from kinerja import fields as kit
from kinerja.contracts.contract import EventType, Payload, Version

# Decimals were JSON numbers before these contracts; the Decimal fields read both.


class Activity(Payload):
    id = fields.String(required=True)
    name = fields.String(required=True)
    quantity = kit.exact_decimal(required=True)
    unit = fields.String(required=True)
    months = kit.exact_decimal(required=True)


class SkpDecidedV1(Payload):
    """Submitted, approved or returned: the version and, for the logs service, its
    activities."""

    nip = fields.String(required=True)
    cycle = fields.String(required=True)
    version = kit.Integer(required=True)
    status = fields.String(required=True)
    notes = fields.String(allow_none=True, load_default=None)
    decided_by = fields.String(allow_none=True, load_default=None)
    activities = fields.List(fields.Nested(Activity), required=True)


class RealizationUpdatedV1(Payload):
    nip = fields.String(required=True)
    cycle = fields.String(required=True)
    activity_id = fields.String(required=True)
    quantity = kit.exact_decimal(allow_none=True, load_default=None)
    quantity_source = fields.String(allow_none=True, load_default=None)
    quality = kit.exact_decimal(allow_none=True, load_default=None)
    months = kit.exact_decimal(allow_none=True, load_default=None)
    cost = kit.exact_decimal(allow_none=True, load_default=None)


class ScoreUpdatedV1(Payload):
    """The SKP score as of a date; skp_score is null while no activity can be assessed."""

    nip = fields.String(required=True)
    cycle = fields.String(required=True)
    skp_score = kit.exact_decimal(required=True, allow_none=True)
    activities_mean = kit.exact_decimal(allow_none=True, load_default=None)
    extra_tasks_points = kit.exact_decimal(required=True)
    creativity_points = kit.exact_decimal(required=True)
    complete = fields.Boolean(required=True)
    # provisional until every activity's realization is in; prorated: some activity is
    # scored against its target due by as_of, not the whole year's. The last two came
    # after the first producers, so an event without them reads as not pro-rated.
    provisional = fields.Boolean(load_default=False)
    prorated = fields.Boolean(load_default=False)
    as_of = kit.Date(allow_none=True, load_default=None)
    # the SKP's revision: a consumer keeps the newest score whatever order they arrive in
    revision = kit.Integer(load_default=0)


NIP = "198503302010012004"
SKP = {
    "nip": NIP,
    "cycle": "2026",
    "version": 1,
    "status": "approved",
    "notes": None,
    "decided_by": "197805122005011003",
    "activities": [
        {
            "id": "a1",
            "name": "Menyusun laporan kepegawaian",
            "quantity": "12",
            "unit": "laporan",
            "months": "12",
        }
    ],
}

SKP_SUBMITTED = EventType(
    "targets.skp.submitted",
    Version(1, SkpDecidedV1, {**SKP, "status": "submitted", "decided_by": None}),
)
SKP_APPROVED = EventType("targets.skp.approved", Version(1, SkpDecidedV1, SKP))
SKP_RETURNED = EventType(
    "targets.skp.returned",
    Version(
        1, SkpDecidedV1, {**SKP, "status": "returned", "notes": "Target kuantitas terlalu rendah"}
    ),
)
REALIZATION_UPDATED = EventType(
    "targets.realization.updated",
    Version(
        1,
        RealizationUpdatedV1,
        {
            "nip": NIP,
            "cycle": "2026",
            "activity_id": "a1",
            "quantity": "9",
            "quantity_source": "logs",
            "quality": "85",
            "months": "12",
            "cost": None,
        },
    ),
)
SCORE_UPDATED = EventType(
    "targets.score.updated",
    Version(
        1,
        ScoreUpdatedV1,
        {
            "nip": NIP,
            "cycle": "2026",
            "skp_score": "81.75",
            "activities_mean": "81.75",
            "extra_tasks_points": "0",
            "creativity_points": "0",
            "complete": False,
            "provisional": True,
            "prorated": True,
            "as_of": "2026-09-30",
            "revision": 7,
        },
    ),
)
