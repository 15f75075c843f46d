"""HTTP routes of the targets service: translate HTTP to the commands and back."""

from __future__ import annotations

from flask_smorest import Blueprint

from kinerja import access, personal_data
from kinerja.access import Action
from kinerja.auth import current_principal, requires
from kinerja.personal_data import PersonalDataOut
from kinerja.web import service_context
from services.targets import commands, domain, queries, scoring
from services.targets.domain import Achievement, ActivityTarget, Skp
from services.targets.schemas import (
    AchievementIn,
    ActivitiesIn,
    ConfirmRealizationIn,
    CycleQuery,
    DecisionIn,
    PreviewIn,
    PreviewOut,
    RealizationIn,
    RejectRealizationIn,
    ReturnIn,
    ScoreOut,
    SkpDraftIn,
    SkpOut,
    TeamMemberOut,
    VersionOut,
    WhatIfIn,
)

blp = Blueprint("skp", __name__, url_prefix="/api/v1", description="SKP work targets")

SKP = "/skps/<string:nip>/<string:cycle>"


def _out(skp: Skp) -> dict:
    return {
        "nip": skp.nip,
        "cycle": skp.cycle,
        "status": skp.status,
        "revision": skp.revision,
        "current": skp.current,
        "contract": skp.contract,
        "realization": skp.realization,
        "pending_realization": skp.pending,
        "realization_bound": _bound(),
        "achievements": skp.achievements,
    }


def _bound():
    return service_context().settings.realization_bound


def _as_owner(nip: str) -> None:
    """Only the employee drafts, submits and revises their own SKP."""
    access.ensure(service_context().db, current_principal(), nip, Action.ACT_AS_SELF)


def _run(work):
    return _out(service_context().uow(work))


@blp.route("/skps", methods=["POST"])
@blp.arguments(SkpDraftIn)
@blp.response(201, SkpOut)
@requires("employee")
def draft_skp(payload: dict):
    """Draft my SKP for a cycle."""
    nip = current_principal().subject
    activities = [ActivityTarget(**a) for a in payload["activities"]]
    return _run(lambda tx: commands.create_draft(tx, nip, payload["cycle"], activities))


@blp.route(SKP, methods=["GET"])
@blp.response(200, SkpOut)
@requires()
def get_skp(nip: str, cycle: str):
    """An SKP with its current version, the approved contract and the realization so far."""
    return _run(lambda tx: _visible(tx, nip, cycle))


@blp.route(f"{SKP}/versions", methods=["GET"])
@blp.response(200, VersionOut(many=True))
@requires()
def skp_versions(nip: str, cycle: str):
    """Every version of the SKP with its status and the supervisor's notes, oldest first."""
    skp = service_context().uow(lambda tx: _visible(tx, nip, cycle))
    return list(skp.versions)  # a tuple would read as (body, status)


@blp.route(f"{SKP}/draft", methods=["PUT"])
@blp.arguments(ActivitiesIn)
@blp.response(200, SkpOut)
@requires("employee")
def edit_draft(payload: dict, nip: str, cycle: str):
    """Replace the activities of my draft (or returned) SKP."""
    _as_owner(nip)
    activities = [ActivityTarget(**a) for a in payload["activities"]]
    return _run(lambda tx: commands.edit_draft(tx, nip, cycle, activities))


@blp.route(f"{SKP}/submit", methods=["POST"])
@blp.response(200, SkpOut)
@requires("employee")
def submit_skp(nip: str, cycle: str):
    """Send my SKP to my supervisor for approval."""
    _as_owner(nip)
    return _run(lambda tx: commands.submit(tx, nip, cycle))


@blp.route(f"{SKP}/approve", methods=["POST"])
@blp.response(200, SkpOut)
@requires("supervisor")
def approve_skp(nip: str, cycle: str):
    """Approve a report's SKP: it becomes the year's contract."""
    supervisor = current_principal().subject
    return _run(lambda tx: commands.approve(tx, nip, cycle, supervisor))


@blp.route(f"{SKP}/return", methods=["POST"])
@blp.arguments(ReturnIn)
@blp.response(200, SkpOut)
@requires("supervisor")
def return_skp(payload: dict, nip: str, cycle: str):
    """Return a report's SKP with notes on what to change."""
    supervisor = current_principal().subject
    return _run(
        lambda tx: commands.return_for_changes(tx, nip, cycle, supervisor, payload["notes"])
    )


@blp.route(f"{SKP}/revisions", methods=["POST"])
@blp.response(201, SkpOut)
@requires("employee")
def revise_skp(nip: str, cycle: str):
    """Start a new version of my approved SKP; it needs approval again."""
    _as_owner(nip)
    return _run(lambda tx: commands.start_revision(tx, nip, cycle))


@blp.route(f"{SKP}/activities/<string:activity_id>/realization", methods=["PATCH"])
@blp.arguments(RealizationIn)
@blp.response(200, SkpOut)
@requires()
def record_realization(changes: dict, nip: str, cycle: str, activity_id: str):
    """Record realization: the supervisor's counts at once; mine waits for my supervisor's
    confirmation. Quality by the supervisor; quantity only without daily logs."""
    principal = current_principal()
    return _run(
        lambda tx: commands.record_realization(
            tx, nip, cycle, activity_id, changes, principal, _bound()
        )
    )


@blp.route(f"{SKP}/activities/<string:activity_id>/realization/confirm", methods=["POST"])
@blp.arguments(ConfirmRealizationIn)
@blp.response(200, SkpOut)
@requires("supervisor")
def confirm_realization(payload: dict, nip: str, cycle: str, activity_id: str):
    """Confirm a report's realization awaiting me: it counts from now on (audited)."""
    principal = current_principal()
    return _run(
        lambda tx: commands.confirm_realization(
            tx, nip, cycle, activity_id, principal, payload["reason"], _bound()
        )
    )


@blp.route(f"{SKP}/activities/<string:activity_id>/realization/reject", methods=["POST"])
@blp.arguments(RejectRealizationIn)
@blp.response(200, SkpOut)
@requires("supervisor")
def reject_realization(payload: dict, nip: str, cycle: str, activity_id: str):
    """Refuse a report's realization awaiting me, saying why (audited); nothing counts."""
    principal = current_principal()
    return _run(
        lambda tx: commands.reject_realization(
            tx, nip, cycle, activity_id, principal, payload["reason"]
        )
    )


@blp.route(f"{SKP}/extra-tasks", methods=["POST"])
@blp.arguments(AchievementIn)
@blp.response(201, SkpOut)
@requires("employee")
def propose_extra_task(payload: dict, nip: str, cycle: str):
    """Record an extra task (tugas tambahan) with its evidence, for the supervisor to approve."""
    return _propose(nip, cycle, payload, "extra_task")


@blp.route(f"{SKP}/creativity", methods=["POST"])
@blp.arguments(AchievementIn)
@blp.response(201, SkpOut)
@requires("employee")
def propose_creativity(payload: dict, nip: str, cycle: str):
    """Record a creativity (kreativitas) with its level and evidence."""
    return _propose(nip, cycle, payload, "creativity")


def _propose(nip: str, cycle: str, payload: dict, kind: str):
    _as_owner(nip)
    achievement = Achievement(kind=kind, **payload)
    return _run(lambda tx: commands.propose_achievement(tx, nip, cycle, achievement))


@blp.route(f"{SKP}/achievements/<string:achievement_id>/decision", methods=["POST"])
@blp.arguments(DecisionIn)
@blp.response(200, SkpOut)
@requires("supervisor")
def decide_achievement(payload: dict, nip: str, cycle: str, achievement_id: str):
    """Approve or reject a report's extra task or creativity."""
    supervisor = current_principal().subject
    return _run(
        lambda tx: commands.decide_achievement(
            tx, nip, cycle, achievement_id, payload["approve"], supervisor
        )
    )


@blp.route(f"{SKP}/score", methods=["GET"])
@blp.response(200, ScoreOut)
@requires()
def skp_score(nip: str, cycle: str):
    """The SKP score with its breakdown per activity and aspect (PP 46/2011)."""
    skp = service_context().uow(lambda tx: _visible(tx, nip, cycle))
    return queries.score_view(skp, domain.score(skp, as_of=commands.today()))


@blp.route(f"{SKP}/what-if", methods=["POST"])
@blp.arguments(WhatIfIn)
@blp.response(200, ScoreOut)
@requires()
def what_if(payload: dict, nip: str, cycle: str):
    """The score if the given realization came true; nothing is stored."""
    skp = service_context().uow(lambda tx: _visible(tx, nip, cycle))
    for activity_id in payload["activities"]:
        skp.activity(activity_id)  # 404 for an activity not in the contract
    breakdown = domain.score(
        skp,
        payload["activities"],
        payload["extra_tasks"],
        payload["creativity"],
        as_of=commands.today(),
    )
    return queries.score_view(skp, breakdown)


@blp.route("/teams/<string:supervisor_nip>/skps", methods=["GET"])
@blp.arguments(CycleQuery, location="query")
@blp.response(200, TeamMemberOut(many=True))
@requires()
def team_status(query: dict, supervisor_nip: str):
    """Each direct report's SKP status for a cycle, at a glance."""
    db = service_context().db
    access.ensure(db, current_principal(), supervisor_nip, Action.SEE_TEAM)
    return queries.team_status(db, supervisor_nip, query["cycle"])


@blp.route("/score-preview", methods=["POST"])
@blp.arguments(PreviewIn)
@blp.response(200, PreviewOut)
@requires()
def score_preview(document: dict):
    """Score a posted SKP without storing it (the same contract as `kinerja skp score`)."""
    return scoring.score_document(document)


def _visible(tx, nip: str, cycle: str) -> Skp:
    access.ensure(tx, current_principal(), nip, Action.SEE)
    return commands.existing(tx, nip, cycle)


@blp.route("/personal-data/<string:nip>", methods=["GET"])
@blp.response(200, PersonalDataOut)
@requires()
def personal_data_export(nip: str):
    """Everything this service holds about me, and who else read my records here."""
    db = service_context().db
    access.ensure(db, current_principal(), nip, Action.EXPORT_OWN_DATA)
    return personal_data.export(db, "targets", nip, queries.personal_data(db, nip))
