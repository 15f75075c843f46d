"""MongoDB access: one client per process, and units of work that carry the outbox."""

from __future__ import annotations

import random
import time
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from typing import TypeVar

from bson.codec_options import TypeCodec, TypeRegistry
from bson.decimal128 import Decimal128
from pymongo import MongoClient
from pymongo.client_session import ClientSession
from pymongo.database import Database
from pymongo.errors import ConnectionFailure, PyMongoError

from kinerja.bus.envelope import Envelope
from kinerja.bus.outbox import Outbox
from kinerja.config import Settings
from kinerja.contracts.contract import EventType
from kinerja.errors import Conflict

T = TypeVar("T")
# a conflicted transaction waits up to 5 ms x 2^attempt (at most 200 ms) before running again
CONFLICT_BACKOFF = 0.005
CONFLICT_BACKOFF_CAP = 0.2


class DecimalCodec(TypeCodec):
    """Exact decimals (the regulation's arithmetic) stored as BSON Decimal128."""

    python_type = Decimal
    bson_type = Decimal128

    def transform_python(self, value: Decimal) -> Decimal128:
        return Decimal128(value)

    def transform_bson(self, value: Decimal128) -> Decimal:
        return value.to_decimal()


def connect(settings: Settings) -> MongoClient:
    return MongoClient(
        settings.mongo_url,
        type_registry=TypeRegistry([DecimalCodec()]),
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


CLAIMS = "claims"  # one small document per key a write claimed (Tx.claim)


@dataclass
class Tx:
    """One open transaction: the session to pass to writes, and the outbox to publish into."""

    db: Database
    session: ClientSession
    outbox: Outbox
    producer: str

    def publish(self, event_type: EventType, payload: object) -> Envelope:
        """Store the event in the outbox, in its contract's latest version; a payload the
        contract rejects raises here, before anything is committed."""
        envelope = Envelope.new(
            event_type.name,
            event_type.dump(payload),
            producer=self.producer,
            version=event_type.latest.number,
        )
        self.outbox.add(envelope, self.session)
        return envelope

    def claim(self, *key: str) -> None:
        """Serialize the transactions that decide on the same thing. A rule checked by
        reading (one assignment per rater and ratee, a day's minutes) does not hold under
        snapshot isolation by itself: two transactions read the same "nothing yet" and both
        insert. Each writes this key's claim first, so of two at once one meets a write
        conflict, runs again once the other committed and reads what it wrote."""
        self.db[CLAIMS].update_one(
            {"_id": ":".join(key)}, {"$inc": {"claims": 1}}, upsert=True, session=self.session
        )


def db_and_session(db_or_tx: Database | Tx) -> tuple[Database, ClientSession | None]:
    """For reads that work alike inside a transaction (its session) or outside it."""
    if isinstance(db_or_tx, Tx):
        return db_or_tx.db, db_or_tx.session
    return db_or_tx, None


def keep_newest(
    tx: Tx, collection: str, key: str, doc: dict, revision: int, field: str = "revision"
) -> bool:
    """A consumer's copy of another service's record: replaced by `doc` unless the copy
    held is as new or newer. Competing consumers may apply one record's events in either
    order, so the producer's revision decides, not the arrival; a revision of 0 (an event
    from before its producer counted revisions) always applies. True when it was kept."""
    held = tx.db[collection].find_one({"_id": key}, {field: 1}, session=tx.session)
    if held is not None and held.get(field, 0) >= revision > 0:
        return False
    tx.db[collection].replace_one(
        {"_id": key}, {**doc, field: revision}, upsert=True, session=tx.session
    )
    return True


def save_versioned(tx: Tx, collection: str, doc: dict, version_field: str = "version") -> None:
    """Insert the first version, or replace exactly the version this one follows.

    Two edits of the same version: the second finds nothing to replace and gets a 409.
    """
    version = doc[version_field]
    if version == 1:
        tx.db[collection].insert_one(doc, session=tx.session)
        return
    result = tx.db[collection].replace_one(
        {"_id": doc["_id"], version_field: version - 1}, doc, session=tx.session
    )
    if result.matched_count != 1:
        raise Conflict("the record changed meanwhile; reload and try again")


class UnitOfWork:
    """Runs work in one MongoDB transaction so state and its events commit together.

    Write conflicts are retried for a few seconds, so the work must be safe to
    run twice: build events inside it, never outside. An unreachable server is
    not retried here: callers answer 503 (HTTP) or wait and redeliver (events).
    pymongo's with_transaction would retry that for two minutes.
    """

    def __init__(self, client: MongoClient, db: Database, producer: str, retry_seconds: float = 5):
        self.client = client
        self.db = db
        self.producer = producer
        self.retry_seconds = retry_seconds
        self.outbox = Outbox(db)

    def __call__(self, work: Callable[[Tx], T]) -> T:
        deadline = time.monotonic() + self.retry_seconds
        attempt = 0
        while True:
            with self.client.start_session() as session:
                session.start_transaction()
                try:
                    result = work(Tx(self.db, session, self.outbox, self.producer))
                except PyMongoError as exc:
                    session.abort_transaction()
                    if _conflict(exc, "TransientTransactionError") and time.monotonic() < deadline:
                        attempt = _back_off(attempt)
                        continue
                    raise
                except BaseException:
                    session.abort_transaction()
                    raise
                if self._commit(session, deadline):
                    return result
            attempt = _back_off(attempt)

    @staticmethod
    def _commit(session: ClientSession, deadline: float) -> bool:
        """Commit; False when the whole transaction must run again."""
        while True:
            try:
                session.commit_transaction()
                return True
            except PyMongoError as exc:
                # Retrying the commit (not the work) is safe: the server applies it once.
                if _conflict(exc, "UnknownTransactionCommitResult") and time.monotonic() < deadline:
                    continue
                if _conflict(exc, "TransientTransactionError") and time.monotonic() < deadline:
                    return False
                raise


def _back_off(attempt: int) -> int:
    """A random pause before a conflicted transaction runs again, growing with the
    attempts (the next attempt's number returned): twenty writers of one key retried at
    once would only conflict again at once."""
    time.sleep(random.uniform(0, min(CONFLICT_BACKOFF_CAP, CONFLICT_BACKOFF * 2**attempt)))
    return attempt + 1


def _conflict(exc: PyMongoError, label: str) -> bool:
    """A retryable outcome of concurrency, not a server that is down."""
    return exc.has_error_label(label) and not isinstance(exc, ConnectionFailure)
