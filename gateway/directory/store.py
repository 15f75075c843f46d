"""The directory's MongoDB collections, the source of every service's copy: `employees` by
NIP, saved on their `version`, and `units`. Functions taking a `Tx` read what the caller's
transaction sees, as the rules that check a record against the rest of it must."""

from __future__ import annotations

import re
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


def _employee(doc: dict | None) -> Employee | None:
    if doc is None:
        return None
    doc = dict(doc)
    doc.pop("_id", None)
    return Employee(**doc)


def _unit(doc: dict | None) -> Unit | None:
    return Unit(id=doc["_id"], name=doc["name"], parent_id=doc.get("parent_id")) if doc else None


def find_employee(tx: Tx, nip: str) -> Employee | None:
    """Inactive employees included; None for an unknown NIP."""
    return _employee(tx.db["employees"].find_one({"_id": nip}, session=tx.session))


def find_unit(tx: Tx, unit_id: str) -> Unit | None:
    """None for an unknown unit."""
    return _unit(tx.db["units"].find_one({"_id": unit_id}, session=tx.session))


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


def all_employees(db: Database) -> dict[str, Employee]:
    """The whole directory by NIP, for an import to be checked against in memory."""
    return {doc["_id"]: _employee(doc) for doc in db["employees"].find()}


def all_units(db: Database) -> dict[str, Unit]:
    """Every unit by id, for an import to be checked against in memory."""
    return {doc["_id"]: _unit(doc) for doc in db["units"].find()}


def get_employee(db: Database, nip: str) -> Employee | None:
    """find_employee for a read outside any transaction; None for an unknown NIP."""
    return _employee(db["employees"].find_one({"_id": nip}))


def search_employees(
    db: Database,
    unit_id: str | None,
    supervisor_nip: str | None,
    active: bool | None,
    text: str | None,
    page: int,
    per_page: int,
) -> tuple[list[Employee], int]:
    """One page of the matching employees, by name then NIP, and how many match in all.
    `text` is literal (regex characters escaped): part of a name or position in any case,
    or the start of a NIP. A filter left None (or empty) is not applied."""
    query: dict = {}
    if unit_id:
        query["unit_id"] = unit_id
    if supervisor_nip:
        query["supervisor_nip"] = supervisor_nip
    if active is not None:
        query["active"] = active
    if text:
        pattern = re.escape(text)
        query["$or"] = [
            {"name": {"$regex": pattern, "$options": "i"}},
            {"_id": {"$regex": f"^{pattern}"}},
            {"position": {"$regex": pattern, "$options": "i"}},
        ]
    total = db["employees"].count_documents(query)
    cursor = (
        db["employees"]
        .find(query)
        .sort([("name", ASCENDING), ("_id", ASCENDING)])
        .skip((page - 1) * per_page)
        .limit(per_page)
    )
    return [_employee(doc) for doc in cursor], total


def list_units(db: Database) -> list[Unit]:
    """Every unit, by id."""
    return [_unit(doc) for doc in db["units"].find().sort("_id", ASCENDING)]


def get_unit(db: Database, unit_id: str) -> Unit | None:
    """None for an unknown unit; read outside any transaction."""
    return _unit(db["units"].find_one({"_id": unit_id}))


def has_active_reports(db: Database, nip: str) -> bool:
    """What makes an employee a supervisor when their token is issued."""
    return db["employees"].count_documents({"supervisor_nip": nip, "active": True}, limit=1) > 0
