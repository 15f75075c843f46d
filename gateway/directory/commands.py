"""What HR does to the directory, one function per command. Each runs inside one
transaction with its audit entry and its outbox events; the API, the CSV import,
the CLI and the demo loader all go through here.

No role is checked here: the API's `requires("hr")` and the CLI's operator decide who
calls. An employee's events carry its version, so the services' copies keep the newest
whatever order they arrive in; a unit's carry none, so there the last to arrive wins.
"""

from __future__ import annotations

from collections.abc import Callable

from gateway.directory import domain, events, importer, queries, store
from gateway.directory.domain import Employee, Unit
from gateway.directory.importer import ImportPlan
from gateway.identity import commands as identity
from kinerja import audit
from kinerja.errors import Conflict, NotFound, ValidationFailed
from kinerja.mongo import Tx, UnitOfWork


def _lookups(tx: Tx):
    return (lambda unit_id: store.find_unit(tx, unit_id) is not None), (
        lambda nip: store.find_employee(tx, nip)
    )


def create_employee(tx: Tx, employee: Employee, actor: str) -> Employee:
    """A new record at version 1, whatever version was passed. Conflict for a NIP in the
    directory (an inactive one too); ValidationFailed for a malformed NIP, an unknown unit
    or supervisor, a structural position without echelon, or a supervisor loop."""
    if store.find_employee(tx, employee.nip) is not None:
        raise Conflict("an employee with this NIP exists", {"nip": ["already in the directory"]})
    created = Employee(**{**employee.as_dict(), "version": 1})
    domain.check_employee(created, *_lookups(tx))
    _write_employee(tx, None, created, actor, "employee.created")
    return created


def update_employee(tx: Tx, nip: str, changes: dict, actor: str) -> Employee:
    """The next version with `changes` applied, checked against the directory as a new one
    is; NotFound for an unknown NIP, ValidationFailed for a change of NIP."""
    current = _existing(tx, nip)
    revised = domain.revise(current, changes)
    domain.check_employee(revised, *_lookups(tx))
    _write_employee(tx, current, revised, actor, "employee.updated")
    return revised


def deactivate_employee(tx: Tx, nip: str, actor: str) -> Employee:
    """Idempotent: an inactive employee is returned as is, with no audit entry or event.
    Their sessions end with it (identity.end_employee_sessions). Conflict `has_reports`
    while anyone active reports to them; NotFound for an unknown NIP."""
    current = _existing(tx, nip)
    if not current.active:
        return current
    gone = domain.deactivate(current, store.active_reports(tx, nip))
    store.save_employee(tx, gone)
    audit.record(
        tx, actor, "employee.deactivated", "employee", nip, current.as_dict(), gone.as_dict()
    )
    identity.end_employee_sessions(tx, nip)
    tx.publish(events.EMPLOYEE_DEACTIVATED, gone)
    return gone


def upsert_unit(tx: Tx, unit: Unit, actor: str) -> Unit:
    """Create, rename or move a unit; unchanged, it writes, audits and publishes nothing.
    ValidationFailed for a malformed id, an unknown parent or a loop in the tree."""
    domain.check_unit(unit, lambda unit_id: store.find_unit(tx, unit_id))
    before = store.find_unit(tx, unit.id)
    if before == unit:
        return unit
    store.save_unit(tx, unit)
    audit.record(
        tx,
        actor,
        "unit.created" if before is None else "unit.updated",
        "unit",
        unit.id,
        before.__dict__ if before else None,
        unit.__dict__,
    )
    tx.publish(events.UNIT_UPSERTED, unit)
    return unit


def import_csv(
    uow: UnitOfWork,
    text: str,
    actor: str,
    partial: bool = False,
    dry_run: bool = False,
    on_progress: Callable[[int], None] | None = None,
) -> dict:
    """Check every row of a CSV against the directory, then apply it (or refuse it whole).

    Without partial, one rejected row means nothing is written. on_progress is told
    how many rows were written after each transaction. Rows are checked against one
    reading of the directory, then written in chunks: a chunk refused on the way (say a
    record edited meanwhile, 409) stops the import with the earlier chunks kept.
    """
    kind, rows = importer.read_csv(text)
    if kind == "employees":
        existing = queries.all_employees(uow.db)
        plan = importer.plan_employees(rows, existing, set(queries.all_units(uow.db)))
    else:
        plan = importer.plan_units(rows, queries.all_units(uow.db))
    report = importer.report(plan)
    if plan.rejected and not partial:
        raise ValidationFailed(
            f"{len(plan.rejected)} of {plan.rows} rows rejected; nothing was imported",
            {f"line {r.row}": r.fields for r in plan.rejected},
            code="import_rejected",
        )
    if not dry_run:
        apply_import(uow, plan, actor, on_progress)
        report["applied"] = True
    return report


def apply_import(
    uow: UnitOfWork,
    plan: ImportPlan,
    actor: str,
    on_progress: Callable[[int], None] | None = None,
    chunk_size: int = 200,
) -> None:
    """Write a checked plan in transactions of chunk_size rows, reporting progress: the
    rows are not checked again, and each committed chunk stays if a later one fails."""
    work = [(None, item) for item in plan.creates] + list(plan.updates)
    for start in range(0, len(work), chunk_size):
        chunk = work[start : start + chunk_size]
        uow(
            lambda tx, chunk=chunk: [
                _apply_row(tx, before, after, actor) for before, after in chunk
            ]
        )
        if on_progress:
            on_progress(len(chunk))


def _apply_row(tx: Tx, before, after, actor: str) -> None:
    action = "imported" if before is None else "updated by import"
    if isinstance(after, Unit):
        store.save_unit(tx, after)
        audit.record(
            tx,
            actor,
            f"unit.{action}",
            "unit",
            after.id,
            before.__dict__ if before else None,
            after.__dict__,
        )
        tx.publish(events.UNIT_UPSERTED, after)
        return
    _write_employee(tx, before, after, actor, f"employee.{action}")


def _write_employee(tx: Tx, before: Employee | None, after: Employee, actor: str, action: str):
    """Save, audit and announce one record; an inactive one goes out as deactivated, and
    one made inactive here (an edit, an import) ends its sessions as a deactivation does."""
    store.save_employee(tx, after)
    audit.record(
        tx,
        actor,
        action,
        "employee",
        after.nip,
        before.as_dict() if before else None,
        after.as_dict(),
    )
    if after.active:
        tx.publish(events.EMPLOYEE_UPSERTED, after)
    else:
        if before is not None and before.active:
            identity.end_employee_sessions(tx, after.nip)
        tx.publish(events.EMPLOYEE_DEACTIVATED, after)


def _existing(tx: Tx, nip: str) -> Employee:
    employee = store.find_employee(tx, nip)
    if employee is None:
        raise NotFound(f"no employee with NIP {nip}")
    return employee
