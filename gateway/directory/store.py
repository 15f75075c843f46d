"""The directory's MongoDB collections, the source of every service's copy: `employees` by
NIP, saved on their `version`, and `units`: indexes, the writes, and the reads a write
depends on, which take a `Tx` and see what the caller's transaction sees, as the rules
that check a record against the rest of it must. Every other read is queries.py's."""

from __future__ import annotations

from dataclasses import asdict

from pymongo import ASCENDING
from pymongo.database import Database

from gateway.directory.domain import Employee, Unit
from kinerja import audit
from kinerja.mongo import Tx, save_versioned


def ensure_indexes(db: Database) -> None:
    """Idempotent; the audit trail's index too, as HR reads a record's history here."""
    employees = db["employees"]
    employees.create_index([("unit_id", ASCENDING), ("name", ASCENDING)])
    employees.create_index([("supervisor_nip", ASCENDING), ("active", ASCENDING)])
    employees.create_index([("name", ASCENDING)])
    db["units"].create_index([("parent_id", ASCENDING)])
    audit.ensure_indexes(db)


def to_employee(doc: dict | None) -> Employee | None:
    if doc is None:
        return None
    doc = dict(doc)
    doc.pop("_id", None)
    return Employee(**doc)


def to_unit(doc: dict | None) -> Unit | None:
    return Unit(id=doc["_id"], name=doc["name"], parent_id=doc.get("parent_id")) if doc else None


def find_employee(tx: Tx, nip: str) -> Employee | None:
    """Inactive employees included; None for an unknown NIP."""
    return to_employee(tx.db["employees"].find_one({"_id": nip}, session=tx.session))


def find_unit(tx: Tx, unit_id: str) -> Unit | None:
    """None for an unknown unit."""
    return to_unit(tx.db["units"].find_one({"_id": unit_id}, session=tx.session))


def active_reports(tx: Tx, nip: str) -> list[str]:
    """Who must move to another supervisor before `nip` can be deactivated."""
    cursor = tx.db["employees"].find(
        {"supervisor_nip": nip, "active": True}, {"_id": 1}, session=tx.session
    )
    return [doc["_id"] for doc in cursor]


def save_employee(tx: Tx, employee: Employee) -> None:
    """Version N replaces exactly N - 1 (1 is inserted): it never overwrites an unread one."""
    save_versioned(tx, "employees", {"_id": employee.nip, **asdict(employee)})


def save_unit(tx: Tx, unit: Unit) -> None:
    """Upsert, unguarded (units carry no version): the last write wins."""
    tx.db["units"].replace_one(
        {"_id": unit.id},
        {"name": unit.name, "parent_id": unit.parent_id},
        upsert=True,
        session=tx.session,
    )
