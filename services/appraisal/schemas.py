"""The appraisal API's contract."""

from marshmallow import Schema, fields, validate

from services.appraisal.decisions import ADOPTED, OWN_SCORES
from services.appraisal.domain import DEFAULT_SKP_SHARE
from services.appraisal.schemes import POSITION_KINDS


class RatingsSummaryOut(Schema):
    round_id = fields.String()
    ratee_id = fields.String()
    responses = fields.Integer()
    by_group = fields.Dict(keys=fields.String(), values=fields.Integer())
    mean_by_dimension = fields.Dict(keys=fields.String(), values=fields.Float())


class GroupOut(Schema):
    raters = fields.Integer()
    counted = fields.Boolean()
    weight = fields.Float(
        metadata={"description": "HR's weight, renormalized over the groups that count"}
    )
    effective_weight = fields.Float(
        allow_none=True,
        metadata={
            "description": "the share the group's mean really has in the score: its policy "
            "weight as far as its view really differs from the others' (σ²_p), the rest "
            "spread over all counted raters alike; 0 when it does not count"
        },
    )
    mean_raw = fields.Float(allow_none=True)
    mean_adjusted = fields.Float(allow_none=True)


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


class ProvisionalScoreOut(Schema):
    nip = fields.String()
    cycle = fields.String()
    name = fields.String(metadata={"description": "from the directory"})
    unit_id = fields.String(allow_none=True)
    skp_score = fields.Float(allow_none=True)
    skp_complete = fields.Boolean()
    skp_share = fields.Float(metadata={"description": "the SKP part of the final score, 0–1"})
    behaviour_score = fields.Float(allow_none=True)
    dimensions = fields.Dict(keys=fields.String(), values=fields.Float())
    groups = fields.Dict(keys=fields.String(), values=fields.Nested(GroupOut))
    reliability = fields.Float(allow_none=True)
    standard_error = fields.Float(allow_none=True)
    effective_raters = fields.Float(allow_none=True)
    flags = fields.List(fields.String())
    final_score = fields.Float(
        allow_none=True, metadata={"description": "only once every input is complete"}
    )
    predicate = fields.String(allow_none=True)
    skp_prorated_to = fields.String(
        allow_none=True,
        metadata={"description": "during the year: the date the SKP's targets are pro-rated to"},
    )
    provisional_final_score = fields.Float(
        allow_none=True,
        metadata={"description": "before the SKP is complete: the same shares, no predicate"},
    )
    scheme = fields.String(metadata={"description": "the weighting scheme version used"})
    code_version = fields.String()
    pending = fields.Boolean(metadata={"description": "inputs changed; a recompute is due"})
    computed_at = fields.String(allow_none=True)
    finalized = fields.Nested(
        FinalScoreOut, allow_none=True, metadata={"description": "the locked record"}
    )
    decision = fields.Nested(
        lambda: BehaviourDecisionOut(),
        allow_none=True,
        metadata={"description": "the supervisor's decision on the behaviour proposal"},
    )


class ScoreListQuery(Schema):
    unit_id = fields.String(metadata={"description": "HR: one unit only"})


class ObjectionIn(Schema):
    reason = fields.String(required=True, validate=validate.Length(min=1, max=4000))


class ObjectionDecisionIn(Schema):
    final_score = fields.Decimal(
        load_default=None,
        allow_none=True,
        allow_nan=False,
        # the 0-100 scale is the domain's rule (decisions.on_scale), refused by this name
        metadata={"description": "the changed score (0-100); leave out to confirm"},
    )
    reason = fields.String(required=True, validate=validate.Length(min=1, max=4000))


# --- the supervisor's behaviour decision ---------------------------------------------------


class BehaviourDecisionIn(Schema):
    """Adopt the proposal, or set your own aspect scores (a departure beyond 1.96 x the
    proposal's standard error needs a reason of at least 20 characters)."""

    kind = fields.String(required=True, validate=validate.OneOf((ADOPTED, OWN_SCORES)))
    scores = fields.Dict(
        keys=fields.String(validate=validate.Length(min=1, max=64)),
        # the scale is checked by the domain, which names each aspect as scores.<aspect>
        values=fields.Decimal(allow_nan=False),
        load_default=None,
        metadata={"description": "own_scores: every aspect of the proposal, 0-100"},
    )
    reason = fields.String(load_default=None, validate=validate.Length(max=4000))


class BehaviourDecisionOut(Schema):
    nip = fields.String()
    cycle = fields.String()
    kind = fields.String(metadata={"description": "adopted or own_scores"})
    proposed_score = fields.Float()
    proposed_dimensions = fields.Dict(keys=fields.String(), values=fields.Float())
    standard_error = fields.Float(allow_none=True, metadata={"description": "the proposal's"})
    behaviour_score = fields.Float(metadata={"description": "the decided behaviour score"})
    dimensions = fields.Dict(keys=fields.String(), values=fields.Float())
    departure = fields.Float(metadata={"description": "decided minus proposed"})
    beyond_uncertainty = fields.List(fields.String())
    reason = fields.String(allow_none=True)
    decided_by = fields.String()
    decided_at = fields.String()
    current = fields.Boolean(
        metadata={"description": "made on the proposal as it stands (false: decide again)"}
    )
    final_score = fields.Float(
        allow_none=True,
        metadata={"description": "the final score with the decided behaviour score"},
    )


class SupervisorDecisionsOut(Schema):
    supervisor = fields.String()
    name = fields.String()
    decisions = fields.Integer()
    adopted = fields.Integer()
    own_scores = fields.Integer()
    beyond_uncertainty = fields.Integer(metadata={"description": "beyond 1.96 x SE"})
    raised = fields.Integer()
    lowered = fields.Integer()
    mean_change = fields.Float(metadata={"description": "decided minus proposed, signed"})
    mean_absolute_change = fields.Float()
    largest_change = fields.Float()


class DecisionsReportOut(Schema):
    cycle = fields.String()
    supervisors = fields.List(fields.Nested(SupervisorDecisionsOut))


# --- weighting schemes ----------------------------------------------------------------------


def _weight():
    return fields.Float(load_default=0.0, validate=validate.Range(min=0, max=1), allow_nan=False)


def _minimum():
    return fields.Integer(validate=validate.Range(min=1, max=20), strict=True)


class WeightsIn(Schema):
    superior = _weight()
    peer = _weight()
    subordinate = _weight()
    self = _weight()


class MinRatersIn(Schema):
    superior = _minimum()
    peer = _minimum()
    subordinate = _minimum()


class SchemeIn(Schema):
    """A weighting scheme as HR edits it; `version` is the version the edit starts from."""

    version = fields.Integer(
        required=True,
        strict=True,
        validate=validate.Range(min=0),
        metadata={"description": "the current version (0 for a new scheme); a stale one is 409"},
    )
    name = fields.String(required=True, validate=validate.Length(min=1, max=200))
    weights = fields.Nested(WeightsIn, required=True)
    min_raters = fields.Nested(MinRatersIn, load_default=dict)
    bias_correction = fields.Boolean(load_default=True)
    skp_share = fields.Float(
        load_default=float(DEFAULT_SKP_SHARE),
        allow_nan=False,
        # fixed by the regulation: the scheme's rules refuse any other value, by name
        metadata={"description": "fixed at 0.6 by PP 46/2011 (60 % SKP, 40 % behaviour)"},
    )
    unit_ids = fields.List(
        fields.String(validate=validate.Length(min=1, max=64)), load_default=list
    )
    position_kinds = fields.List(
        fields.String(validate=validate.OneOf(POSITION_KINDS)), load_default=list
    )


class PreviewQuery(Schema):
    cycle = fields.String(required=True, validate=validate.Length(min=1, max=32))


class VersionQuery(Schema):
    version = fields.Integer(required=True, validate=validate.Range(min=1))


class SchemeOut(Schema):
    id = fields.String()
    ref = fields.String()
    version = fields.Integer()
    name = fields.String()
    weights = fields.Dict(keys=fields.String(), values=fields.Float())
    min_raters = fields.Dict(keys=fields.String(), values=fields.Integer())
    bias_correction = fields.Boolean()
    skp_share = fields.Float()
    unit_ids = fields.List(fields.String())
    position_kinds = fields.List(fields.String())
    updated_by = fields.String(allow_none=True)
    updated_at = fields.String(allow_none=True)


class MoveOut(Schema):
    nip = fields.String()
    name = fields.String()
    scheme_before = fields.String()
    scheme_after = fields.String()
    final_before = fields.Float(allow_none=True)
    final_after = fields.Float(allow_none=True)
    change = fields.Float(allow_none=True)
    predicate_before = fields.String(allow_none=True)
    predicate_after = fields.String(allow_none=True)
    locked = fields.Boolean(metadata={"description": "finalized: the change will not touch it"})


class PreviewSummaryOut(Schema):
    employees = fields.Integer()
    scores_changed = fields.Integer()
    predicates_changed = fields.Integer()
    largest_change = fields.Float()
    locked = fields.Integer()


class PreviewOut(Schema):
    cycle = fields.String()
    scheme = fields.Nested(SchemeOut)
    summary = fields.Nested(PreviewSummaryOut)
    effective_weights = fields.Dict(
        keys=fields.String(),
        values=fields.Float(),
        metadata={"description": "each group's weight as it counted, averaged over employees"},
    )
    moves = fields.List(fields.Nested(MoveOut))


# --- reports --------------------------------------------------------------------------------


class EmployeeReportOut(Schema):
    nip = fields.String()
    cycle = fields.String()
    dimensions = fields.List(fields.String())
    groups = fields.Dict(
        keys=fields.String(),
        values=fields.Dict(keys=fields.String(), values=fields.Float()),
        metadata={"description": "group → dimension → mean; groups below threshold left out"},
    )
    others = fields.Dict(keys=fields.String(), values=fields.Float())
    self = fields.Dict(keys=fields.String(), values=fields.Float())
    self_gap = fields.Dict(keys=fields.String(), values=fields.Float())
    strengths = fields.List(fields.String())
    development_areas = fields.List(fields.String())
    blind_spots = fields.List(fields.String())
    hidden_strengths = fields.List(fields.String())


class HistogramBinOut(Schema):
    from_ = fields.Integer(data_key="from", attribute="from")
    count = fields.Integer()


class MemberOut(Schema):
    nip = fields.String()
    name = fields.String()
    final_score = fields.Float(allow_none=True)
    predicate = fields.String(allow_none=True)
    finalized = fields.Boolean()
    reliability = fields.Float(allow_none=True)
    flags = fields.List(fields.String())


class DistributionOut(Schema):
    unit_id = fields.String()
    cycle = fields.String()
    employees = fields.Integer()
    scored = fields.Integer()
    mean = fields.Float(allow_none=True)
    sd = fields.Float(allow_none=True)
    predicates = fields.Dict(keys=fields.String(), values=fields.Integer())
    histogram = fields.List(fields.Nested(HistogramBinOut))
    members = fields.List(fields.Nested(MemberOut))


class CycleReliabilityOut(Schema):
    cycle = fields.String()
    ratees = fields.Integer()
    raters = fields.Integer()
    forms = fields.Integer()
    icc1_raw = fields.Float(allow_none=True, metadata={"description": "one rater's reliability"})
    icc1_adjusted = fields.Float(allow_none=True)
    reliability_of_mean_raw = fields.Float(allow_none=True)
    reliability_of_mean_adjusted = fields.Float(allow_none=True)
    alpha_raw = fields.Float(allow_none=True, metadata={"description": "Krippendorff, interval"})
    alpha_adjusted = fields.Float(allow_none=True)
    leniency_share = fields.Float(allow_none=True)
    predicates_changed = fields.Integer(
        allow_none=True, metadata={"description": "predicates the bias correction changed"}
    )
    low_reliability = fields.Integer()
    excluded_raters = fields.List(fields.String())
    components = fields.Integer()
    computed_for = fields.Integer()
