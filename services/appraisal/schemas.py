"""The appraisal API's contract."""

from marshmallow import Schema, fields


class RatingsSummaryOut(Schema):
    round_id = fields.String()
    ratee_id = fields.String()
    responses = fields.Integer()
    by_group = fields.Dict(keys=fields.String(), values=fields.Integer())
    mean_by_dimension = fields.Dict(keys=fields.String(), values=fields.Float())


class GroupOut(Schema):
    raters = fields.Integer()
    counted = fields.Boolean()
    weight = fields.Float(metadata={"description": "effective weight after renormalization"})
    mean_raw = fields.Float(allow_none=True)
    mean_adjusted = fields.Float(allow_none=True)


class ProvisionalScoreOut(Schema):
    nip = fields.String()
    cycle = fields.String()
    skp_score = fields.Float(allow_none=True)
    skp_complete = fields.Boolean()
    behaviour_score = fields.Float(allow_none=True)
    dimensions = fields.Dict(keys=fields.String(), values=fields.Float())
    groups = fields.Dict(keys=fields.String(), values=fields.Nested(GroupOut))
    reliability = fields.Float(allow_none=True)
    standard_error = fields.Float(allow_none=True)
    flags = fields.List(fields.String())
    final_score = fields.Float(allow_none=True)
    predicate = fields.String(allow_none=True)
