"""Each service's own copy of the org directory, kept current from the gateway's events.

No service reads another's database: the gateway publishes every change of an
employee or unit, and each service applies it here, newest version winning.
"""

from __future__ import annotations

from pymongo import ASCENDING
from pymongo.database import Database

from kinerja import revocation
from kinerja.bus.consumer import Subscriptions
from kinerja.bus.envelope import Envelope
from kinerja.contracts import gateway as directory
from kinerja.mongo import Tx, db_and_session

EMPLOYEES = "directory_employees"
UNITS = "directory_units"


def keep_directory_copy(subscriptions: Subscriptions) -> None:
    """Subscribe a service to the directory's events, and to the gateway's token
    revocations: every service calls this, so every service refuses revoked tokens."""
    subscriptions.on(directory.EMPLOYEE_UPSERTED)(apply_employee)
    subscriptions.on(directory.EMPLOYEE_DEACTIVATED)(apply_employee)
    subscriptions.on(directory.UNIT_UPSERTED)(apply_unit)
    revocation.keep_revocations(subscriptions)


def ensure_indexes(db: Database) -> None:
    revocation.ensure_indexes(db)
    db[EMPLOYEES].create_index([("supervisor_nip", ASCENDING), ("active", ASCENDING)])
    db[EMPLOYEES].create_index([("unit_id", ASCENDING)])


def apply_employee(event: Envelope, tx: Tx) -> None:
    """Upserted carries the whole record, deactivated only what changed; older versions lose."""
    data = dict(event.data)
    held = tx.db[EMPLOYEES].find_one({"_id": data["nip"]}, {"version": 1}, session=tx.session)
    if held and held.get("version", 0) >= data["version"]:
        return
    if event.type == directory.EMPLOYEE_DEACTIVATED.name:
        data["active"] = False
    tx.db[EMPLOYEES].update_one(
        {"_id": data["nip"]}, {"$set": data}, upsert=True, session=tx.session
    )


def apply_unit(event: Envelope, tx: Tx) -> None:
    data = event.data
    tx.db[UNITS].replace_one(
        {"_id": data["id"]},
        {"name": data["name"], "parent_id": data["parent_id"]},
        upsert=True,
        session=tx.session,
    )


def find_employee(db_or_tx: Database | Tx, nip: str) -> dict | None:
    """The replica's employee (None when the directory never sent them); inside a
    transaction, as its snapshot sees them."""
    db, session = db_and_session(db_or_tx)
    return db[EMPLOYEES].find_one({"_id": nip}, {"_id": 0}, session=session)


def supervisor_of(db_or_tx: Database | Tx, nip: str) -> str | None:
    """The employee's direct supervisor's NIP (None for the top of a unit, or an unknown
    employee); inside a transaction, as its snapshot sees the directory."""
    return (find_employee(db_or_tx, nip) or {}).get("supervisor_nip")


def supervisors_of(db_or_tx: Database | Tx, nip: str) -> tuple[str, ...]:
    """The direct supervisor and the supervisor's own superior, those known: the two
    levels above an employee who see their appraisal."""
    above = []
    current: str | None = nip
    while len(above) < 2 and (current := supervisor_of(db_or_tx, current)) is not None:
        above.append(current)
    return tuple(above)


def direct_reports(db: Database, nip: str) -> list[dict]:
    return list(db[EMPLOYEES].find({"supervisor_nip": nip, "active": True}, {"_id": 0}))


def unit_members(db: Database, unit_id: str) -> list[dict]:
    return list(db[EMPLOYEES].find({"unit_id": unit_id, "active": True}, {"_id": 0}))


def active_employees(db_or_tx: Database | Tx) -> list[dict]:
    db, session = db_and_session(db_or_tx)
    employees = db[EMPLOYEES].find({"active": True}, {"_id": 0}, session=session)
    return list(employees.sort("nip", ASCENDING))
