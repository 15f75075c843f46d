"""HTTP routes of the feedback service: translate HTTP to the commands and back."""

from __future__ import annotations

from datetime import date

from flask_smorest import Blueprint

from kinerja import access, personal_data
from kinerja.access import Action
from kinerja.auth import current_principal, requires
from kinerja.personal_data import PersonalDataOut, PurgeIn, PurgeOut
from kinerja.web import service_context
from services.feedback import commands, queries, retention, store
from services.feedback.domain import Dimension, Framework, Round
from services.feedback.schemas import (
    AnswerIn,
    AssignmentIn,
    AssignmentOut,
    CompletionOut,
    DecisionIn,
    DeclineIn,
    FrameworkIn,
    FrameworkOut,
    NominationIn,
    ReminderOut,
    ReminderQuery,
    ResultsOut,
    RoundIn,
    RoundOut,
)

blp = Blueprint("feedback", __name__, url_prefix="/api/v1", description="360 feedback")

ROUND = "/rounds/<string:round_id>"
ASSIGNMENT = f"{ROUND}/assignments/<string:response_id>"


def today() -> date:
    """The service's notion of today (one place, so tests can move it)."""
    return date.today()


@blp.route("/frameworks", methods=["GET"])
@blp.response(200, FrameworkOut(many=True))
@requires()
def list_frameworks():
    """Competency frameworks, each at its latest version."""
    return store.frameworks(service_context().db)


@blp.route("/frameworks", methods=["POST"])
@blp.arguments(FrameworkIn)
@blp.response(201, FrameworkOut)
@requires("hr")
def save_framework(payload: dict):
    """Define a framework, or the next version of one (earlier rounds keep theirs)."""
    dimensions = tuple(Dimension(**d) for d in payload.pop("dimensions"))
    draft = Framework(version=0, dimensions=dimensions, **payload)
    actor = current_principal().actor
    return service_context().uow(lambda tx: commands.create_framework(tx, draft, actor))


@blp.route("/rounds", methods=["GET"])
@blp.response(200, RoundOut(many=True))
@requires()
def list_rounds():
    return store.rounds(service_context().db)


@blp.route("/rounds", methods=["POST"])
@blp.arguments(RoundIn)
@blp.response(201, RoundOut)
@requires("hr")
def open_round(payload: dict):
    """Open a round: assignments come from the org chart (superior, peers, subordinates, self)."""
    unit_id = payload.pop("unit_id")
    draft = Round(framework_version=0, **payload)
    actor = current_principal().actor
    round_, _ = service_context().uow(lambda tx: commands.open_round(tx, draft, unit_id, actor))
    return round_


@blp.route(f"{ROUND}/close", methods=["POST"])
@blp.response(200, RoundOut)
@requires("hr")
def close_round(round_id: str):
    """Close a round: responses freeze and results become visible."""
    actor = current_principal().actor
    return service_context().uow(lambda tx: commands.close_round(tx, round_id, actor))


@blp.route(f"{ROUND}/assignments", methods=["GET"])
@blp.response(200, AssignmentOut(many=True))
@requires("hr")
def list_assignments(round_id: str):
    """Every assignment of the round, with its state (HR only: it names raters)."""
    return queries.assignments(service_context().db, round_id)


@blp.route(f"{ROUND}/assignments", methods=["POST"])
@blp.arguments(AssignmentIn)
@blp.response(201, AssignmentOut)
@requires("hr")
def add_assignment(payload: dict, round_id: str):
    """Add a pair by hand; a repeat, also one sent at the same time, is 409 `already_assigned`."""
    actor = current_principal().actor
    response = service_context().uow(
        lambda tx: commands.add_assignment(tx, round_id, actor=actor, **payload)
    )
    return queries.assignment(service_context().db, response, with_answer=False)


@blp.route(ASSIGNMENT, methods=["DELETE"])
@blp.response(200, AssignmentOut)
@requires("hr")
def remove_assignment(round_id: str, response_id: str):
    """Take an assignment out; removing it again answers the same and publishes nothing."""
    actor = current_principal().actor
    response = service_context().uow(
        lambda tx: commands.remove_assignment(tx, round_id, response_id, actor)
    )
    return queries.assignment(service_context().db, response, with_answer=False)


@blp.route(f"{ROUND}/nominations", methods=["POST"])
@blp.arguments(NominationIn)
@blp.response(201, AssignmentOut)
@requires("employee")
def nominate_peer(payload: dict, round_id: str):
    """Ask an active colleague to rate me as a peer in a round that rates me (403
    `not_a_ratee` otherwise); my supervisor approves."""
    ratee = current_principal().subject
    response = service_context().uow(
        lambda tx: commands.nominate_peer(tx, round_id, ratee, payload["peer"])
    )
    return queries.assignment(service_context().db, response, with_answer=False)


@blp.route(f"{ROUND}/nominations/<string:response_id>/decision", methods=["POST"])
@blp.arguments(DecisionIn)
@blp.response(200, AssignmentOut)
@requires("supervisor")
def decide_nomination(payload: dict, round_id: str, response_id: str):
    supervisor = current_principal().subject
    response = service_context().uow(
        lambda tx: commands.decide_nomination(
            tx, round_id, response_id, payload["approve"], supervisor
        )
    )
    return queries.assignment(service_context().db, response, with_answer=False)


@blp.route(f"{ROUND}/my-assignments", methods=["GET"])
@blp.response(200, AssignmentOut(many=True))
@requires("employee")
def my_assignments(round_id: str):
    """The ratings I am asked to give, with the dimensions and anchors for each ratee."""
    rater = current_principal().subject
    return queries.assignments_of_rater(service_context().db, round_id, rater)


def _answer(action: str):
    def handle(payload: dict, round_id: str, response_id: str):
        rater = current_principal().subject
        response = service_context().uow(
            lambda tx: commands.answer(tx, round_id, response_id, rater, action, **payload)
        )
        return queries.assignment(service_context().db, response, with_answer=True)

    return handle


@blp.route(f"{ASSIGNMENT}/draft", methods=["PUT"])
@blp.arguments(AnswerIn)
@blp.response(200, AssignmentOut)
@requires("employee")
def save_draft(payload: dict, round_id: str, response_id: str):
    """Keep a partial answer for later."""
    return _answer("draft")(payload, round_id, response_id)


@blp.route(f"{ASSIGNMENT}/submit", methods=["POST"])
@blp.arguments(AnswerIn)
@blp.response(200, AssignmentOut)
@requires("employee")
def submit_response(payload: dict, round_id: str, response_id: str):
    """Submit a score for every dimension (once; change it later with a revision)."""
    return _answer("submit")(payload, round_id, response_id)


@blp.route(f"{ASSIGNMENT}/response", methods=["PUT"])
@blp.arguments(AnswerIn)
@blp.response(200, AssignmentOut)
@requires("employee")
def revise_response(payload: dict, round_id: str, response_id: str):
    """Revise a submitted response while the round is open."""
    return _answer("revise")(payload, round_id, response_id)


@blp.route(f"{ASSIGNMENT}/decline", methods=["POST"])
@blp.arguments(DeclineIn)
@blp.response(200, AssignmentOut)
@requires("employee")
def decline(payload: dict, round_id: str, response_id: str):
    """Decline to rate, with the reason (a conflict of interest, say)."""
    return _answer("decline")(payload, round_id, response_id)


@blp.route(f"{ROUND}/completion", methods=["GET"])
@blp.response(200, CompletionOut)
@requires("supervisor", "hr")
def completion(round_id: str):
    """Response rates by round, ratee, rater and unit. A supervisor sees their reports',
    with peers' and subordinates' answers counted in whole steps of the anonymity floor
    and no rater listed for them, so two reads never tell who rated whom."""
    return queries.completion(service_context().db, round_id, current_principal())


@blp.route(f"{ROUND}/reminders", methods=["GET"])
@blp.arguments(ReminderQuery, location="query")
@blp.response(200, ReminderOut(many=True))
@requires("hr")
def reminders(query: dict, round_id: str):
    """Raters with ratings still to give, once the deadline is near."""
    return queries.reminders(service_context().db, round_id, today(), query["within_days"])


@blp.route(f"{ROUND}/results/<string:ratee>", methods=["GET"])
@blp.response(200, ResultsOut)
@requires()
def ratee_results(round_id: str, ratee: str):
    """A ratee's results: aggregates per dimension and rater group, anonymous, after closing."""
    db = service_context().db
    access.ensure(db, current_principal(), ratee, Action.SEE)
    return queries.ratee_results(db, round_id, ratee)


@blp.route("/personal-data/<string:nip>", methods=["GET"])
@blp.response(200, PersonalDataOut)
@requires()
def personal_data_export(nip: str):
    """Everything this service holds about me (results about me in aggregate only), and
    who else read my records here."""
    db = service_context().db
    access.ensure(db, current_principal(), nip, Action.EXPORT_OWN_DATA)
    return personal_data.export(db, "feedback", nip, queries.personal_data(db, nip))


@blp.route("/retention/purge", methods=["POST"])
@blp.arguments(PurgeIn)
@blp.response(200, PurgeOut)
@requires("hr")
def retention_purge(payload: dict):
    """Retention: raw responses of closed rounds whose cycle ended before the cut-off,
    counted (dry run) or deleted with their aggregates kept; audited, no events."""
    actor = current_principal().actor
    cut_off, dry_run = payload["cut_off"], payload["dry_run"]
    return service_context().uow(
        lambda tx: retention.purge_closed_rounds(tx, cut_off, dry_run, actor)
    )
