"""The feedback API's contract: shape and size only. A framework's rules and whether scores
fit the round's framework are the domain's, refused there by field."""

from marshmallow import Schema, fields, validate

from kinerja import fields as kit
from services.feedback.assignments import RATER_GROUPS

KEY = validate.Regexp(r"^[a-z][a-z0-9_-]{0,63}$", error="lowercase letters, digits, _ and -")
ROUND_ID = validate.Regexp(
    r"^[a-z0-9][a-z0-9_-]{0,63}$", error="lowercase letters, digits, _ and -"
)
# ASCII digits: `\d` would take any script's (a cycle of "20٢٦")
CYCLE = validate.Regexp(r"^20[0-9][0-9]$", error="a year such as 2026")
# a 360 score is on a framework's scale (0-100 or 1-5, the domain's rule, by name): at most
# 2 places (87.25) and 3 digits before the point
SCORE_PLACES, SCORE_SIZE = 2, 1000


class DimensionIn(Schema):
    """The key's form and uniqueness are domain.check_framework's; anchors: score -> behaviour."""

    key = fields.String(required=True)
    name = fields.String(required=True, validate=validate.Length(min=1, max=200))
    description = fields.String(required=True, validate=validate.Length(min=1, max=1000))
    anchors = fields.Dict(keys=fields.String(), values=fields.String(), load_default=dict)
    structural_only = fields.Boolean(load_default=False)


class FrameworkIn(Schema):
    """POST /frameworks: a new framework or its next version; the scale is 0-100 or 1-5."""

    id = fields.String(required=True, validate=KEY)
    name = fields.String(required=True, validate=validate.Length(min=1, max=200))
    # which scales exist is domain.check_framework's rule (0-100 or 1-5)
    scale_min = kit.Integer(required=True)
    scale_max = kit.Integer(required=True)
    dimensions = fields.List(fields.Nested(DimensionIn), required=True)


class DimensionOut(DimensionIn):
    """A dimension as the rater reads it, with its anchors."""

    pass


class FrameworkOut(Schema):
    """A framework at one version; rounds name the version they were opened with."""

    id = fields.String()
    version = fields.Integer()
    name = fields.String()
    scale_min = fields.Integer()
    scale_max = fields.Integer()
    dimensions = fields.List(fields.Nested(DimensionOut))


class RoundIn(Schema):
    """POST /rounds: the framework's latest version is taken; peers_per_ratee 0: no peers."""

    id = fields.String(required=True, validate=ROUND_ID)
    cycle = fields.String(required=True, validate=CYCLE)
    framework_id = fields.String(load_default="pp46")
    deadline = kit.Date(required=True)
    peers_per_ratee = kit.Integer(load_default=3, minimum=0, maximum=20)
    unit_id = fields.String(load_default=None, metadata={"description": "only this unit's people"})


class RoundOut(Schema):
    """A round; framework_version is fixed at opening, whatever later versions come."""

    id = fields.String()
    cycle = fields.String()
    framework_id = fields.String()
    framework_version = fields.Integer()
    deadline = fields.Date()
    peers_per_ratee = fields.Integer()
    status = fields.String()


class AssignmentIn(Schema):
    """HR's assignment by hand: a rater and ratee pair at most once a round (Conflict)."""

    rater = kit.Nip(required=True)
    ratee = kit.Nip(required=True)
    group = fields.String(required=True, validate=validate.OneOf(RATER_GROUPS))


class NominationIn(Schema):
    """A peer the caller asks to rate them; their supervisor approves or refuses it."""

    peer = kit.Nip(required=True)


class DecisionIn(Schema):
    """The supervisor's decision on a nomination: true approves."""

    approve = fields.Boolean(required=True)


class AnswerIn(Schema):
    """A draft, a submission or a revision; the keys and scale are the round's framework's,
    checked by the domain, and only a draft may leave dimensions out."""

    scores = fields.Dict(
        keys=fields.String(),
        values=kit.Decimal(places=SCORE_PLACES, maximum=SCORE_SIZE),
        required=True,
    )
    comment = fields.String(load_default="", validate=validate.Length(max=2000))


class DeclineIn(Schema):
    """Declining an assignment needs a reason, e.g. a conflict of interest."""

    reason = fields.String(required=True, validate=validate.Length(min=1, max=1000))


class AssignmentOut(Schema):
    """What a rater sees of their own assignment (and HR of every one)."""

    id = fields.String()
    round_id = fields.String()
    rater = fields.String()
    ratee = fields.String()
    ratee_name = fields.String()
    group = fields.String()
    state = fields.String()
    source = fields.String()
    status = fields.String()
    scores = fields.Dict(keys=fields.String(), values=fields.Float())
    comment = fields.String()
    decline_reason = fields.String()
    dimensions = fields.List(fields.Nested(DimensionOut))


class RateOut(Schema):
    """One key's (round, ratee, rater or unit) rate: submitted over assigned, 0 for none."""

    key = fields.String()
    assigned = fields.Integer()
    submitted = fields.Integer()
    declined = fields.Integer()
    rate = fields.Float()


class CompletionOut(Schema):
    """How far a round has got, overall and broken down."""

    round = fields.Nested(RateOut)
    by_ratee = fields.List(fields.Nested(RateOut))
    by_rater = fields.List(fields.Nested(RateOut))
    by_unit = fields.List(fields.Nested(RateOut))


class ReminderQuery(Schema):
    """How close the deadline must be (days) for raters to be reminded."""

    within_days = kit.Integer(load_default=3, minimum=0, maximum=365)


class ReminderOut(Schema):
    """A rater with ratings still to give, and the days left to the deadline."""

    rater = fields.String()
    name = fields.String()
    pending = fields.Integer()
    days_left = fields.Integer()


class GroupResultOut(Schema):
    """Under its anonymity floor a group shows only `responses`: no mean, no comment."""

    group = fields.String(
        metadata={
            "description": "superior, peer, subordinate, self, or others: peers and "
            "subordinates merged, shown when each is below its floor and their union is not"
        }
    )
    responses = fields.Integer()
    shown = fields.Boolean()
    mean_by_dimension = fields.Dict(keys=fields.String(), values=fields.Float())
    comments = fields.List(fields.String())


class ResultsOut(Schema):
    """A ratee's results of a closed round (an open round's would reveal each new answer
    by difference); others_mean_by_dimension pools only the figures shown."""

    ratee = fields.String()
    dimensions = fields.List(fields.String())
    groups = fields.List(fields.Nested(GroupResultOut))
    others_mean_by_dimension = fields.Dict(keys=fields.String(), values=fields.Float())
