"""Idempotency keys: a client that did not hear back from a write retries it with the
same `Idempotency-Key` header, and the write is applied once.

The key is recorded in the same transaction as the write's effect (and its events), so
"the key is stored" means "the write committed". The answer is stored right after; a
retry gets that answer again, marked `Idempotent-Replayed: true`. When the process died
between the commit and storing the answer, a retry learns that the write was applied
(409 `already_applied`) instead of applying it a second time.

Keys belong to the caller (the token's subject) and to one request: the same key with
another method, path or body is refused (422), so a client bug cannot replay the wrong
answer. Records expire after a week.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime

from flask import Response, g, has_request_context, request
from pymongo import ASCENDING
from pymongo.database import Database
from pymongo.errors import DuplicateKeyError, PyMongoError

from kinerja.errors import Conflict, ValidationFailed
from kinerja.logs import get_logger
from kinerja.mongo import T, Tx, UnitOfWork

log = get_logger(__name__)

HEADER = "Idempotency-Key"
REPLAYED_HEADER = "Idempotent-Replayed"
COLLECTION = "idempotency_keys"
KEEP_SECONDS = 7 * 24 * 3600
WRITE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
# a UUID fits; so does any opaque token of visible ASCII up to 128 characters
KEY_PATTERN = re.compile(r"^[\x21-\x7e]{8,128}$")
STORED_BODY_LIMIT = 256 * 1024


@dataclass(frozen=True)
class Claim:
    """One caller's key for one request."""

    id: str
    fingerprint: str


class AlreadyApplied(Conflict):
    code = "already_applied"


def claim_for(subject: str, key: str, method: str, path: str, body: bytes) -> Claim:
    if not KEY_PATTERN.match(key):
        raise ValidationFailed(
            "the Idempotency-Key header must be 8 to 128 visible ASCII characters",
            {HEADER: ["not a valid key"]},
        )
    digest = hashlib.sha256(f"{method} {path}\n".encode() + body).hexdigest()
    return Claim(id=f"{subject}\x1f{key}", fingerprint=digest)


def ensure_indexes(db: Database) -> None:
    db[COLLECTION].create_index([("created_at", ASCENDING)], expireAfterSeconds=KEEP_SECONDS)


def record(db: Database, session, claim: Claim) -> None:
    """Inside the write's transaction: the key, committed with the effect or not at all."""
    try:
        db[COLLECTION].insert_one(
            {"_id": claim.id, "fingerprint": claim.fingerprint, "created_at": _now()},
            session=session,
        )
    except DuplicateKeyError as exc:
        # another request with this key committed first (or is committing right now)
        raise AlreadyApplied(
            "a request with this Idempotency-Key was already applied; read the resource"
        ) from exc


def previous_answer(db: Database, claim: Claim) -> Response | None:
    """The stored answer to this key, or None when the key is new."""
    stored = db[COLLECTION].find_one({"_id": claim.id})
    if stored is None:
        return None
    if stored["fingerprint"] != claim.fingerprint:
        raise ValidationFailed(
            "this Idempotency-Key was used for another request; use a new key",
            {HEADER: ["reused with another method, path or body"]},
            code="idempotency_key_reused",
        )
    answer = stored.get("answer")
    if answer is None:
        raise AlreadyApplied(
            "a request with this Idempotency-Key was applied; its answer was not kept, "
            "read the resource"
        )
    response = Response(answer["body"], status=answer["status"], mimetype=answer["mimetype"])
    response.headers[REPLAYED_HEADER] = "true"
    return response


def remember_answer(db: Database, claim: Claim, response: Response) -> None:
    """After the commit: keep the answer for retries (best effort; see AlreadyApplied)."""
    if response.direct_passthrough:  # a stream: reading it here would take it from the client
        return
    body = response.get_data()
    if len(body) > STORED_BODY_LIMIT:
        return
    answer = {"status": response.status_code, "mimetype": response.mimetype, "body": body}
    try:
        db[COLLECTION].update_one({"_id": claim.id}, {"$set": {"answer": answer}})
    except PyMongoError as exc:
        log.warning("idempotency.answer_not_kept", error=str(exc))


def _now() -> datetime:
    return datetime.now(UTC)


# -- the request's side: Flask hooks the app factory installs ---------------------------


def request_claim(subject: str | None) -> Claim | None:
    """This request's claim, when it is a write that carries a key."""
    key = request.headers.get(HEADER)
    if key is None or request.method not in WRITE_METHODS or subject is None:
        return None
    return claim_for(subject, key, request.method, request.full_path, request.get_data())


def pending_claim() -> Claim | None:
    """The claim the request's next unit of work must record (once per request)."""
    if not has_request_context():
        return None
    return g.get("idempotency_claim")


def claim_committed() -> None:
    g.idempotency_committed = g.pop("idempotency_claim", None)


def committed_claim() -> Claim | None:
    return g.get("idempotency_committed")


class IdempotentUnitOfWork(UnitOfWork):
    """The unit of work of requests: it records the request's key with the write."""

    def __call__(self, work: Callable[[Tx], T]) -> T:
        claim = pending_claim()
        if claim is None:
            return super().__call__(work)

        def claimed(tx: Tx) -> T:
            record(tx.db, tx.session, claim)
            return work(tx)

        result = super().__call__(claimed)
        claim_committed()
        return result
