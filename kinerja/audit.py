"""The audit trail every service keeps the same way: who did what, when, before and after.

Written in the same transaction as the change it records.
"""

from __future__ import annotations

from datetime import UTC, datetime

from pymongo import DESCENDING
from pymongo.database import Database

from kinerja.logs import current_ids
from kinerja.mongo import Tx


def ensure_indexes(db: Database) -> None:
    db["audit"].create_index([("entity", 1), ("entity_id", 1), ("at", DESCENDING)])


def record(
    tx: Tx,
    actor: str,
    action: str,
    entity: str,
    entity_id: str,
    before: dict | None,
    after: dict | None,
) -> None:
    tx.db["audit"].insert_one(
        {
            "at": datetime.now(UTC),
            "actor": actor,
            "action": action,
            "entity": entity,
            "entity_id": entity_id,
            "before": before,
            "after": after,
            "correlation_id": current_ids().get("correlation_id"),
        },
        session=tx.session,
    )


def history(db: Database, entity: str, entity_id: str, limit: int = 100) -> list[dict]:
    cursor = (
        db["audit"]
        .find({"entity": entity, "entity_id": entity_id}, {"_id": 0})
        .sort("at", DESCENDING)
        .limit(limit)
    )
    return list(cursor)
