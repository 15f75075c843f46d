"""The appraisal API's contract."""

from marshmallow import Schema, fields, validate


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
    finalized = fields.Dict(allow_none=True, metadata={"description": "the locked record"})


class ObjectionIn(Schema):
    reason = fields.String(required=True, validate=validate.Length(min=1, max=4000))


class ObjectionDecisionIn(Schema):
    final_score = fields.Decimal(
        load_default=None,
        allow_none=True,
        allow_nan=False,
        metadata={"description": "the changed score; leave out to confirm"},
    )
    reason = fields.String(required=True, validate=validate.Length(min=1, max=4000))


class FinalScoreOut(Schema):
    nip = fields.String()
    cycle = fields.String()
    skp_score = fields.Float()
    behaviour_score = fields.Float()
    final_score = fields.Float()
    predicate = fields.String()
    finalized_by = fields.String()
    finalized_on = fields.Date()
    objection = fields.Dict(allow_none=True)
