"""HTTP routes of the appraisal service: translate HTTP to the commands and queries."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime

from flask import Response
from flask_smorest import Blueprint

from kinerja import access, personal_data
from kinerja.access import Action
from kinerja.auth import current_principal, requires
from kinerja.errors import ValidationFailed
from kinerja.personal_data import PersonalDataOut, PurgeIn, PurgeOut
from kinerja.web import service_context
from services.appraisal import commands, decisions, queries, retention, schemes, store
from services.appraisal.adjustment import AdjustmentOut
from services.appraisal.schemas import (
    BehaviourDecisionIn,
    BehaviourDecisionOut,
    CycleReliabilityOut,
    DecisionsReportOut,
    DistributionOut,
    EmployeeReportOut,
    FinalScoreOut,
    ObjectionDecisionIn,
    ObjectionIn,
    PreviewOut,
    PreviewQuery,
    ProvisionalScoreOut,
    RatingsSummaryOut,
    SchemeIn,
    SchemeOut,
    ScoreListQuery,
    VersionQuery,
)

blp = Blueprint("ratings", __name__, url_prefix="/api/v1", description="Received 360 ratings")


@blp.route("/rounds/<string:round_id>/ratees/<string:ratee_id>/ratings", methods=["GET"])
@blp.response(200, RatingsSummaryOut)
@requires("hr")
def ratings_summary(round_id: str, ratee_id: str):
    """What the appraisal service has received for a ratee (HR only: not anonymized)."""
    return queries.ratings_summary(_db(), round_id, ratee_id)


SCORE = "/cycles/<string:cycle>/scores/<string:nip>"


def today() -> date:
    """The service's notion of today (one place, so tests can move it)."""
    return date.today()


def _sees_breakdown(db, nip: str) -> bool:
    """403 unless the caller may see the employee's scores (kinerja.access); True when
    they may also see how each was made."""
    found = access.ensure(db, current_principal(), nip, Action.SEE)
    return access.allows(found, Action.SEE_BREAKDOWN)


@blp.route(SCORE, methods=["GET"])
@blp.response(200, ProvisionalScoreOut)
@requires()
def provisional_score(cycle: str, nip: str):
    """The final score: SKP and bias-corrected behaviour under the employee's weighting
    scheme, and the predicate; provisional until the supervisor finalizes it, locked after.

    The employee's supervisor and HR see the breakdown; the employee sees the scores.
    """
    db = _db()
    return queries.score_of(db, nip, cycle, current_principal(), _sees_breakdown(db, nip))


@blp.route("/cycles/<string:cycle>/scores", methods=["GET"])
@blp.arguments(ScoreListQuery, location="query")
@blp.response(200, ProvisionalScoreOut(many=True))
@requires("supervisor", "hr")
def list_scores(query: dict, cycle: str):
    """HR: every score of the cycle (or of one unit); a supervisor: their direct reports'."""
    return queries.scores_of_cycle(_db(), cycle, query.get("unit_id"), current_principal())


@blp.route(f"{SCORE}/finalize", methods=["POST"])
@blp.response(200, FinalScoreOut)
@requires("supervisor")
def finalize(cycle: str, nip: str):
    """Lock a report's appraisal (audited); later changes go through an objection."""
    supervisor = current_principal().subject
    score = service_context().uow(lambda tx: commands.finalize(tx, cycle, nip, supervisor, today()))
    return commands.as_dict(score)


@blp.route(f"{SCORE}/objection", methods=["POST"])
@blp.arguments(ObjectionIn)
@blp.response(200, FinalScoreOut)
@requires("employee")
def object_to(payload: dict, cycle: str, nip: str):
    """Object to my finalized appraisal (keberatan), within 14 days."""
    caller = current_principal().subject
    score = service_context().uow(
        lambda tx: commands.object_to(tx, cycle, nip, caller, payload["reason"], today())
    )
    return commands.as_dict(score)


@blp.route(f"{SCORE}/objection/decision", methods=["POST"])
@blp.arguments(ObjectionDecisionIn)
@blp.response(200, FinalScoreOut)
@requires("supervisor", "hr")
def decide_objection(payload: dict, cycle: str, nip: str):
    """The supervisor's superior confirms or changes the score, with written reasons (HR in
    the superior's place when the supervisor has none)."""
    caller = current_principal()
    score = service_context().uow(
        lambda tx: commands.decide_objection(
            tx, cycle, nip, caller, payload["final_score"], payload["reason"], today()
        )
    )
    return commands.as_dict(score)


@blp.route(f"{SCORE}/decision", methods=["GET"])
@blp.response(200, BehaviourDecisionOut)
@requires()
def behaviour_decision(cycle: str, nip: str):
    """The supervisor's decision on the behaviour proposal: the employee reads their own,
    their supervisor, the supervisor's superior and HR read it too."""
    db = _db()
    return queries.decision_of(db, nip, cycle, _sees_breakdown(db, nip))


@blp.route(f"{SCORE}/decision", methods=["PUT"])
@blp.arguments(BehaviourDecisionIn)
@blp.response(200, BehaviourDecisionOut)
@requires("supervisor")
def decide_behaviour(payload: dict, cycle: str, nip: str):
    """The direct supervisor adopts the behaviour proposal or sets their own aspect scores
    (a departure beyond 1.96 x the proposal's standard error needs a written reason);
    changeable until finalization, audited."""
    supervisor = current_principal().subject
    own = payload["scores"] if payload["kind"] == decisions.OWN_SCORES else None
    if payload["kind"] == decisions.OWN_SCORES and not own:
        raise ValidationFailed("own scores need the aspects", {"scores": ["required"]})
    decision = service_context().uow(
        lambda tx: commands.decide_behaviour(
            tx, cycle, nip, supervisor, own, payload["reason"], datetime.now(UTC)
        )
    )
    return queries.decision_view(decision, store.find_score(_db(), nip, cycle), True)


@blp.route("/cycles/<string:cycle>/supervisor-decisions", methods=["GET"])
@blp.response(200, DecisionsReportOut)
@requires("hr")
def decisions_report(cycle: str):
    """HR: per supervisor, how often and how far they depart from the proposals, which way."""
    return queries.decisions_report(_db(), cycle)


# --- HR's weighting schemes -------------------------------------------------------------------

SCHEMES = "/schemes"


def _fields(payload: dict) -> dict:
    return {k: v for k, v in payload.items() if k != "version"}


@blp.route(SCHEMES, methods=["GET"])
@blp.response(200, SchemeOut(many=True))
@requires("hr")
def list_schemes():
    """Every scheme in force, the default first (built in until HR saves one)."""
    return queries.schemes_in_force(_db())


@blp.route(f"{SCHEMES}/<string:scheme_id>", methods=["PUT"])
@blp.arguments(SchemeIn)
@blp.response(200, SchemeOut)
@requires("hr")
def save_scheme(payload: dict, scheme_id: str):
    """Create or change a scheme (a new version, audited); every cycle is recomputed with it."""
    actor = current_principal().actor
    scheme = service_context().uow(
        lambda tx: commands.save_scheme(
            tx, scheme_id, _fields(payload), payload["version"], actor, datetime.now(UTC)
        )
    )
    return schemes.as_json(scheme)


@blp.route(f"{SCHEMES}/<string:scheme_id>", methods=["DELETE"])
@blp.arguments(VersionQuery, location="query")
@blp.response(204)
@requires("hr")
def retire_scheme(query: dict, scheme_id: str):
    """Retire a scheme; its units and position kinds fall back to the default."""
    actor = current_principal().actor
    service_context().uow(lambda tx: commands.retire_scheme(tx, scheme_id, query["version"], actor))


@blp.route(f"{SCHEMES}/<string:scheme_id>/versions", methods=["GET"])
@blp.response(200, SchemeOut(many=True))
@requires("hr")
def scheme_versions(scheme_id: str):
    """Every saved version of a scheme, newest first."""
    return queries.scheme_versions(_db(), scheme_id)


@blp.route(f"{SCHEMES}/<string:scheme_id>/preview", methods=["POST"])
@blp.arguments(PreviewQuery, location="query")
@blp.arguments(SchemeIn)
@blp.response(200, PreviewOut)
@requires("hr")
def preview_scheme(query: dict, payload: dict, scheme_id: str):
    """How saving this scheme would move every score and predicate of a cycle; saves nothing."""
    db = _db()
    proposed = commands.proposed_scheme(db, scheme_id, _fields(payload))
    return queries.preview(db, query["cycle"], proposed)


# --- reports -------------------------------------------------------------------------------


@blp.route(f"{SCORE}/report", methods=["GET"])
@blp.response(200, EmployeeReportOut)
@requires()
def employee_report(cycle: str, nip: str):
    """Dimensions by rater group (the radar chart), self against others, strengths and
    blind spots; published once every 360 round of the cycle has closed."""
    db = _db()
    _sees_breakdown(db, nip)
    return queries.employee_report(db, nip, cycle)


@blp.route("/units/<string:unit_id>/cycles/<string:cycle>/distribution", methods=["GET"])
@blp.response(200, DistributionOut)
@requires("supervisor", "hr")
def unit_distribution(unit_id: str, cycle: str):
    """For calibration: the unit's spread of final scores and predicates, member by member.
    HR sees any unit; a supervisor their own."""
    db = _db()
    access.ensure_own_unit(db, current_principal(), unit_id, "the distribution")
    return queries.unit_distribution(db, unit_id, cycle)


@blp.route("/cycles/<string:cycle>/export.csv", methods=["GET"])
@blp.doc(
    responses={
        "200": {
            "description": "one row per employee: scores, predicate, finalization, reliability",
            "content": {"text/csv": {"schema": {"type": "string"}}},
        }
    }
)
@requires("hr")
def export_scores(cycle: str):
    """HR's export of the cycle's scores as CSV (spreadsheet-safe)."""
    body = queries.export_csv(_db(), cycle)
    # the cycle comes from the path: no quote, newline or other byte a header can't hold
    filename = re.sub(r"[^A-Za-z0-9._-]", "_", cycle)
    return Response(
        body,
        mimetype="text/csv",
        headers={"Content-Disposition": f'attachment; filename="kinerja360-{filename}.csv"'},
    )


@blp.route("/cycles/<string:cycle>/reliability", methods=["GET"])
@blp.response(200, CycleReliabilityOut)
@requires("hr")
def cycle_reliability(cycle: str):
    """How far the cycle's ratings agree, before and after the bias correction, and how
    much of their variance is rater leniency."""
    return queries.cycle_reliability(_db(), cycle)


def _db():
    return service_context().db


@blp.route(f"{SCORE}/adjustment", methods=["GET"])
@blp.response(200, AdjustmentOut)
@requires()
def score_adjustment(cycle: str, nip: str):
    """What the bias correction did to the behaviour score (unadjusted, corrected, the
    difference, the method), beside the human decision: who decided the score, and when."""
    db = _db()
    access.ensure(db, current_principal(), nip, Action.SEE)
    return queries.adjustment_of(db, nip, cycle)


@blp.route("/personal-data/<string:nip>", methods=["GET"])
@blp.response(200, PersonalDataOut)
@requires()
def personal_data_export(nip: str):
    """Everything this service holds about me, as I may see it, and who else read my
    records here."""
    db = _db()
    access.ensure(db, current_principal(), nip, Action.EXPORT_OWN_DATA)
    records = queries.personal_data(db, nip, current_principal())
    return personal_data.export(db, "appraisal", nip, records)


@blp.route("/retention/purge", methods=["POST"])
@blp.arguments(PurgeIn)
@blp.response(200, PurgeOut)
@requires("hr")
def retention_purge(payload: dict):
    """Retention: this service's copies of raw ratings of closed rounds whose cycle ended
    before the cut-off, counted (dry run) or deleted; scores kept; audited, no events."""
    actor = current_principal().actor
    cut_off, dry_run = payload["cut_off"], payload["dry_run"]
    return service_context().uow(
        lambda tx: retention.purge_closed_rounds(tx, cut_off, dry_run, actor)
    )
