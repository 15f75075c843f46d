"""HTTP routes of the logs service: translate HTTP to the commands and back."""

from __future__ import annotations

from datetime import date

from flask_smorest import Blueprint

from kinerja import access, personal_data
from kinerja.access import Action
from kinerja.auth import current_principal, requires
from kinerja.personal_data import PersonalDataOut, PurgeIn, PurgeOut
from kinerja.web import service_context, uploaded_text
from services.logs import commands, domain, queries, store, workload
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
    return queries.entries_of_month(db, nip, query["month"], query.get("status"))


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
    return queries.verification_queue(service_context().db, current_principal().subject)


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
    return commands.verify_many(service_context().uow, payload["entry_ids"], supervisor)


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
    return queries.monthly_recap(db, nip, query["month"], today())


@blp.route("/workload", methods=["GET"])
@blp.arguments(WorkloadQuery, location="query")
@blp.response(200, UnitLoadOut)
@requires("supervisor", "hr")
def unit_workload(query: dict):
    """Analisis Beban Kerja: verified minutes against effective working time, per person
    and for the unit, and the staff the unit needs. HR sees any unit; a supervisor their own."""
    db = service_context().db
    access.ensure_own_unit(db, current_principal(), query["unit_id"], "the workload")
    return queries.unit_workload(db, query["unit_id"], query["from_"], query["to"])


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
    """Import entries from CSV (HR: anyone's; an employee: their own), each row taken as
    POST /entries takes one: a day past the days-back rule needs reopening first."""
    text = uploaded_text(files)
    principal = current_principal()

    def refusal_for(nip: str | None) -> dict:
        if access.may(principal, nip or "", (), Action.IMPORT_ENTRIES):
            return {}
        return {"nip": ["you import your own entries only"]}

    return commands.import_csv(service_context().uow, text, refusal_for, today())


@blp.route("/personal-data/<string:nip>", methods=["GET"])
@blp.response(200, PersonalDataOut)
@requires()
def personal_data_export(nip: str):
    """Everything this service holds about me, and who else read my records here."""
    db = service_context().db
    access.ensure(db, current_principal(), nip, Action.EXPORT_OWN_DATA)
    return personal_data.export(db, "logs", nip, queries.personal_data(db, nip))


@blp.route("/retention/purge", methods=["POST"])
@blp.arguments(PurgeIn)
@blp.response(200, PurgeOut)
@requires("hr")
def retention_purge(payload: dict):
    """Retention: entries of cycles that ended before the cut-off, counted (dry run) or
    deleted; audited, no events."""
    actor = current_principal().actor
    return service_context().uow(
        lambda tx: commands.purge_ended_cycles(tx, payload["cut_off"], payload["dry_run"], actor)
    )
