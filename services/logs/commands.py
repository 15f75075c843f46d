"""What people do with daily logs, one function per command: each runs in one
transaction and publishes verified output through the outbox. verify_many and import_csv
take the unit of work instead: there each entry or row is its own transaction.

The log rules that count (minutes per day, no duplicate entry, no copied description) read
the employee's entries inside the write's transaction, after claiming the employee
(_context): of two writes at once one meets a write conflict, runs again and counts what
the other stored. The counts are read from the entries themselves, so there is no counter
to drift or to rebuild for entries written before the rule."""

from __future__ import annotations

import csv
import io
import uuid
from collections.abc import Callable
from datetime import date

from marshmallow import ValidationError

from kinerja import access, audit, personal_data
from kinerja.access import Action
from kinerja.contracts import EventType
from kinerja.errors import AppError, NotFound, ValidationFailed
from kinerja.mongo import Tx
from services.logs import domain, events, store
from services.logs.domain import Context, Entry, LogRules
from services.logs.schemas import ImportRow
from services.logs.workload import WorkloadSettings


def _context(tx: Tx, entry: Entry, today: date) -> Context:
    # the rules below read the employee's other entries: one write of theirs at a time
    tx.claim("logs.entries", entry.nip)
    activities = store.approved_activities(tx, entry.nip, entry.cycle)
    others = store.live_entries_on(tx, entry.nip, entry.date, entry.id)
    return Context(
        today=today,
        approved_activities=frozenset(a.id for a in activities),
        minutes_that_day=domain.minutes_logged(others),
        previous_description=store.previous_description(tx, entry.nip, entry.id),
        day_reopened=store.day_reopened(tx, entry.nip, entry.date),
        others_that_day=tuple(others),
    )


def write_entry(tx: Tx, nip: str, fields: dict, today: date) -> Entry:
    """A new id each call: a retried request writes once only with an Idempotency-Key.
    ValidationFailed `log_rule_broken` names every broken rule at once. The one door of
    new entries: POST /entries and each row of an import come through here."""
    entry = Entry(id=uuid.uuid4().hex, nip=nip, **fields)
    domain.check_entry(entry, _context(tx, entry, today), store.rules(tx))
    store.save_entry(tx, entry)
    return entry


def edit_entry(tx: Tx, entry_id: str, changes: dict, caller: str, today: date) -> Entry:
    """The caller's own, while pending or rejected (Conflict `not_editable`); every rule is
    checked anew, and it waits for verification again."""
    entry = existing(tx, entry_id)
    access.ensure(tx, caller, entry.nip, Action.ACT_AS_SELF)
    revised = domain.revise(entry, changes)
    domain.check_entry(revised, _context(tx, revised, today), store.rules(tx))
    store.save_entry(tx, revised)
    return revised


def withdraw_entry(tx: Tx, entry_id: str, caller: str) -> Entry:
    """The caller's own; a verified one needs its verification revoked first (Conflict
    `not_withdrawable`)."""
    entry = existing(tx, entry_id)
    access.ensure(tx, caller, entry.nip, Action.ACT_AS_SELF)
    withdrawn = domain.withdraw(entry)
    store.save_decision(tx, withdrawn)
    return withdrawn


def verify_entry(tx: Tx, entry_id: str, supervisor: str) -> Entry:
    """The direct supervisor only; Conflict `not_pending` unless it waits. The targets
    service counts its output from ENTRY_VERIFIED."""
    return _supervise(tx, entry_id, supervisor, domain.verify, events.ENTRY_VERIFIED)


def reject_entry(tx: Tx, entry_id: str, supervisor: str, reason: str) -> Entry:
    """Nothing is published: a pending entry's output never counted."""
    return _supervise(tx, entry_id, supervisor, lambda e, s: domain.reject(e, s, reason))


def verify_many(uow, entry_ids: list[str], supervisor: str) -> dict:
    """Each entry its own decision in its own transaction; the refused ones with why.
    Repeated ids count once. An error that is no refusal (the database gone) is raised,
    and the entries verified before it stay verified."""
    verified, refused = [], {}
    for entry_id in dict.fromkeys(entry_ids):
        try:
            uow(lambda tx, entry_id=entry_id: verify_entry(tx, entry_id, supervisor))
            verified.append(entry_id)
        except AppError as exc:
            refused[entry_id] = exc.message
    return {"verified": verified, "refused": refused}


def revoke_verification(tx: Tx, entry_id: str, supervisor: str) -> Entry:
    """The direct supervisor only: the entry waits again, and ENTRY_REVOKED takes its
    output back out of the SKP."""
    return _supervise(tx, entry_id, supervisor, domain.revoke, events.ENTRY_REVOKED)


def _supervise(tx: Tx, entry_id: str, supervisor: str, step, event_type: EventType | None = None):
    """A direct supervisor's decision on an entry, published when it moves output."""
    entry = existing(tx, entry_id)
    access.ensure(tx, supervisor, entry.nip, Action.DECIDE)
    decided = step(entry, supervisor)
    store.save_decision(tx, decided)
    if event_type:
        tx.publish(event_type, events.entry_output(decided))
    return decided


def reopen_day(tx: Tx, nip: str, day: date, supervisor: str) -> None:
    """The direct supervisor only; idempotent, and nothing closes the day again."""
    access.ensure(tx, supervisor, nip, Action.DECIDE)
    store.reopen_day(tx, nip, day, supervisor)


def change_rules(tx: Tx, new: LogRules, actor: str) -> LogRules:
    """Audited; the rules apply from the next write, never to entries already written."""
    new.check()
    before = store.rules(tx)
    store.save_rules(tx, new)
    audit.record(
        tx, actor, "log_rules.changed", "log_rules", "log_rules", before.__dict__, new.__dict__
    )
    return new


def change_workload_settings(tx: Tx, new: WorkloadSettings, actor: str) -> WorkloadSettings:
    """Audited; workload is computed when read, so it applies at once, past periods too."""
    new.check()
    before = store.workload_settings(tx)
    store.save_workload_settings(tx, new)
    audit.record(
        tx,
        actor,
        "workload_settings.changed",
        "workload_settings",
        "workload",
        before.__dict__,
        new.__dict__,
    )
    return new


def existing(tx: Tx, entry_id: str) -> Entry:
    """The entry to act on; NotFound (404) for an unknown id."""
    entry = store.find_entry(tx, entry_id)
    if entry is None:
        raise NotFound(f"no log entry {entry_id}")
    return entry


# Each row is a transaction of its own: a bound on the rows keeps one import well inside a
# request's time (gunicorn's 30 s), however busy the machine; a unit's month fits.
MAX_IMPORT_ROWS = 1_000


def import_csv(
    uow,
    text: str,
    refusal_for: Callable[[str | None], dict],
    today: date,
    on_progress: Callable[[int], None] | None = None,
) -> dict:
    """Entries from CSV (nip, date, activity_id, description, completes_output, quantity,
    minutes). Each row is written as POST /entries writes (write_entry: every rule, the
    days-back one included, so a row older than it needs its day reopened by the
    supervisor), in its own transaction; the report lists every refused row with why, so
    a stop half-way is never silent. More than MAX_IMPORT_ROWS rows: ValidationFailed on
    `file` before any row is read. `refusal_for(nip)` is the caller's permission for that
    person's rows: {} allows."""
    try:
        rows = list(csv.DictReader(io.StringIO(text)))
    except csv.Error as exc:  # e.g. a field over the csv module's size limit
        raise ValidationFailed("the file is not readable CSV", {"file": [str(exc)]}) from exc
    if len(rows) > MAX_IMPORT_ROWS:
        raise ValidationFailed(
            "the file has too many rows; nothing was imported",
            {"file": [f"at most {MAX_IMPORT_ROWS:,} rows in one import; split the file"]},
        )
    written, rejected = 0, []
    for line, row in enumerate(rows, start=2):
        problems = refusal_for(row.get("nip"))
        if not problems:
            try:
                fields = ImportRow().load({k: v for k, v in row.items() if k})
                nip = fields.pop("nip")
                uow(lambda tx, nip=nip, fields=fields: write_entry(tx, nip, fields, today))
                written += 1
            except ValidationError as exc:
                problems = exc.messages
            except ValidationFailed as exc:
                problems = exc.fields
        if problems:
            rejected.append({"row": line, "key": row.get("nip") or "", "fields": problems})
        if on_progress:
            on_progress(1)
    return {"rows": len(rows), "written": written, "rejected": rejected}


def purge_ended_cycles(tx: Tx, cut_off: date, dry_run: bool, actor: str) -> dict:
    """Retention: the entries of cycles that ended before `cut_off`, counted, or deleted
    and audited. No event is published: a purge is not a withdrawal, and the targets
    service keeps the realization these entries made."""
    first_kept = personal_data.first_kept_day(cut_off)
    by_cycle = store.entries_dated_before(tx, first_kept)
    counts = {"entries": sum(by_cycle.values())}
    if not dry_run:
        counts["entries"] = store.purge_entries_before(tx, first_kept)
        after = {"cut_off": cut_off.isoformat(), "counts": counts, "cycles": sorted(by_cycle)}
        audit.record(tx, actor, "retention.purged", "retention", "entries", None, after)
    kept = "realization in the targets service; workload figures of later cycles"
    return personal_data.report("logs", cut_off, dry_run, counts, by_cycle, kept)
