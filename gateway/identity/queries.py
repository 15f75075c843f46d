"""Identity's reads: an account by what its owner types, or by its username."""

from __future__ import annotations

from pymongo.database import Database

from gateway.identity import domain, store
from gateway.identity.domain import Account


def find_account(db: Database, identifier: str) -> Account | None:
    """The one account an identifier names, whichever the person typed: 18 digits are a
    NIP and match the account linked to it (never another account's username), text with
    an @ an email, anything else a username (username and email case-insensitively).
    None when nothing matches; inactive accounts are found too."""
    identifier = identifier.strip()
    if domain.looks_like_nip(identifier):
        query = {"nip": identifier}
    elif "@" in identifier:
        query = {"email": identifier.lower()}
    else:
        query = {"_id": identifier.lower()}
    return store.to_account(db["accounts"].find_one(query))


def get_account(db: Database, username: str) -> Account | None:
    """The account of a login name exactly (as tokens carry it); None when there is none."""
    return store.to_account(db["accounts"].find_one({"_id": username}))
