"""The directory's reads: what its API, the import's planning and the web UI read of
employees and units, outside any transaction."""

from __future__ import annotations

import re

from pymongo import ASCENDING
from pymongo.database import Database

from gateway.directory import store
from gateway.directory.domain import Employee, Unit


def all_employees(db: Database) -> dict[str, Employee]:
    """The whole directory by NIP, for an import to be checked against in memory."""
    return {doc["_id"]: store.to_employee(doc) for doc in db["employees"].find()}


def all_units(db: Database) -> dict[str, Unit]:
    """Every unit by id, for an import to be checked against in memory."""
    return {doc["_id"]: store.to_unit(doc) for doc in db["units"].find()}


def get_employee(db: Database, nip: str) -> Employee | None:
    """store.find_employee, read outside any transaction; None for an unknown NIP."""
    return store.to_employee(db["employees"].find_one({"_id": nip}))


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
    return [store.to_employee(doc) for doc in cursor], total


def list_units(db: Database) -> list[Unit]:
    """Every unit, by id."""
    return [store.to_unit(doc) for doc in db["units"].find().sort("_id", ASCENDING)]


def get_unit(db: Database, unit_id: str) -> Unit | None:
    """None for an unknown unit; read outside any transaction."""
    return store.to_unit(db["units"].find_one({"_id": unit_id}))


def has_active_reports(db: Database, nip: str) -> bool:
    """What makes an employee a supervisor when their token is issued."""
    return db["employees"].count_documents({"supervisor_nip": nip, "active": True}, limit=1) > 0


def under_a_top_supervisor(db: Database) -> list[tuple[Employee, Employee]]:
    """Active employees whose supervisor has no superior (the top of a chain), each with that
    supervisor, by name: whose objections HR decides in the missing superior's place."""
    tops = {
        doc["_id"]: store.to_employee(doc)
        for doc in db["employees"].find({"active": True, "supervisor_nip": None})
    }
    below = (
        db["employees"]
        .find({"active": True, "supervisor_nip": {"$in": list(tops)}})
        .sort([("name", ASCENDING), ("_id", ASCENDING)])
    )
    return [(store.to_employee(doc), tops[doc["supervisor_nip"]]) for doc in below]
