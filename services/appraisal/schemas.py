"""The appraisal API's contract.

Scales and the regulation's rules (0-100, the fixed 60/40 split, reasons of 20 characters)
are the domain's, refused there by field name; these schemas bound shape and size. What
of a score each reader sees is decided in queries.py, not here.
"""

from marshmallow import Schema, fields, validate

from kinerja import fields as kit
from services.appraisal.decisions import ADOPTED, OWN_SCORES
from services.appraisal.domain import DEFAULT_SKP_SHARE
from services.appraisal.schemes import POSITION_KINDS

# A score a person decides is written to 2 places (86.25), like every score shown; its
# 0-100 scale is the domain's rule (decisions.on_scale), refused by name: the bound here
# only keeps it a number the domain can compare and MongoDB store.
SCORE_PLACES, SCORE_SIZE = 2, 1000


def decided_score(**kwargs) -> kit.Decimal:
    """A score typed by a supervisor or a superior: 2 places, within SCORE_SIZE."""
    return kit.Decimal(places=SCORE_PLACES, maximum=SCORE_SIZE, **kwargs)


class RatingsSummaryOut(Schema):
    """HR's check of what arrived from the feedback service for a ratee: counts and plain
    means, not anonymized and before any round-closing rule."""

    round_id = fields.String()
    ratee_id = fields.String()
    responses = fields.Integer()
    by_group = fields.Dict(keys=fields.String(), values=fields.Integer())
    mean_by_dimension = fields.Dict(keys=fields.String(), values=fields.Float())


class GroupOut(Schema):
    """One rater group's part in a behaviour score (the breakdown: for the supervisor,
    their superior and HR)."""

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
    """The locked appraisal. After a decided objection final_score and predicate are the
    decision's; objection holds the filing, then its outcome."""

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
    """A score as its reader may see it. Without the breakdown (the employee themselves),
    groups is empty, flags [], and reliability, standard_error and effective_raters null;
    once finalized, final_score and predicate are the locked ones."""

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
    """HR's filter; a supervisor's list is only ever their direct reports, within unit_id
    when it is given."""

    unit_id = fields.String(metadata={"description": "HR: one unit only"})


class ObjectionIn(Schema):
    """The employee's objection (keberatan); the domain asks 20 characters of reason."""

    reason = fields.String(required=True, validate=validate.Length(min=1, max=4000))


class ObjectionDecisionIn(Schema):
    """The superior's decision on an objection: no final_score confirms the score; reasons
    of 20 characters or more (domain.decide_objection)."""

    final_score = decided_score(
        load_default=None,
        allow_none=True,
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
        values=decided_score(),
        load_default=None,
        metadata={"description": "own_scores: every aspect of the proposal, 0-100"},
    )
    reason = fields.String(load_default=None, validate=validate.Length(max=4000))


class BehaviourDecisionOut(Schema):
    """A behaviour decision with both numbers. current false: a recompute has moved the
    proposal since, and finalization will ask for a new decision."""

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
    """One supervisor's departures from the proposals over a cycle, for HR's calibration."""

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
    """GET /cycles/<cycle>/supervisor-decisions (HR)."""

    cycle = fields.String()
    supervisors = fields.List(fields.Nested(SupervisorDecisionsOut))


# --- weighting schemes ----------------------------------------------------------------------


def _weight():
    # a group left out weighs 0; self must stay 0 (the domain refuses any other value)
    return kit.Float(load_default=0.0, minimum=0, maximum=1)


def _minimum():
    # 1-20 here; below a group's anonymity floor (kinerja.anonymity) the domain refuses it
    return kit.Integer(minimum=1, maximum=20, strict=True)


class WeightsIn(Schema):
    """HR's weight per rater group, 0 to 1 each; the superior's must be above 0."""

    superior = _weight()
    peer = _weight()
    subordinate = _weight()
    self = _weight()


class MinRatersIn(Schema):
    """The fewest raters a group needs to count; a group left out gets the default floor
    again, not the scheme's current value (schemes.draft)."""

    superior = _minimum()
    peer = _minimum()
    subordinate = _minimum()


class SchemeIn(Schema):
    """A weighting scheme as HR edits it; `version` is the version the edit starts from."""

    version = kit.Integer(
        required=True,
        strict=True,
        minimum=0,
        metadata={"description": "the current version (0 for a new scheme); a stale one is 409"},
    )
    name = fields.String(required=True, validate=validate.Length(min=1, max=200))
    weights = fields.Nested(WeightsIn, required=True)
    min_raters = fields.Nested(MinRatersIn, load_default=dict)
    bias_correction = fields.Boolean(load_default=True)
    skp_share = kit.Float(
        load_default=float(DEFAULT_SKP_SHARE),
        # a share is 0 to 1; fixed at 0.6 by the regulation: the scheme's rules refuse any
        # other value, by name
        minimum=0,
        maximum=1,
        metadata={"description": "fixed at 0.6 by PP 46/2011 (60 % SKP, 40 % behaviour)"},
    )
    unit_ids = fields.List(
        fields.String(validate=validate.Length(min=1, max=64)), load_default=list
    )
    position_kinds = fields.List(
        fields.String(validate=validate.OneOf(POSITION_KINDS)), load_default=list
    )


class PreviewQuery(Schema):
    """The cycle a scheme preview recomputes."""

    cycle = fields.String(required=True, validate=validate.Length(min=1, max=32))


class VersionQuery(Schema):
    """DELETE /schemes/<id>?version=: the version the retirement starts from; a stale
    one is 409."""

    version = kit.Integer(required=True, minimum=1)


class SchemeOut(Schema):
    """A scheme version; ref (`<id>@v<version>`) is how every score names the scheme
    it was computed with."""

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
    """How one employee's score and predicate would move under the previewed scheme."""

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
    """The preview in figures: how many scores and predicates would move, and how many
    finalized ones it will not touch."""

    employees = fields.Integer()
    scores_changed = fields.Integer()
    predicates_changed = fields.Integer()
    largest_change = fields.Float()
    locked = fields.Integer()


class PreviewOut(Schema):
    """POST /schemes/<id>/preview: what saving the scheme would do to a cycle; nothing is
    stored."""

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
    """GET .../report: the 360 picture for the employee, published once every round of the
    cycle has closed; a group below its anonymity threshold is left out entirely."""

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
    """A bin of final scores from `from` up; `from` is a Python keyword, hence from_."""

    from_ = fields.Integer(data_key="from", attribute="from")
    count = fields.Integer()


class MemberOut(Schema):
    """One member of a unit's distribution; final_score is the locked one once finalized."""

    nip = fields.String()
    name = fields.String()
    final_score = fields.Float(allow_none=True)
    predicate = fields.String(allow_none=True)
    finalized = fields.Boolean()
    reliability = fields.Float(allow_none=True)
    flags = fields.List(fields.String())


class DistributionOut(Schema):
    """A unit's spread of final scores and predicates for calibration (a supervisor of the
    unit, and HR)."""

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
    """HR's figures on how far the cycle's raters agree, before (raw) and after (adjusted)
    the bias correction; every rating received counts, open rounds' too."""

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
