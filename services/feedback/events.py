"""Events the feedback service publishes, with their payload schemas."""

from marshmallow import Schema, fields, validate

from services.feedback.domain import RATER_GROUPS, Response

RESPONSE_SUBMITTED = "feedback.response.submitted"


class ResponseSubmittedV1(Schema):
    response_id = fields.String(required=True)
    round_id = fields.String(required=True)
    rater_id = fields.String(required=True)
    ratee_id = fields.String(required=True)
    rater_group = fields.String(required=True, validate=validate.OneOf(RATER_GROUPS))
    scores = fields.Dict(keys=fields.String(), values=fields.Integer(), required=True)
    revision = fields.Integer(required=True)


def response_submitted(response: Response) -> dict:
    return ResponseSubmittedV1().dump(
        {
            "response_id": response.id,
            "round_id": response.round_id,
            "rater_id": response.rater_id,
            "ratee_id": response.ratee_id,
            "rater_group": response.rater_group,
            "scores": response.scores,
            "revision": response.revision,
        }
    )
