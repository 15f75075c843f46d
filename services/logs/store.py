"""The logs service's MongoDB collections: `entries` (saved on their `revision`),
`activities` (each employee's approved SKP activities, from the targets service),
`reopened_days`, and `settings` (HR's log rules and workload basis)."""

from __future__ import annotations

from dataclasses import asdict
from datetime import date, datetime, time

from pymongo import ASCENDING, DESCENDING
from pymongo.database import Database
from pymongo.errors import DuplicateKeyError

from kinerja import audit, directory_replica
from kinerja.mongo import Tx, db_and_session, keep_newest, save_versioned
from services.logs import domain
from services.logs.domain import WITHDRAWN, ActivityTarget, Entry, LogRules
from services.logs.workload import WorkloadSettings


def ensure_indexes(db: Database) -> None:
    """Idempotent; the directory copy's and the audit trail's too, which live here as well."""
    directory_replica.ensure_indexes(db)
    audit.ensure_indexes(db)
    db["entries"].create_index([("nip", ASCENDING), ("date", ASCENDING)])
    db["entries"].create_index([("status", ASCENDING), ("nip", ASCENDING)])
    # no duplicate entry, said by the database too; sparse: a withdrawn entry has no key,
    # nor has one written before the rule (the rules read those: live_entries_on)
    db["entries"].create_index(DUPLICATE_KEY, unique=True, sparse=True)


DUPLICATE_KEY = "duplicate_key"


# MongoDB has no date-only type: a day is stored as its midnight (UTC).
def _day(value: date) -> datetime:
    return datetime.combine(value, time())


def _to_doc(entry: Entry) -> dict:
    doc = {"_id": entry.id, **asdict(entry), "date": _day(entry.date)}
    if entry.status != WITHDRAWN:
        doc[DUPLICATE_KEY] = domain.duplicate_key(entry)
    return doc


def _entry(doc: dict) -> Entry:
    doc = dict(doc)
    doc.pop("_id")
    doc.pop(DUPLICATE_KEY, None)
    doc["date"] = doc["date"].date()
    if "completes_output" not in doc:
        # written before entries said whether they complete output: every quantity counted
        # then, and targets holds it so; read it as the output it was taken for
        doc["completes_output"] = bool(doc.get("quantity"))
        doc["quantity"] = doc.get("quantity") or None
    return Entry(**doc)


def save_entry(tx: Tx, entry: Entry) -> None:
    """Revision N replaces exactly N - 1 (1 is inserted): it never overwrites an unread one.
    A live entry repeating another is refused (domain.duplicate_entry_refused)."""
    try:
        save_versioned(tx, "entries", _to_doc(entry), "revision")
    except DuplicateKeyError as exc:
        if DUPLICATE_KEY not in str(exc):
            raise
        raise domain.duplicate_entry_refused() from exc


def save_decision(tx: Tx, entry: Entry) -> None:
    """A withdrawal or a supervisor's decision: the text is as it was, so a live entry keeps
    the duplicate key it had. One written before the rule, maybe beside its copy, stays
    without one: a decision on it (a revocation) is never refused as a duplicate."""
    doc = _to_doc(entry)
    if DUPLICATE_KEY in doc:
        held = tx.db["entries"].find_one({"_id": entry.id}, {DUPLICATE_KEY: 1}, session=tx.session)
        if held is None or DUPLICATE_KEY not in held:
            del doc[DUPLICATE_KEY]
    save_versioned(tx, "entries", doc, "revision")


def find_entry(tx: Tx, entry_id: str) -> Entry | None:
    """As the transaction's snapshot sees it; None for an unknown id."""
    doc = tx.db["entries"].find_one({"_id": entry_id}, session=tx.session)
    return _entry(doc) if doc else None


def entries_of(db: Database, nip: str, first: date, last: date, status: str | None = None):
    """Dated first to last inclusive, oldest first; withdrawn ones too unless `status` says."""
    query = {"nip": nip, "date": {"$gte": _day(first), "$lte": _day(last)}}
    if status:
        query["status"] = status
    return [_entry(doc) for doc in db["entries"].find(query).sort([("date", ASCENDING)])]


def pending_of(db: Database, nips: list[str]) -> list[Entry]:
    """The verification queue of these employees: pending entries, oldest day first."""
    cursor = (
        db["entries"]
        .find({"nip": {"$in": nips}, "status": "pending"})
        .sort([("date", ASCENDING), ("nip", ASCENDING)])
    )
    return [_entry(doc) for doc in cursor]


def live_entries_on(tx: Tx, nip: str, day: date, except_id: str | None) -> list[Entry]:
    """The employee's entries of that day, withdrawn ones and `except_id` (the entry being
    edited) aside: what the day's rules count. Holds for them only under the caller's claim
    on the employee (commands._context). Bounded: each entry has a minute at least, and
    the day at most max_minutes_per_day."""
    docs = tx.db["entries"].find(
        {"nip": nip, "date": _day(day), "_id": {"$ne": except_id}, "status": {"$ne": WITHDRAWN}},
        session=tx.session,
    )
    return [_entry(doc) for doc in docs]


def previous_description(tx: Tx, nip: str, except_id: str | None) -> str | None:
    """The text of the employee's latest-dated live entry but `except_id` (by date, not by
    when it was written), for the no-copied-description rule; None when there is none."""
    doc = tx.db["entries"].find_one(
        {"nip": nip, "_id": {"$ne": except_id}, "status": {"$ne": WITHDRAWN}},
        {"description": 1},
        sort=[("date", DESCENDING), ("_id", DESCENDING)],
        session=tx.session,
    )
    return doc["description"] if doc else None


def verified_minutes(db: Database, nips: list[str], first: date, last: date) -> dict[str, int]:
    """Verified minutes per employee, first to last inclusive; one with none is absent."""
    rows = db["entries"].aggregate(
        [
            {
                "$match": {
                    "nip": {"$in": nips},
                    "status": "verified",
                    "date": {"$gte": _day(first), "$lte": _day(last)},
                }
            },
            {"$group": {"_id": "$nip", "minutes": {"$sum": "$minutes"}}},
        ]
    )
    return {row["_id"]: row["minutes"] for row in rows}


def save_approved_activities(tx: Tx, nip: str, cycle: str, version: int, activities: list):
    """The activities of the newest approved SKP version; an older one arriving late loses,
    and the same version redelivered changes nothing."""
    doc = {"nip": nip, "cycle": cycle, "activities": activities}
    keep_newest(tx, "activities", f"{nip}:{cycle}", doc, version, field="version")


def approved_activities(db_or_tx, nip: str, cycle: str) -> list[ActivityTarget]:
    """What entries may be logged against; [] until the targets service announced one."""
    db, session = db_and_session(db_or_tx)
    doc = db["activities"].find_one({"_id": f"{nip}:{cycle}"}, session=session)
    return [ActivityTarget(**a) for a in doc["activities"]] if doc else []


def day_reopened(tx: Tx, nip: str, day: date) -> bool:
    """Whether a supervisor lifted the days-back rule for this employee and day."""
    query = {"_id": f"{nip}:{day.isoformat()}"}
    return tx.db["reopened_days"].count_documents(query, limit=1, session=tx.session) > 0


def reopen_day(tx: Tx, nip: str, day: date, by: str) -> None:
    """Idempotent; nothing closes a reopened day again, `by` is the latest to reopen it."""
    tx.db["reopened_days"].replace_one(
        {"_id": f"{nip}:{day.isoformat()}"},
        {"nip": nip, "by": by},
        upsert=True,
        session=tx.session,
    )


def rules(db_or_tx) -> LogRules:
    """The rules in force: the shipped defaults until HR saves any."""
    db, session = db_and_session(db_or_tx)
    doc = db["settings"].find_one({"_id": "log_rules"}, {"_id": 0}, session=session)
    return LogRules(**doc) if doc else LogRules()


def save_rules(tx: Tx, new: LogRules) -> None:
    """Replace whole; the caller checks and audits them (commands.change_rules)."""
    tx.db["settings"].replace_one(
        {"_id": "log_rules"}, asdict(new), upsert=True, session=tx.session
    )


def workload_settings(db_or_tx: Database | Tx) -> WorkloadSettings:
    """The workload basis in force: the shipped defaults until HR saves one."""
    db, session = db_and_session(db_or_tx)
    doc = db["settings"].find_one({"_id": "workload"}, {"_id": 0}, session=session)
    return WorkloadSettings(**doc) if doc else WorkloadSettings()


def save_workload_settings(tx: Tx, new: WorkloadSettings) -> None:
    """Replace whole; the caller checks and audits it (commands.change_workload_settings)."""
    tx.db["settings"].replace_one({"_id": "workload"}, asdict(new), upsert=True, session=tx.session)


# --- retention (kinerja.personal_data): entries of ended cycles, deleted without events ----


def entries_dated_before(db_or_tx: Database | Tx, day: date) -> dict[str, int]:
    """How many entries are dated before `day`, by cycle (the entry's year)."""
    db, session = db_and_session(db_or_tx)
    rows = db["entries"].aggregate(
        [
            {"$match": {"date": {"$lt": _day(day)}}},
            {"$group": {"_id": {"$year": "$date"}, "entries": {"$sum": 1}}},
        ],
        session=session,
    )
    return {str(row["_id"]): row["entries"] for row in rows}


def purge_entries_before(tx: Tx, day: date) -> int:
    """Delete every entry dated before `day`; how many went."""
    result = tx.db["entries"].delete_many({"date": {"$lt": _day(day)}}, session=tx.session)
    return result.deleted_count
