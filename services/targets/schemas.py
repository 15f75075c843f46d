"""The targets API's contract. Numbers come in as exact decimals and go out as JSON numbers.
Shape and size only: the regulation's rules are the domain's, refused there by field."""

from marshmallow import Schema, fields, validate

from kinerja import fields as kit
from services.targets.domain import CREATIVITY_LEVELS

# activity and achievement ids end up in URL paths (.../activities/<id>/realization)
# ASCII digits: `\d` would take any script's (a cycle of "20٢٦")
CYCLE = validate.Regexp(r"^20[0-9][0-9]$", error="a year such as 2026")
ID = validate.Regexp(r"^[a-z0-9][a-z0-9-]{0,63}$", error="lowercase letters, digits and '-'")

# Scores divide realizations by targets and sum them: with values at most this large and
# with at most 4 places, every ratio, and so every score, stays a JSON number (1e308 /
# 1e-300 would be Infinity, which JSON cannot carry). The sign and the scales (0-100,
# 1-12 months) are the domain's rules, refused there by name.
LARGEST = 1_000_000_000_000
# Quantities (12 reports, 0.5 of one), months (1.5), quality (0-100) and cost (rupiah
# and sen) are written to 2 places; an angka kredit is published to 3, so it takes 4.
PLACES = 2
CREDIT_POINT_PLACES = 4


def number(places: int = PLACES, **kwargs) -> kit.Decimal:
    """A decimal the scores divide or sum: exact, at most `places` places, within LARGEST."""
    return kit.Decimal(places=places, maximum=LARGEST, **kwargs)


class ActivityIn(Schema):
    """One activity of a drafted or edited SKP; its bounds are domain.check_activities'."""

    id = fields.String(required=True, validate=ID)
    name = fields.String(required=True, validate=validate.Length(min=1, max=300))
    quantity = number(required=True, metadata={"description": "target output, e.g. 12"})
    unit = fields.String(required=True, validate=validate.Length(min=1, max=40))
    months = number(required=True, metadata={"description": "target time in months (1-12)"})
    quality = number(load_default=100)
    cost = number(load_default=None, allow_none=True)
    credit_points = number(
        CREDIT_POINT_PLACES,
        load_default=None,
        allow_none=True,
        metadata={"description": "angka kredit, for functional positions"},
    )


class SkpDraftIn(Schema):
    """POST /skps: the caller's own SKP for a cycle; the NIP is the token's, never the body's."""

    cycle = fields.String(required=True, validate=CYCLE)
    activities = fields.List(fields.Nested(ActivityIn), required=True)


class ActivitiesIn(Schema):
    """PUT .../draft: the whole activity list, replacing the draft's (not a patch)."""

    activities = fields.List(fields.Nested(ActivityIn), required=True)


class ReturnIn(Schema):
    """Returning an SKP: the notes are required, so the employee knows what to change."""

    notes = fields.String(required=True, validate=validate.Length(min=1, max=2000))


class RealizationIn(Schema):
    """The owner's realization waits for the supervisor's confirmation; the supervisor's counts.
    Only the fields sent change; who may send which is domain.realization_problems' rule."""

    quantity = number(metadata={"description": "only for an activity without daily logs"})
    quality = number(metadata={"description": "the supervisor's assessment, 0-100"})
    months = number(metadata={"description": "realized time in months, above 0"})
    cost = number(metadata={"description": "realized cost, above 0"})
    reason = fields.String(
        validate=validate.Length(max=2000),
        metadata={"description": "the supervisor's reason for a quantity above the bound"},
    )


class ConfirmRealizationIn(Schema):
    """Confirming a pending realization; `reason` is required above the bound."""

    reason = fields.String(
        load_default="",
        validate=validate.Length(max=2000),
        metadata={"description": "required when the quantity is above the bound"},
    )


class RejectRealizationIn(Schema):
    """Refusing a pending realization: the reason is required, the employee reads it."""

    reason = fields.String(required=True, validate=validate.Length(min=1, max=2000))


class AchievementIn(Schema):
    """The route sets the kind; `level` is required on creativity, refused on an extra task."""

    id = fields.String(required=True, validate=ID)
    description = fields.String(required=True, validate=validate.Length(min=1, max=2000))
    evidence = fields.String(required=True, validate=validate.Length(min=1, max=2000))
    level = fields.String(load_default=None, validate=validate.OneOf(CREATIVITY_LEVELS))


class DecisionIn(Schema):
    """The supervisor's decision on a proposed achievement: true approves."""

    approve = fields.Boolean(required=True)


class ActivityOut(Schema):
    """An activity target as stored (domain.ActivityTarget)."""

    id = fields.String()
    name = fields.String()
    quantity = fields.Float()
    unit = fields.String()
    months = fields.Float()
    quality = fields.Float()
    cost = fields.Float(allow_none=True)
    credit_points = fields.Float(allow_none=True)


class VersionOut(Schema):
    """One version of an SKP; notes and decided_by are those of its last decision."""

    number = fields.Integer()
    status = fields.String()
    activities = fields.List(fields.Nested(ActivityOut))
    notes = fields.String()
    decided_by = fields.String(allow_none=True)


class RealizationOut(Schema):
    """Confirmed realization: what the score counts; null aspects are not recorded yet."""

    quantity = fields.Float(allow_none=True)
    quantity_source = fields.String(allow_none=True)
    quality = fields.Float(allow_none=True)
    months = fields.Float(allow_none=True)
    cost = fields.Float(allow_none=True)
    reason = fields.String(metadata={"description": "the supervisor's reason, above the bound"})


class PendingRealizationOut(Schema):
    """The employee's proposed realization: no score moves until the supervisor confirms it."""

    quantity = fields.Float(allow_none=True)
    months = fields.Float(allow_none=True)
    cost = fields.Float(allow_none=True)
    proposed_by = fields.String()
    status = fields.String(metadata={"description": "pending (awaiting the supervisor), rejected"})
    reason = fields.String(metadata={"description": "the supervisor's reason for rejecting"})
    decided_by = fields.String(allow_none=True)


class AchievementOut(Schema):
    """Its status is proposed, approved or rejected; only approved ones score."""

    id = fields.String()
    kind = fields.String()
    description = fields.String()
    evidence = fields.String()
    level = fields.String(allow_none=True)
    status = fields.String()
    decided_by = fields.String(allow_none=True)


class SkpOut(Schema):
    """The answer of every SKP route. `current` is the version being worked on, `contract`
    the approved one in force (null before the first approval): they differ in a revision."""

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
    """PP 46/2011's aspect scores of an activity (scoring.ActivityScore); cost null: no target."""

    quantity = fields.Float()
    quality = fields.Float()
    time = fields.Float()
    cost = fields.Float(allow_none=True)
    total = fields.Float()
    score = fields.Float()


class TargetOut(Schema):
    """The target an activity is scored against: the year's, or pro-rated to as_of."""

    quantity = fields.Float()
    quality = fields.Float()
    months = fields.Float()
    cost = fields.Float(allow_none=True)


class ActivityScoreOut(Schema):
    """One activity's row of the breakdown: during the year its target may be pro-rated
    (`share` below 1) and aspects not recorded yet taken at target (`assumed`)."""

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
    """GET .../score and POST .../what-if: the SKP score as of `as_of`, today."""

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
    """The aspects given replace the recorded ones; the others stay."""

    quantity = number()
    quality = number()
    months = number()
    cost = number()


class WhatIfIn(Schema):
    """The body of POST .../what-if: assumptions only, nothing is stored. An activity id
    not in the contract is 404; extra_tasks and creativity, when given, replace the
    approved ones."""

    activities = fields.Dict(
        keys=fields.String(),
        values=fields.Nested(WhatIfActivity),
        load_default=dict,
        metadata={"description": "activity id -> realization to assume"},
    )
    # tugas tambahan (extra tasks) are counted: 3.9 is refused, not read as 3
    extra_tasks = kit.Integer(load_default=None, minimum=0)
    creativity = fields.String(load_default=None, validate=validate.OneOf(CREATIVITY_LEVELS))


class TeamMemberOut(Schema):
    """A direct report's row of GET /teams/<nip>/skps: status not_started when they have
    no SKP for the cycle; skp_score null before approval or while nothing is assessable."""

    nip = fields.String()
    name = fields.String()
    position = fields.String()
    status = fields.String()
    skp_score = fields.Float(allow_none=True)
    pending_realizations = fields.Integer(
        metadata={"description": "the report's realizations awaiting my confirmation"}
    )


class CycleQuery(Schema):
    """?cycle=: the year a team view is for."""

    cycle = fields.String(required=True, validate=CYCLE)


class PreviewIn(Schema):
    """The scoring contract of `kinerja skp score` (see the README). The activities are
    loose dicts on purpose: scoring.score_document checks them, the same code as the CLI,
    naming each bad field (`activities[0].target.quantity`)."""

    activities = fields.List(fields.Dict(), required=True)
    # 0 or more is scoring's rule (the CLI's too), by name; 3.9 is refused here, not read as 3
    extra_tasks = kit.Integer(load_default=0)
    creativity = fields.String(load_default=None, allow_none=True)


class PreviewOut(Schema):
    """The scores of a posted SKP document: floats at full precision, unrounded."""

    activities = fields.List(fields.Nested(AspectScoresOut))
    activities_mean = fields.Float()
    extra_tasks_points = fields.Float()
    creativity_points = fields.Float()
    skp_score = fields.Float()
