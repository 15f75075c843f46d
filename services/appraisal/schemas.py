"""The appraisal API's contract."""

from marshmallow import Schema, fields


class RatingsSummaryOut(Schema):
    round_id = fields.String()
    ratee_id = fields.String()
    responses = fields.Integer()
    by_group = fields.Dict(keys=fields.String(), values=fields.Integer())
    mean_by_dimension = fields.Dict(keys=fields.String(), values=fields.Float())
