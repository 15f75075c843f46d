"""The transactional outbox: events are stored in the same transaction as the change."""

from __future__ import annotations

from datetime import UTC, datetime

from pymongo import ASCENDING
from pymongo.client_session import ClientSession
from pymongo.database import Database

from kinerja.bus.envelope import Envelope

# Published events are kept a week for inspection, then MongoDB drops them.
PUBLISHED_RETENTION_SECONDS = 7 * 24 * 3600


class Outbox:
    def __init__(self, db: Database):
        self.collection = db["outbox"]

    def ensure_indexes(self) -> None:
        self.collection.create_index([("published", ASCENDING), ("created_at", ASCENDING)])
        self.collection.create_index(
            "published_at", expireAfterSeconds=PUBLISHED_RETENTION_SECONDS, sparse=True
        )

    def add(self, envelope: Envelope, session: ClientSession) -> None:
        self.collection.insert_one(
            {
                "_id": envelope.id,
                "envelope": envelope.to_dict(),
                "published": False,
                "created_at": datetime.now(UTC),
            },
            session=session,
        )

    def pending(self, limit: int) -> list[Envelope]:
        docs = (
            self.collection.find({"published": False}, {"envelope": 1})
            .sort([("created_at", ASCENDING), ("_id", ASCENDING)])
            .limit(limit)
        )
        return [Envelope(**doc["envelope"]) for doc in docs]

    def mark_published(self, event_ids: list[str]) -> None:
        if event_ids:
            self.collection.update_many(
                {"_id": {"$in": event_ids}},
                {"$set": {"published": True, "published_at": datetime.now(UTC)}},
            )

    def backlog(self) -> int:
        return self.collection.count_documents({"published": False})
