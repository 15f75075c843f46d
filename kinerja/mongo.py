"""MongoDB access: one client per process, and units of work that carry the outbox."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TypeVar

from pymongo import MongoClient
from pymongo.client_session import ClientSession
from pymongo.database import Database
from pymongo.errors import ConnectionFailure, PyMongoError

from kinerja.bus.envelope import Envelope
from kinerja.bus.outbox import Outbox
from kinerja.config import Settings

T = TypeVar("T")


def connect(settings: Settings) -> MongoClient:
    return MongoClient(
        settings.mongo_url,
        serverSelectionTimeoutMS=settings.mongo_timeout_ms,
        connectTimeoutMS=settings.mongo_timeout_ms,
        tz_aware=True,
        appname=f"kinerja-{settings.service}",
    )


def is_unavailable(exc: BaseException) -> bool:
    """True when the database is unreachable, not when a write was refused."""
    if isinstance(exc, ConnectionFailure):
        return True
    return isinstance(exc, PyMongoError) and exc.has_error_label("TransientTransactionError")


@dataclass
class Tx:
    """One open transaction: the session to pass to writes, and the outbox to publish into."""

    db: Database
    session: ClientSession
    outbox: Outbox
    producer: str

    def publish(self, event_type: str, data: dict, version: int = 1) -> Envelope:
        envelope = Envelope.new(event_type, data, producer=self.producer, version=version)
        self.outbox.add(envelope, self.session)
        return envelope


class UnitOfWork:
    """Runs work in one MongoDB transaction so state and its events commit together.

    pymongo's with_transaction retries the work on transient errors, so the work
    must be safe to run twice: build events inside it, never outside.
    """

    def __init__(self, client: MongoClient, db: Database, producer: str):
        self.client = client
        self.db = db
        self.producer = producer
        self.outbox = Outbox(db)

    def __call__(self, work: Callable[[Tx], T]) -> T:
        with self.client.start_session() as session:
            return session.with_transaction(
                lambda s: work(Tx(self.db, s, self.outbox, self.producer))
            )
