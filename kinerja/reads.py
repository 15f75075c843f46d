"""Who read an employee's records: one record per reader, subject, action and day.

The employee's right to know who looked at their data (UU 27/2022, Pasal 7) needs reads
recorded, and a page that reads ten times must not write ten records: each read upserts
the day's record and counts it. Written by kinerja.access.ensure, the one door every
service's read of an employee's records goes through, outside any transaction (a read is
recorded even when the caller's transaction is retried, once). Records expire after
KEPT_DAYS by a TTL index.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime, time

from pymongo import ASCENDING
from pymongo.database import Database

READS = "record_reads"
KEPT_DAYS = 730  # two appraisal cycles: long enough to object, short enough to forget

_indexed: set[tuple[int, str]] = set()  # (client, database) whose indexes this process made


def ensure_indexes(db: Database) -> None:
    """Idempotent: the TTL on the day, and the subject's reads in day order."""
    db[READS].create_index([("day", ASCENDING)], expireAfterSeconds=KEPT_DAYS * 86400)
    db[READS].create_index([("subject", ASCENDING), ("day", ASCENDING)])


def record(db: Database, reader: str, subject: str, action: str, relations: Iterable[str]):
    """Count one read of `subject`'s records by `reader` today (UTC)."""
    key = (id(db.client), db.name)
    if key not in _indexed:  # every service's database, without each store knowing of it
        ensure_indexes(db)
        _indexed.add(key)
    now = datetime.now(UTC)
    day = datetime.combine(now.date(), time(), tzinfo=UTC)
    db[READS].update_one(
        {"_id": f"{subject}:{reader}:{action}:{day.date().isoformat()}"},
        {
            "$setOnInsert": {"subject": subject, "reader": reader, "action": action, "day": day},
            "$addToSet": {"relations": {"$each": sorted(relations)}},
            "$inc": {"reads": 1},
            "$set": {"last_at": now},
        },
        upsert=True,
    )


def of_subject(db: Database, subject: str) -> list[dict]:
    """The reads of `subject`'s records by others, oldest day first."""
    cursor = db[READS].find({"subject": subject}, {"_id": 0}).sort([("day", ASCENDING)])
    return [
        {
            "reader": doc["reader"],
            "action": doc["action"],
            "day": doc["day"].date().isoformat(),
            "relations": doc.get("relations", []),
            "reads": doc.get("reads", 1),
            "last_at": doc["last_at"].isoformat() if doc.get("last_at") else None,
        }
        for doc in cursor
    ]
