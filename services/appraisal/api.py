"""HTTP routes of the appraisal service."""

from __future__ import annotations

import re
from dataclasses import asdict
from datetime import UTC, date, datetime

from flask import Response
from flask_smorest import Blueprint

from kinerja import access, directory_replica
from kinerja.access import Action
from kinerja.anonymity import ANONYMOUS_GROUPS
from kinerja.auth import current_principal, requires
from kinerja.errors import Conflict, NotFound, ValidationFailed
from kinerja.web import service_context
from services.appraisal import commands, decisions, domain, reports, schemes, store
from services.appraisal.provisional import ProvisionalScore
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
    summary = domain.summarize(store.ratings_for(service_context().db, round_id, ratee_id))
    return {"round_id": round_id, "ratee_id": ratee_id, **summary.__dict__}


SCORE = "/cycles/<string:cycle>/scores/<string:nip>"


def today() -> date:
    """The service's notion of today (one place, so tests can move it)."""
    return date.today()


def _score_view(
    score: ProvisionalScore,
    full_view: bool,
    state: dict | None,
    name: str,
    locked: domain.FinalScore | None,
    decision: decisions.BehaviourDecision | None = None,
) -> dict:
    """A stored score as its reader may see it, the locked record laid over it."""
    state = state or {}
    out = {
        **asdict(score),
        "name": name,
        "groups": _visible_groups(score.groups) if full_view else {},
        "pending": bool(state.get("dirty")),
        "computed_at": state.get("computed_at"),
        "finalized": None,
        "decision": _decision_view(decision, score, full_view) if decision else None,
    }
    if not current_principal().has_any(["hr"]):  # a supervisor learns of no rater by name
        out["flags"] = reports.anonymous_flags(score.flags)
    if not full_view:
        out.update(reliability=None, standard_error=None, effective_raters=None, flags=[])
    if locked is not None:
        out.update(
            final_score=locked.final_score,
            predicate=locked.predicate,
            finalized=commands.as_dict(locked),
        )
    return out


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
    db = service_context().db
    full_view = _sees_breakdown(db, nip)
    score = store.find_score(db, nip, cycle)
    if score is None:
        raise NotFound("no score yet: no SKP score and no 360 rating in this cycle")
    name = (directory_replica.find_employee(db, nip) or {}).get("name", "")
    state = store.cycle_state(db, cycle)
    locked, decision = store.find_final(db, nip, cycle), store.find_decision(db, nip, cycle)
    return _score_view(score, full_view, state, name, locked, decision)


@blp.route("/cycles/<string:cycle>/scores", methods=["GET"])
@blp.arguments(ScoreListQuery, location="query")
@blp.response(200, ProvisionalScoreOut(many=True))
@requires("supervisor", "hr")
def list_scores(query: dict, cycle: str):
    """HR: every score of the cycle (or of one unit); a supervisor: their direct reports'."""
    db = service_context().db
    principal = current_principal()
    scores = store.scores_of(db, cycle, query.get("unit_id"))
    if not principal.has_any(["hr"]):
        reports = {e["nip"] for e in directory_replica.direct_reports(db, principal.subject)}
        scores = [s for s in scores if s.nip in reports]
    # one read each of the names, the locked records and the cycle, not one per score
    state, names, finals, decided = (
        store.cycle_state(db, cycle),
        commands.names(db),
        store.finals_of(db, cycle),
        store.decisions_of(db, cycle),
    )
    return [
        _score_view(s, True, state, names.get(s.nip, ""), finals.get(s.nip), decided.get(s.nip))
        for s in scores
    ]


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
@requires("supervisor")
def decide_objection(payload: dict, cycle: str, nip: str):
    """The supervisor's superior confirms or changes the score, with written reasons."""
    caller = current_principal().subject
    score = service_context().uow(
        lambda tx: commands.decide_objection(
            tx, cycle, nip, caller, payload["final_score"], payload["reason"], today()
        )
    )
    return commands.as_dict(score)


def _decision_view(
    decision: decisions.BehaviourDecision, score: ProvisionalScore | None, full_view: bool
) -> dict:
    """The decision with whether it was made on the proposal as it stands now."""
    current = score is not None and score.behaviour_score is not None
    current = current and decision.made_on(commands.proposal_of(score))
    skp = score.skp_score if score is not None else None
    final = (
        None if skp is None else domain.final_score(skp, decision.behaviour_score, score.skp_share)
    )
    out = {**decisions.as_record(decision), "current": current, "final_score": final}
    if not full_view:  # the employee's score view shows no standard error either
        out["standard_error"] = None
    return out


@blp.route(f"{SCORE}/decision", methods=["GET"])
@blp.response(200, BehaviourDecisionOut)
@requires()
def behaviour_decision(cycle: str, nip: str):
    """The supervisor's decision on the behaviour proposal: the employee reads their own,
    their supervisor, the supervisor's superior and HR read it too."""
    db = _db()
    full_view = _sees_breakdown(db, nip)
    decision = store.find_decision(db, nip, cycle)
    if decision is None:
        raise NotFound("no behaviour decision yet")
    return _decision_view(decision, store.find_score(db, nip, cycle), full_view)


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
    return _decision_view(decision, store.find_score(_db(), nip, cycle), True)


@blp.route("/cycles/<string:cycle>/supervisor-decisions", methods=["GET"])
@blp.response(200, DecisionsReportOut)
@requires("hr")
def decisions_report(cycle: str):
    """HR: per supervisor, how often and how far they depart from the proposals, which way."""
    return commands.decisions_report(_db(), cycle)


def _visible_groups(groups: dict) -> dict:
    """A peer or subordinate group that does not count shows its size, never its means."""
    visible = {}
    for name, group in groups.items():
        hidden = name in ANONYMOUS_GROUPS and not group["counted"]
        visible[name] = {
            **group,
            "mean_raw": None if hidden else group["mean_raw"],
            "mean_adjusted": None if hidden else group["mean_adjusted"],
        }
    return visible


# --- HR's weighting schemes -------------------------------------------------------------------

SCHEMES = "/schemes"


def _fields(payload: dict) -> dict:
    return {k: v for k, v in payload.items() if k != "version"}


@blp.route(SCHEMES, methods=["GET"])
@blp.response(200, SchemeOut(many=True))
@requires("hr")
def list_schemes():
    """Every scheme in force, the default first (built in until HR saves one)."""
    return [commands.scheme_json(s) for s in schemes.with_default(store.schemes(_db()))]


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
    return commands.scheme_json(scheme)


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
    return [commands.scheme_json(s) for s in store.scheme_history(_db(), scheme_id)]


@blp.route(f"{SCHEMES}/<string:scheme_id>/preview", methods=["POST"])
@blp.arguments(PreviewQuery, location="query")
@blp.arguments(SchemeIn)
@blp.response(200, PreviewOut)
@requires("hr")
def preview_scheme(query: dict, payload: dict, scheme_id: str):
    """How saving this scheme would move every score and predicate of a cycle; saves nothing."""
    db = _db()
    proposed = commands.proposed_scheme(db, scheme_id, _fields(payload))
    return commands.preview(db, query["cycle"], proposed)


# --- reports -------------------------------------------------------------------------------


@blp.route(f"{SCORE}/report", methods=["GET"])
@blp.response(200, EmployeeReportOut)
@requires()
def employee_report(cycle: str, nip: str):
    """Dimensions by rater group (the radar chart), self against others, strengths and
    blind spots; published once every 360 round of the cycle has closed."""
    db = _db()
    _sees_breakdown(db, nip)
    if not commands.results_published(db, cycle):
        raise Conflict(
            "results are published when the cycle's 360 rounds have closed",
            code="round_open",
        )
    score = store.find_score(db, nip, cycle)
    if score is None:
        raise NotFound("no score yet in this cycle")
    return reports.employee_report(score, commands.anonymity_thresholds(db, score))


@blp.route("/units/<string:unit_id>/cycles/<string:cycle>/distribution", methods=["GET"])
@blp.response(200, DistributionOut)
@requires("supervisor", "hr")
def unit_distribution(unit_id: str, cycle: str):
    """For calibration: the unit's spread of final scores and predicates, member by member.
    HR sees any unit; a supervisor their own."""
    db = _db()
    access.ensure_own_unit(db, current_principal(), unit_id, "the distribution")
    distribution = reports.unit_distribution(
        store.scores_of(db, cycle, unit_id), store.finals_of(db, cycle), commands.names(db)
    )
    return {"unit_id": unit_id, "cycle": cycle, **distribution}


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
    db = _db()
    body = reports.export_csv(
        store.scores_of(db, cycle), store.finals_of(db, cycle), commands.names(db)
    )
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
    return commands.cycle_reliability(_db(), cycle)


def _db():
    return service_context().db
