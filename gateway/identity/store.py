"""Accounts and refresh-token records in MongoDB. Account creation and the writes that end
sessions run in a transaction (with their revocation events); a login's and a refresh's
writes take a plain Database, each atomic on its own. Access-token revocations are
kinerja.revocation's."""

from __future__ import annotations

from dataclasses import asdict
from datetime import UTC, datetime

from pymongo import ASCENDING
from pymongo.database import Database
from pymongo.errors import DuplicateKeyError

from gateway.identity.domain import REFRESH_GRACE, Account
from kinerja.errors import Conflict
from kinerja.mongo import Tx, db_and_session

SUCCESSORS = "refresh_successors"


def ensure_indexes(db: Database) -> None:
    """Idempotent. Partial unique indexes let many accounts lack a NIP or an email."""
    accounts = db["accounts"]
    accounts.create_index(
        "email", unique=True, partialFilterExpression={"email": {"$type": "string"}}
    )
    accounts.create_index("nip", unique=True, partialFilterExpression={"nip": {"$type": "string"}})
    db["refresh_tokens"].create_index("expires_at", expireAfterSeconds=0)
    db["refresh_tokens"].create_index([("username", ASCENDING)])
    # a traded token's successor pair is a live session's tokens: kept only for the grace
    db[SUCCESSORS].create_index("spent_at", expireAfterSeconds=int(REFRESH_GRACE.total_seconds()))


def to_account(doc: dict | None) -> Account | None:
    if doc is None:
        return None
    return Account(
        username=doc["_id"],
        password_hash=doc["password_hash"],
        roles=tuple(doc.get("roles", ())),
        nip=doc.get("nip"),
        email=doc.get("email"),
        active=doc.get("active", True),
    )


def insert_account(tx: Tx, account: Account) -> None:
    """Conflict (409) for a taken username, NIP or email, from the unique indexes."""
    doc = asdict(account)
    doc["_id"] = doc.pop("username")
    doc["roles"] = list(account.roles)
    try:
        tx.db["accounts"].insert_one(doc, session=tx.session)
    except DuplicateKeyError as exc:
        raise Conflict(
            "an account with this username, NIP or email exists",
            {"username": ["already taken, or its NIP or email is"]},
        ) from exc


def set_password_hash(db_or_tx: Database | Tx, username: str, password_hash: str) -> None:
    """Replace the hash (a changed password, or a rehash at login); it ends no session."""
    db, session = db_and_session(db_or_tx)
    db["accounts"].update_one(
        {"_id": username}, {"$set": {"password_hash": password_hash}}, session=session
    )


def record_refresh_token(db: Database, token_id: str, username: str, expires_at: datetime) -> None:
    """Remember an issued refresh token by its jti, so it can be spent once and revoked."""
    db["refresh_tokens"].insert_one(
        {"_id": token_id, "username": username, "expires_at": expires_at, "revoked": False}
    )


def keep_successor(db: Database, token_id: str, successor: dict) -> bool:
    """Claim the trade of refresh token `token_id` for the pair `successor`; False when
    another trade claimed it first. Atomic (one document per traded token): of two
    refreshes at once one claims it, and the other finds the pair it was traded for."""
    try:
        db[SUCCESSORS].insert_one(
            {"_id": token_id, "pair": successor, "spent_at": datetime.now(UTC)}
        )
    except DuplicateKeyError:
        return False
    return True


def find_successor(db: Database, token_id: str) -> dict | None:
    """The claimed trade of a refresh token ({pair, spent_at}), while it is kept."""
    return db[SUCCESSORS].find_one({"_id": token_id})


def spend_refresh_token(db: Database, token_id: str) -> None:
    """Mark a refresh token used once its trade is claimed (keep_successor)."""
    db["refresh_tokens"].update_one(
        {"_id": token_id, "used_at": {"$exists": False}}, {"$set": {"used_at": datetime.now(UTC)}}
    )


def find_refresh_token(db: Database, token_id: str) -> dict | None:
    return db["refresh_tokens"].find_one({"_id": token_id})


def forget_refresh_token(db: Database, token_id: str) -> None:
    """Drop a record whose token was never handed out (a refresh that lost a race)."""
    db["refresh_tokens"].delete_one({"_id": token_id, "used_at": {"$exists": False}})


def revoke_refresh_token(db: Database, token_id: str, username: str) -> None:
    """End one session (a logout): only a token of `username` is touched."""
    db["refresh_tokens"].update_one(
        {"_id": token_id, "username": username}, {"$set": {"revoked": True}}
    )


def revoke_refresh_tokens(db_or_tx: Database | Tx, username: str) -> None:
    """Every session of the account ends at its next refresh (access tokens: revocation)."""
    db, session = db_and_session(db_or_tx)
    db["refresh_tokens"].update_many(
        {"username": username}, {"$set": {"revoked": True}}, session=session
    )
