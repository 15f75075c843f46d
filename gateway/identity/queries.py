"""Identity's reads: an account by what its owner types, and whether an access token
was revoked (the gateway's check on every request and the UI's on its session)."""

from __future__ import annotations

from pymongo.database import Database

from gateway.identity import store
from gateway.identity.domain import Account


def find_account(db: Database, identifier: str) -> Account | None:
    """By username, NIP or email: whichever the person typed (username and email match
    case-insensitively); None when nothing matches. Inactive accounts are found too."""
    identifier = identifier.strip()
    return store.to_account(
        db["accounts"].find_one(
            {
                "$or": [
                    {"_id": identifier.lower()},
                    {"nip": identifier},
                    {"email": identifier.lower()},
                ]
            }
        )
    )


def access_token_revoked(db: Database, token_id: str) -> bool:
    """Whether the gateway must refuse this token (logged out) although its signature holds."""
    return db["revoked_access_tokens"].count_documents({"_id": token_id}, limit=1) > 0
