"""The logs service's read models: what its routes answer, apart from the routes.

Who may read is decided before these are called (kinerja.access); the arithmetic is
domain.py's and workload.py's.
"""

from __future__ import annotations

from datetime import date

from pymongo.database import Database

from kinerja import directory_replica
from services.logs import domain, store, workload


def month_of(text: str) -> tuple[date, date]:
    """A month given as YYYY-MM: its first and last day."""
    first = date(int(text[:4]), int(text[5:7]), 1)
    return first, domain.month_end(first)


def entries_of_month(db: Database, nip: str, month: str, status: str | None) -> list:
    first, last = month_of(month)
    return store.entries_of(db, nip, first, last, status)


def verification_queue(db: Database, supervisor: str) -> list:
    """The supervisor's direct reports' entries waiting for verification, oldest first."""
    reports = directory_replica.direct_reports(db, supervisor)
    return store.pending_of(db, [r["nip"] for r in reports])


def monthly_recap(db: Database, nip: str, month: str, today: date) -> dict:
    """A month at a glance: minutes, output per activity against the target's pace (the
    year so far counts), working days without an entry up to today, repeated texts."""
    first, last = month_of(month)
    cycle_entries = store.entries_of(db, nip, date(first.year, 1, 1), last)
    month_entries = [e for e in cycle_entries if e.date >= first]
    return {
        "nip": nip,
        "month": month,
        **domain.month_minutes(month_entries),
        "activities": domain.monthly_recap(
            cycle_entries, store.approved_activities(db, nip, str(first.year)), first
        ),
        "missing_days": domain.missing_days(month_entries, first, min(last, today)),
        "repeated_descriptions": domain.repeated_descriptions(month_entries),
    }


def unit_workload(db: Database, unit_id: str, first: date, last: date) -> dict:
    """Analisis Beban Kerja of a unit over [first, last], from verified minutes."""
    members = directory_replica.unit_members(db, unit_id)
    minutes = store.verified_minutes(db, [m["nip"] for m in members], first, last)
    people = [(m["nip"], m.get("name", ""), minutes.get(m["nip"], 0)) for m in members]
    return workload.unit_workload(unit_id, people, first, last, store.workload_settings(db))


def personal_data(db: Database, nip: str) -> dict:
    """Everything the logs service holds about the employee: every entry with its
    verification (who verified or rejected it, and why), and the days reopened for them."""
    entries = store.entries_of(db, nip, date.min, date.max)
    reopened = db["reopened_days"].find({"nip": nip}, {"nip": 0})
    return {
        "entries": [vars(e) for e in entries],
        "reopened_days": [
            {"day": doc["_id"].split(":", 1)[1], "by": doc.get("by")} for doc in reopened
        ],
    }
