"""The feedback API's contract."""

from marshmallow import Schema, fields, validate

from services.feedback.domain import RATER_GROUPS, SCORE_MAX, SCORE_MIN

DIMENSION = validate.Regexp(r"^[a-z][a-z0-9_]{0,63}$", error="dimension keys are snake_case")


class ResponseIn(Schema):
    rater_group = fields.String(required=True, validate=validate.OneOf(RATER_GROUPS))
    scores = fields.Dict(
        keys=fields.String(validate=DIMENSION),
        values=fields.Integer(strict=True, validate=validate.Range(SCORE_MIN, SCORE_MAX)),
        required=True,
        validate=validate.Length(min=1, max=20),
    )
    comment = fields.String(load_default="", validate=validate.Length(max=2000))


class ResponseOut(Schema):
    id = fields.String()
    round_id = fields.String()
    rater_id = fields.String()
    ratee_id = fields.String()
    rater_group = fields.String()
    scores = fields.Dict(keys=fields.String(), values=fields.Integer())
    comment = fields.String()
    revision = fields.Integer()
