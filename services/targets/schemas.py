"""The targets API's contract. Numbers come in as exact decimals and go out as JSON numbers."""

from decimal import Decimal

from marshmallow import Schema, ValidationError, fields, validate

from services.targets.domain import CREATIVITY_LEVELS

ID = validate.Regexp(r"^[a-z0-9][a-z0-9-]{0,63}$", error="lowercase letters, digits and '-'")


SMALLEST, LARGEST = Decimal("0.000001"), Decimal("1000000000000")


def _in_range(value: Decimal) -> None:
    # Scores divide realizations by targets: between these bounds every ratio, and so every
    # score, stays a JSON number (1e308 / 1e-300 would be Infinity, which JSON cannot carry).
    if value != 0 and not SMALLEST <= abs(value) <= LARGEST:
        raise ValidationError(f"0, or between {SMALLEST} and {LARGEST:,} in size")


def number(**kwargs) -> fields.Decimal:
    return fields.Decimal(allow_nan=False, validate=_in_range, **kwargs)


class ActivityIn(Schema):
    id = fields.String(required=True, validate=ID)
    name = fields.String(required=True, validate=validate.Length(min=1, max=300))
    quantity = number(required=True, metadata={"description": "target output, e.g. 12"})
    unit = fields.String(required=True, validate=validate.Length(min=1, max=40))
    months = number(required=True, metadata={"description": "target time in months (1-12)"})
    quality = number(load_default=100)
    cost = number(load_default=None, allow_none=True)
    credit_points = number(
        load_default=None,
        allow_none=True,
        metadata={"description": "angka kredit, for functional positions"},
    )


class SkpDraftIn(Schema):
    cycle = fields.String(required=True, validate=validate.Regexp(r"^20\d\d$"))
    activities = fields.List(fields.Nested(ActivityIn), required=True)


class ActivitiesIn(Schema):
    activities = fields.List(fields.Nested(ActivityIn), required=True)


class ReturnIn(Schema):
    notes = fields.String(required=True, validate=validate.Length(min=1, max=2000))


class RealizationIn(Schema):
    """The owner's realization waits for the supervisor's confirmation; the supervisor's counts."""

    quantity = number(metadata={"description": "only for an activity without daily logs"})
    quality = number(metadata={"description": "the supervisor's assessment, 0-100"})
    months = number(metadata={"description": "realized time in months, above 0"})
    cost = number(metadata={"description": "realized cost, above 0"})
    reason = fields.String(
        validate=validate.Length(max=2000),
        metadata={"description": "the supervisor's reason for a quantity above the bound"},
    )


class ConfirmRealizationIn(Schema):
    reason = fields.String(
        load_default="",
        validate=validate.Length(max=2000),
        metadata={"description": "required when the quantity is above the bound"},
    )


class RejectRealizationIn(Schema):
    reason = fields.String(required=True, validate=validate.Length(min=1, max=2000))


class AchievementIn(Schema):
    id = fields.String(required=True, validate=ID)
    description = fields.String(required=True, validate=validate.Length(min=1, max=2000))
    evidence = fields.String(required=True, validate=validate.Length(min=1, max=2000))
    level = fields.String(load_default=None, validate=validate.OneOf(CREATIVITY_LEVELS))


class DecisionIn(Schema):
    approve = fields.Boolean(required=True)


class ActivityOut(Schema):
    id = fields.String()
    name = fields.String()
    quantity = fields.Float()
    unit = fields.String()
    months = fields.Float()
    quality = fields.Float()
    cost = fields.Float(allow_none=True)
    credit_points = fields.Float(allow_none=True)


class VersionOut(Schema):
    number = fields.Integer()
    status = fields.String()
    activities = fields.List(fields.Nested(ActivityOut))
    notes = fields.String()
    decided_by = fields.String(allow_none=True)


class RealizationOut(Schema):
    quantity = fields.Float(allow_none=True)
    quantity_source = fields.String(allow_none=True)
    quality = fields.Float(allow_none=True)
    months = fields.Float(allow_none=True)
    cost = fields.Float(allow_none=True)
    reason = fields.String(metadata={"description": "the supervisor's reason, above the bound"})


class PendingRealizationOut(Schema):
    quantity = fields.Float(allow_none=True)
    months = fields.Float(allow_none=True)
    cost = fields.Float(allow_none=True)
    proposed_by = fields.String()
    status = fields.String(metadata={"description": "pending (awaiting the supervisor), rejected"})
    reason = fields.String(metadata={"description": "the supervisor's reason for rejecting"})
    decided_by = fields.String(allow_none=True)


class AchievementOut(Schema):
    id = fields.String()
    kind = fields.String()
    description = fields.String()
    evidence = fields.String()
    level = fields.String(allow_none=True)
    status = fields.String()
    decided_by = fields.String(allow_none=True)


class SkpOut(Schema):
    nip = fields.String()
    cycle = fields.String()
    status = fields.String()
    revision = fields.Integer()
    current = fields.Nested(VersionOut)
    contract = fields.Nested(VersionOut, allow_none=True)
    realization = fields.Dict(
        keys=fields.String(),
        values=fields.Nested(RealizationOut),
        metadata={"description": "confirmed realization: what the score counts"},
    )
    pending_realization = fields.Dict(
        keys=fields.String(),
        values=fields.Nested(PendingRealizationOut),
        metadata={"description": "the employee's realization awaiting the supervisor"},
    )
    realization_bound = fields.Float(
        metadata={"description": "a quantity above this multiple of the target needs a reason"}
    )
    achievements = fields.List(fields.Nested(AchievementOut))


class AspectScoresOut(Schema):
    quantity = fields.Float()
    quality = fields.Float()
    time = fields.Float()
    cost = fields.Float(allow_none=True)
    total = fields.Float()
    score = fields.Float()


class TargetOut(Schema):
    quantity = fields.Float()
    quality = fields.Float()
    months = fields.Float()
    cost = fields.Float(allow_none=True)


class ActivityScoreOut(Schema):
    activity = fields.Nested(ActivityOut)
    target = fields.Nested(
        TargetOut,
        allow_none=True,
        metadata={
            "description": "what it is scored against: the yearly target or, during "
            "the year, the target pro-rated to as_of; null when nothing is due yet"
        },
    )
    share = fields.Float(metadata={"description": "share of the yearly target due (1: all)"})
    realization = fields.Nested(RealizationOut, allow_none=True)
    score = fields.Nested(
        AspectScoresOut,
        allow_none=True,
        metadata={"description": "null: not yet assessable (belum dapat dinilai), never 0"},
    )
    assessable = fields.Boolean()
    assumed = fields.List(
        fields.String(), metadata={"description": "aspects not recorded yet, taken at target"}
    )
    flags = fields.List(
        fields.String(),
        metadata={"description": "waktu_negatif, biaya_negatif: PP 46's negative scores"},
    )


class ScoreOut(Schema):
    nip = fields.String()
    cycle = fields.String()
    activities = fields.List(fields.Nested(ActivityScoreOut))
    activities_mean = fields.Float(allow_none=True)
    extra_tasks = fields.Integer()
    extra_tasks_points = fields.Float()
    creativity = fields.String(allow_none=True)
    creativity_points = fields.Float()
    skp_score = fields.Float(
        allow_none=True, metadata={"description": "null: no activity can be assessed yet"}
    )
    complete = fields.Boolean()
    provisional = fields.Boolean(metadata={"description": "some realization is still to come"})
    prorated = fields.Boolean(
        metadata={"description": "some activity is scored against its target pro-rated to as_of"}
    )
    as_of = fields.Date()


class WhatIfActivity(Schema):
    quantity = number()
    quality = number()
    months = number()
    cost = number()


class WhatIfIn(Schema):
    activities = fields.Dict(
        keys=fields.String(),
        values=fields.Nested(WhatIfActivity),
        load_default=dict,
        metadata={"description": "activity id -> realization to assume"},
    )
    extra_tasks = fields.Integer(load_default=None, validate=validate.Range(min=0))
    creativity = fields.String(load_default=None, validate=validate.OneOf(CREATIVITY_LEVELS))


class TeamMemberOut(Schema):
    nip = fields.String()
    name = fields.String()
    position = fields.String()
    status = fields.String()
    skp_score = fields.Float(allow_none=True)
    pending_realizations = fields.Integer(
        metadata={"description": "the report's realizations awaiting my confirmation"}
    )


class CycleQuery(Schema):
    cycle = fields.String(required=True, validate=validate.Regexp(r"^20\d\d$"))


class PreviewIn(Schema):
    """The scoring contract of `kinerja skp score` (see the README)."""

    activities = fields.List(fields.Dict(), required=True)
    extra_tasks = fields.Integer(load_default=0)
    creativity = fields.String(load_default=None, allow_none=True)


class PreviewOut(Schema):
    activities = fields.List(fields.Nested(AspectScoresOut))
    activities_mean = fields.Float()
    extra_tasks_points = fields.Float()
    creativity_points = fields.Float()
    skp_score = fields.Float()
