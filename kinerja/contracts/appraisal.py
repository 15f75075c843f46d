"""The appraisal service's events: final scores, HR's schemes, the appraiser's
behaviour decisions."""

from __future__ import annotations

from marshmallow import fields

from kinerja import fields as kit
from kinerja.contracts.contract import EventType, Payload, Version


class FinalScoreV1(Payload):
    nip = fields.String(required=True)
    cycle = fields.String(required=True)
    skp_score = kit.exact_decimal(required=True)
    behaviour_score = kit.exact_decimal(required=True)
    final_score = kit.exact_decimal(required=True)
    predicate = fields.String(required=True)
    finalized_by = fields.String(required=True)
    objection_outcome = fields.String(allow_none=True, load_default=None)


class SchemeChangedV1(Payload):
    """What other services need of HR's schemes: whom each applies to and its anonymity
    floors (rater group → the fewest raters it is shown with)."""

    id = fields.String(required=True)
    version = kit.Integer(required=True)
    retired = fields.Boolean(required=True)
    min_raters = fields.Dict(keys=fields.String(), values=kit.Integer(), required=True)
    unit_ids = fields.List(fields.String(), required=True)
    position_kinds = fields.List(fields.String(), required=True)


class BehaviourDecidedV1(Payload):
    """The pejabat penilai adopted the behaviour proposal or set their own aspect
    scores: both numbers and who decided; the written reason stays in the appraisal
    service."""

    nip = fields.String(required=True)
    cycle = fields.String(required=True)
    kind = fields.String(required=True)
    proposed_score = kit.exact_decimal(required=True)
    behaviour_score = kit.exact_decimal(required=True)
    beyond_uncertainty = fields.List(fields.String(), required=True)
    with_reason = fields.Boolean(required=True)
    decided_by = fields.String(required=True)
    decided_at = fields.String(required=True)  # ISO 8601, UTC


SCORE = {
    "nip": "198503302010012004",
    "cycle": "2026",
    "skp_score": "81.75",
    "behaviour_score": "79.40",
    "final_score": "80.81",
    "predicate": "Baik",
    "finalized_by": "197805122005011003",
    "objection_outcome": None,
}

SCORE_FINALIZED = EventType("appraisal.score.finalized", Version(1, FinalScoreV1, SCORE))
OBJECTION_DECIDED = EventType(
    "appraisal.objection.decided",
    Version(1, FinalScoreV1, {**SCORE, "objection_outcome": "rejected"}),
)
SCHEME_CHANGED = EventType(
    "appraisal.scheme.changed",
    Version(
        1,
        SchemeChangedV1,
        {
            "id": "struktural",
            "version": 2,
            "retired": False,
            "min_raters": {"peer": 3, "subordinate": 3},
            "unit_ids": [],
            "position_kinds": ["structural"],
        },
    ),
)
BEHAVIOUR_DECIDED = EventType(
    "appraisal.behaviour.decided",
    Version(
        1,
        BehaviourDecidedV1,
        {
            "nip": "198503302010012004",
            "cycle": "2026",
            "kind": "adjusted",
            "proposed_score": "79.40",
            "behaviour_score": "82.00",
            "beyond_uncertainty": ["integritas"],
            "with_reason": True,
            "decided_by": "197805122005011003",
            "decided_at": "2026-12-01T03:15:00+00:00",
        },
    ),
)
