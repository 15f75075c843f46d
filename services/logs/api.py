"""HTTP routes of the logs service: translate HTTP to the commands and back."""

from __future__ import annotations

from datetime import date

from flask_smorest import Blueprint

from kinerja import access, directory_replica
from kinerja.access import Action
from kinerja.auth import current_principal, requires
from kinerja.errors import AppError
from kinerja.web import service_context, uploaded_text
from services.logs import commands, domain, store, workload
from services.logs.schemas import (
    BulkVerifyIn,
    BulkVerifyOut,
    EntryIn,
    EntryOut,
    EntryPatch,
    EntryQuery,
    ImportFile,
    ImportReport,
    MonthQuery,
    RecapOut,
    RejectIn,
    ReopenIn,
    RulesIn,
    RulesOut,
    UnitLoadOut,
    WorkloadQuery,
    WorkloadSettingsIn,
    WorkloadSettingsOut,
)

blp = Blueprint("logs", __name__, url_prefix="/api/v1", description="Daily work logs")


def today() -> date:
    """The service's notion of today (one place, so tests can move it)."""
    return date.today()


def _month(text: str) -> tuple[date, date]:
    first = date(int(text[:4]), int(text[5:7]), 1)
    return first, domain.month_end(first)


@blp.route("/entries", methods=["POST"])
@blp.arguments(EntryIn)
@blp.response(201, EntryOut)
@requires("employee")
def write_entry(fields: dict):
    """Log a day's work against an activity of my approved SKP."""
    nip = current_principal().subject
    return service_context().uow(lambda tx: commands.write_entry(tx, nip, fields, today()))


@blp.route("/entries", methods=["GET"])
@blp.arguments(EntryQuery, location="query")
@blp.response(200, EntryOut(many=True))
@requires()
def list_entries(query: dict):
    """An employee's entries of a month (mine by default)."""
    principal = current_principal()
    nip = query.get("nip") or principal.subject
    db = service_context().db
    access.ensure(db, principal, nip, Action.SEE)
    first, last = _month(query["month"])
    return store.entries_of(db, nip, first, last, query.get("status"))


@blp.route("/entries/<string:entry_id>", methods=["PATCH"])
@blp.arguments(EntryPatch(partial=True))
@blp.response(200, EntryOut)
@requires("employee")
def edit_entry(changes: dict, entry_id: str):
    """Change my entry while it is not verified."""
    nip = current_principal().subject
    return service_context().uow(
        lambda tx: commands.edit_entry(tx, entry_id, changes, nip, today())
    )


@blp.route("/entries/<string:entry_id>", methods=["DELETE"])
@blp.response(200, EntryOut)
@requires("employee")
def withdraw_entry(entry_id: str):
    """Withdraw my entry while it is not verified."""
    nip = current_principal().subject
    return service_context().uow(lambda tx: commands.withdraw_entry(tx, entry_id, nip))


@blp.route("/verification-queue", methods=["GET"])
@blp.response(200, EntryOut(many=True))
@requires("supervisor")
def verification_queue():
    """My reports' entries waiting for verification, oldest first."""
    db = service_context().db
    reports = directory_replica.direct_reports(db, current_principal().subject)
    return store.pending_of(db, [r["nip"] for r in reports])


@blp.route("/entries/<string:entry_id>/verify", methods=["POST"])
@blp.response(200, EntryOut)
@requires("supervisor")
def verify_entry(entry_id: str):
    """Verify a report's entry: its output counts towards their SKP."""
    supervisor = current_principal().subject
    return service_context().uow(lambda tx: commands.verify_entry(tx, entry_id, supervisor))


@blp.route("/entries/verify", methods=["POST"])
@blp.arguments(BulkVerifyIn)
@blp.response(200, BulkVerifyOut)
@requires("supervisor")
def verify_many(payload: dict):
    """Verify many entries at once; each is its own decision, refusals are listed."""
    supervisor = current_principal().subject
    uow = service_context().uow
    verified, refused = [], {}
    for entry_id in dict.fromkeys(payload["entry_ids"]):
        try:
            uow(lambda tx, entry_id=entry_id: commands.verify_entry(tx, entry_id, supervisor))
            verified.append(entry_id)
        except AppError as exc:
            refused[entry_id] = exc.message
    return {"verified": verified, "refused": refused}


@blp.route("/entries/<string:entry_id>/reject", methods=["POST"])
@blp.arguments(RejectIn)
@blp.response(200, EntryOut)
@requires("supervisor")
def reject_entry(payload: dict, entry_id: str):
    """Send an entry back with the reason; the employee may fix and resubmit it."""
    supervisor = current_principal().subject
    return service_context().uow(
        lambda tx: commands.reject_entry(tx, entry_id, supervisor, payload["reason"])
    )


@blp.route("/entries/<string:entry_id>/revoke", methods=["POST"])
@blp.response(200, EntryOut)
@requires("supervisor")
def revoke_verification(entry_id: str):
    """Undo a verification: the output leaves the SKP's realization again."""
    supervisor = current_principal().subject
    return service_context().uow(lambda tx: commands.revoke_verification(tx, entry_id, supervisor))


@blp.route("/employees/<string:nip>/reopened-days", methods=["POST"])
@blp.arguments(ReopenIn)
@blp.response(204)
@requires("supervisor")
def reopen_day(payload: dict, nip: str):
    """Let a report log a day older than the rules allow."""
    supervisor = current_principal().subject
    service_context().uow(lambda tx: commands.reopen_day(tx, nip, payload["date"], supervisor))


@blp.route("/employees/<string:nip>/recap", methods=["GET"])
@blp.arguments(MonthQuery, location="query")
@blp.response(200, RecapOut)
@requires()
def monthly_recap(query: dict, nip: str):
    """A month at a glance: minutes, output per activity against the target's pace,
    days without an entry, and texts written more than once."""
    db = service_context().db
    access.ensure(db, current_principal(), nip, Action.SEE)
    first, last = _month(query["month"])
    cycle_entries = store.entries_of(db, nip, date(first.year, 1, 1), last)
    month_entries = [e for e in cycle_entries if e.date >= first]
    live = [e for e in month_entries if e.status != domain.WITHDRAWN]
    return {
        "nip": nip,
        "month": query["month"],
        "minutes": sum(e.minutes for e in live),
        "verified_minutes": sum(e.minutes for e in live if e.status == domain.VERIFIED),
        "pending_minutes": sum(e.minutes for e in live if e.status == domain.PENDING),
        "activities": domain.monthly_recap(
            cycle_entries, store.approved_activities(db, nip, str(first.year)), first
        ),
        "missing_days": domain.missing_days(month_entries, first, min(last, today())),
        "repeated_descriptions": domain.repeated_descriptions(month_entries),
    }


@blp.route("/workload", methods=["GET"])
@blp.arguments(WorkloadQuery, location="query")
@blp.response(200, UnitLoadOut)
@requires("supervisor", "hr")
def unit_workload(query: dict):
    """Analisis Beban Kerja: verified minutes against effective working time, per person
    and for the unit, and the staff the unit needs. HR sees any unit; a supervisor their own."""
    db = service_context().db
    access.ensure_own_unit(db, current_principal(), query["unit_id"], "the workload")
    members = directory_replica.unit_members(db, query["unit_id"])
    minutes = store.verified_minutes(db, [m["nip"] for m in members], query["from_"], query["to"])
    people = [(m["nip"], m.get("name", ""), minutes.get(m["nip"], 0)) for m in members]
    settings = store.workload_settings(db)
    return workload.unit_workload(query["unit_id"], people, query["from_"], query["to"], settings)


@blp.route("/workload/settings", methods=["GET"])
@blp.response(200, WorkloadSettingsOut)
@requires()
def get_workload_settings():
    """The workload basis in force (effective hours and working days a year)."""
    return store.workload_settings(service_context().db)


@blp.route("/workload/settings", methods=["PUT"])
@blp.arguments(WorkloadSettingsIn)
@blp.response(200, WorkloadSettingsOut)
@requires("hr")
def change_workload_settings(payload: dict):
    """Change the workload basis (audited)."""
    actor = current_principal().actor
    new = workload.WorkloadSettings(**payload)
    return service_context().uow(lambda tx: commands.change_workload_settings(tx, new, actor))


@blp.route("/rules", methods=["GET"])
@blp.response(200, RulesOut)
@requires()
def get_rules():
    """The log rules in force."""
    return store.rules(service_context().db)


@blp.route("/rules", methods=["PUT"])
@blp.arguments(RulesIn)
@blp.response(200, RulesOut)
@requires("hr")
def change_rules(payload: dict):
    """Change the log rules (audited)."""
    actor = current_principal().actor
    return service_context().uow(
        lambda tx: commands.change_rules(tx, domain.LogRules(**payload), actor)
    )


@blp.route("/imports", methods=["POST"])
@blp.arguments(ImportFile, location="files")
@blp.response(200, ImportReport)
@requires("employee", "hr")
def import_entries(files: dict):
    """Import historical entries from CSV (HR: anyone's; an employee: their own)."""
    text = uploaded_text(files)
    principal = current_principal()

    def refusal_for(nip: str | None) -> dict:
        if principal.has_any(["hr"]) or nip == principal.subject:
            return {}
        return {"nip": ["you import your own entries only"]}

    return commands.import_csv(service_context().uow, text, refusal_for, today())
