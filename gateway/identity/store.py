"""Accounts and token records in MongoDB; only account creation runs in a transaction,
the session and password writes take a plain Database."""

from __future__ import annotations

from dataclasses import asdict
from datetime import UTC, datetime

from pymongo import ASCENDING
from pymongo.database import Database
from pymongo.errors import DuplicateKeyError

from gateway.identity.domain import Account
from kinerja.errors import Conflict
from kinerja.mongo import Tx


def ensure_indexes(db: Database) -> None:
    """Idempotent. Partial unique indexes let many accounts lack a NIP or an email."""
    accounts = db["accounts"]
    accounts.create_index(
        "email", unique=True, partialFilterExpression={"email": {"$type": "string"}}
    )
    accounts.create_index("nip", unique=True, partialFilterExpression={"nip": {"$type": "string"}})
    db["refresh_tokens"].create_index("expires_at", expireAfterSeconds=0)
    db["refresh_tokens"].create_index([("username", ASCENDING)])
    db["revoked_access_tokens"].create_index("expires_at", expireAfterSeconds=0)


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


def set_password_hash(db: Database, username: str, password_hash: str) -> None:
    """Replace the hash (a changed password, or a rehash at login); it ends no session."""
    db["accounts"].update_one({"_id": username}, {"$set": {"password_hash": password_hash}})


def record_refresh_token(db: Database, token_id: str, username: str, expires_at: datetime) -> None:
    """Remember an issued refresh token by its jti, so it can be spent once and revoked."""
    db["refresh_tokens"].insert_one(
        {"_id": token_id, "username": username, "expires_at": expires_at, "revoked": False}
    )


def spend_refresh_token(db: Database, token_id: str) -> dict | None:
    """Mark a refresh token used; returns its record as it was (None if unknown). Atomic:
    of two uses at once, only one sees it unrevoked."""
    return db["refresh_tokens"].find_one_and_update(
        {"_id": token_id}, {"$set": {"revoked": True, "used_at": datetime.now(UTC)}}
    )


def revoke_refresh_tokens(db: Database, username: str) -> None:
    """Sessions end at their next refresh; access tokens issued live until they expire."""
    db["refresh_tokens"].update_many({"username": username}, {"$set": {"revoked": True}})


def revoke_access_token(db: Database, token_id: str, expires_at: datetime) -> None:
    """Idempotent; the record is kept only until the token would have expired anyway."""
    db["revoked_access_tokens"].update_one(
        {"_id": token_id}, {"$set": {"expires_at": expires_at}}, upsert=True
    )
