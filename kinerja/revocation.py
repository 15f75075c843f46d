"""Access tokens ended before their expiry: the gateway records them, every service refuses them.

An access token is signed and lives JWT_ACCESS_TTL_SECONDS; a logout, a password change, a
refresh token's reuse or a deactivation must end it sooner. The gateway records each
revocation in its own database and publishes it in the same transaction
(`gateway.token.revoked`: one token; `gateway.subject.revoked`: every token of a subject
issued before a moment). Every service keeps its own copy (kinerja.directory_replica
subscribes it) and `kinerja.auth.current_principal` refuses what the copy lists with 401
`token_revoked`. A record is dropped (TTL index) once the tokens it concerns have expired.

A service reads its copy through an in-process snapshot refreshed at most every
REFRESH_SECONDS, one small read per process rather than one per request; the gateway
reads its own records at every request, so a revocation stops there at once.
"""

from __future__ import annotations

import math
import threading
import time
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING

from flask import Flask, current_app, g
from pymongo.client_session import ClientSession
from pymongo.database import Database

from kinerja.bus.consumer import Subscriptions
from kinerja.bus.envelope import Envelope
from kinerja.contracts import gateway as contract
from kinerja.errors import Unauthorized
from kinerja.mongo import Tx

if TYPE_CHECKING:
    from kinerja.auth import Principal

COLLECTION = "revoked_tokens"
# the longest a service's web process accepts a token after its revocation reached the
# service's database (the event path adds the relay's and consumer's delay, well under 1 s)
REFRESH_SECONDS = 2.0
# how long a subject's revocation is kept: longer than any access token lives (the gateway
# refuses to start with a longer JWT_ACCESS_TTL_SECONDS), so no token it ends outlives it
LONGEST_ACCESS_TTL = timedelta(days=1)
EXTENSION = "kinerja.revocations"


@dataclass(frozen=True)
class Revocations:
    """What is revoked: token ids, and per subject the moment before which every token is."""

    token_ids: frozenset[str] = frozenset()
    issued_before: Mapping[str, datetime] = field(default_factory=dict)

    def revoke(self, token_id: str, subject: str, issued_at: datetime | None) -> bool:
        """Whether a token of this id, subject and issue time is refused; one without an
        issue time is refused whenever its subject's tokens are."""
        if token_id in self.token_ids:
            return True
        cutoff = self.issued_before.get(subject)
        return cutoff is not None and (issued_at is None or issued_at < cutoff)

    @classmethod
    def from_records(cls, records: Iterable[dict]) -> Revocations:
        token_ids, issued_before = set(), {}
        for record in records:
            if "token_id" in record:
                token_ids.add(record["token_id"])
            else:
                issued_before[record["subject"]] = record["issued_before"]
        return cls(frozenset(token_ids), issued_before)


def ensure_indexes(db: Database) -> None:
    """Idempotent: records go once every token they concern has expired."""
    db[COLLECTION].create_index("expires_at", expireAfterSeconds=0)


def read(db: Database, token_id: str | None = None, subject: str | None = None) -> Revocations:
    """Every record, or with a token id and subject only those that could concern it."""
    keys = [_token_key(token_id), _subject_key(subject)] if token_id is not None else None
    query = {} if keys is None else {"_id": {"$in": keys}}
    return Revocations.from_records(db[COLLECTION].find(query))


# -- the gateway: record and announce ---------------------------------------------------


def revoke_token(tx: Tx, token_id: str, expires_at: datetime) -> None:
    """End one access token everywhere (idempotent): recorded and published in `tx`."""
    _keep_token(tx.db, tx.session, token_id, expires_at)
    tx.publish(contract.TOKEN_REVOKED, {"token_id": token_id, "expires_at": expires_at})


def revoke_subject(tx: Tx, subject: str) -> datetime:
    """End every access token of `subject` issued until now, everywhere; tokens issued
    afterwards work. Returns the moment, rounded up to the millisecond MongoDB keeps so
    that no token issued before it slips under the stored value."""
    now = datetime.now(UTC)
    issued_before = now.replace(microsecond=0) + timedelta(
        milliseconds=math.ceil(now.microsecond / 1000)
    )
    expires_at = issued_before + LONGEST_ACCESS_TTL
    _keep_subject(tx.db, tx.session, subject, issued_before, expires_at)
    payload = {"subject": subject, "issued_before": issued_before, "expires_at": expires_at}
    tx.publish(contract.SUBJECT_REVOKED, payload)
    return issued_before


# -- every service: keep a copy ---------------------------------------------------------


def keep_revocations(subscriptions: Subscriptions) -> None:
    """Subscribe a service to the gateway's revocations."""
    subscriptions.on(contract.TOKEN_REVOKED)(apply_token_revoked)
    subscriptions.on(contract.SUBJECT_REVOKED)(apply_subject_revoked)


def apply_token_revoked(event: Envelope, tx: Tx) -> None:
    """Idempotent, in any order."""
    _keep_token(tx.db, tx.session, event.data["token_id"], event.data["expires_at"])


def apply_subject_revoked(event: Envelope, tx: Tx) -> None:
    """Idempotent; of two revocations of one subject the later moment wins, in any order."""
    data = event.data
    _keep_subject(tx.db, tx.session, data["subject"], data["issued_before"], data["expires_at"])


def _keep_token(db: Database, session: ClientSession | None, token_id: str, expires_at) -> None:
    db[COLLECTION].update_one(
        {"_id": _token_key(token_id)},
        {"$set": {"token_id": token_id, "expires_at": expires_at}},
        upsert=True,
        session=session,
    )


def _keep_subject(
    db: Database, session: ClientSession | None, subject: str, issued_before, expires_at
) -> None:
    db[COLLECTION].update_one(
        {"_id": _subject_key(subject)},
        {
            "$set": {"subject": subject},
            "$max": {"issued_before": issued_before, "expires_at": expires_at},
        },
        upsert=True,
        session=session,
    )


def _token_key(token_id: str) -> str:
    return f"token:{token_id}"


def _subject_key(subject: str | None) -> str:
    return f"subject:{subject}"


# -- the check, in every web process ----------------------------------------------------


class RevocationCheck:
    """One process's view of its database's revocations: a snapshot of every record,
    read again when older than refresh_seconds; 0 reads the token's records each time."""

    def __init__(self, refresh_seconds: float = REFRESH_SECONDS):
        self.refresh_seconds = refresh_seconds
        self._lock = threading.Lock()
        self._snapshot: Revocations | None = None
        self._read_at = 0.0

    def revokes(self, db: Database, principal: Principal) -> bool:
        """Whether `principal`'s token is refused."""
        if self.refresh_seconds <= 0:
            known = read(db, principal.token_id, principal.subject)
        else:
            known = self._current(db)
        return known.revoke(principal.token_id, principal.subject, principal.issued_at)

    def _current(self, db: Database) -> Revocations:
        with self._lock:
            if self._snapshot is None or time.monotonic() - self._read_at >= self.refresh_seconds:
                self._snapshot = read(db)
                self._read_at = time.monotonic()
            return self._snapshot


def install(app: Flask, refresh_seconds: float = REFRESH_SECONDS) -> None:
    """How often this app reads its revocations (an app without it: REFRESH_SECONDS)."""
    app.extensions[EXTENSION] = RevocationCheck(refresh_seconds)


def is_revoked(principal: Principal) -> bool:
    """Whether this request's app refuses `principal`'s token (inside a request)."""
    check = current_app.extensions.setdefault(EXTENSION, RevocationCheck())
    return check.revokes(g.kinerja.db, principal)


def refuse_revoked(principal: Principal) -> None:
    """401 `token_revoked` for a token ended before its expiry."""
    if is_revoked(principal):
        raise Unauthorized("this session has ended; log in again", code="token_revoked")
