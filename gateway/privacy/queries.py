"""The gateway's part of an employee's export, and the whole export assembled."""

from __future__ import annotations

from dataclasses import asdict
from datetime import UTC, datetime

from pymongo.database import Database

from gateway.directory import queries as directory_queries
from gateway.identity import queries as identity_queries
from gateway.privacy import upstream
from kinerja import audit, personal_data


def gateway_part(db: Database, nip: str) -> dict:
    """The directory record, the account (never its password hash) and the audit entries
    about either."""
    employee = directory_queries.get_employee(db, nip)
    account = identity_queries.find_account(db, nip)
    public = None
    if account is not None:
        public = {k: v for k, v in asdict(account).items() if k != "password_hash"}
    entries = audit.history(db, "employee", nip, limit=1000)
    if account is not None:
        entries += audit.history(db, "account", account.username, limit=1000)
    return personal_data.jsonable(
        {
            "employee": employee.as_dict() if employee else None,
            "account": public,
            "audit": sorted(entries, key=lambda e: e["at"]),
        }
    )


def export(db: Database, urls: dict, nip: str, token: str) -> dict:
    """The employee's whole export: the gateway's part, each service's, and the list of
    parts missing (a service down or refusing), so it is never silently incomplete."""
    parts, missing = upstream.export_parts(urls, nip, token)
    return {
        "nip": nip,
        "generated_at": datetime.now(UTC).isoformat(),
        "complete": not missing,
        "missing": missing,
        "gateway": gateway_part(db, nip),
        "services": parts,
    }


def filename(nip: str) -> str:
    return f"kinerja360-data-pribadi-{nip}-{datetime.now(UTC).date().isoformat()}.json"
