"""What people do with their identity: one function per command.

Only create_account takes a `Tx` (its audit entry commits with it); logging in and out,
refreshing and changing a password write to a plain Database, each write on its own.
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

from pymongo.database import Database

from gateway.directory import queries as directory
from gateway.directory import store as directory_store
from gateway.identity import domain, queries, store
from gateway.identity.domain import Account
from kinerja import audit
from kinerja.auth import Principal, decode_token, issue_access_token, issue_refresh_token
from kinerja.config import Settings
from kinerja.errors import Unauthorized, ValidationFailed
from kinerja.mongo import Tx

INVALID_CREDENTIALS = "the username or password is wrong"


def create_account(
    tx: Tx,
    username: str,
    password: str,
    roles: list[str],
    nip: str | None,
    email: str | None,
    actor: str,
) -> Account:
    """A login made by HR (the API's `requires("hr")`) or the CLI, audited without the
    password. ValidationFailed for a bad username or password, a role not granted by hand,
    or a NIP the directory lacks; Conflict when the username, NIP or email is taken."""
    username = username.strip().lower()
    domain.check_new_account(username, password, roles)
    if nip and directory_store.find_employee(tx, nip) is None:
        raise ValidationFailed("no such employee", {"nip": [f"no employee with NIP {nip}"]})
    account = Account(
        username=username,
        password_hash=domain.hash_password(password),
        roles=tuple(sorted(roles)),
        nip=nip,
        email=email.lower() if email else None,
    )
    store.insert_account(tx, account)
    public = {"username": username, "roles": list(account.roles), "nip": nip, "email": email}
    audit.record(tx, actor, "account.created", "account", username, None, public)
    return account


def log_in(db: Database, settings: Settings, identifier: str, password: str) -> dict:
    """A new token pair for a username, NIP or email and password; Unauthorized
    `invalid_credentials` for an unknown or inactive account or a wrong password alike,
    in the same time, so the answer never tells whether an account exists. An outdated
    password hash is upgraded on the way."""
    account = queries.find_account(db, identifier)
    if not domain.password_matches(account, password):
        raise Unauthorized(INVALID_CREDENTIALS, code="invalid_credentials")
    if domain.needs_rehash(account):
        store.set_password_hash(db, account.username, domain.hash_password(password))
    return _new_session(db, settings, account)


def refresh(db: Database, settings: Settings, refresh_token: str) -> dict:
    """Trade a refresh token for a new pair; each refresh token works once.

    A token used twice means it was stolen: every session of that account ends. The roles
    are worked out anew, so a directory change shows in the new access token.
    """
    claims = decode_token(settings, refresh_token, "refresh")
    record = store.spend_refresh_token(db, claims["jti"])
    if record is None:
        raise Unauthorized("unknown refresh token", code="invalid_token")
    if record["revoked"]:
        store.revoke_refresh_tokens(db, record["username"])
        raise Unauthorized("refresh token already used; log in again", code="token_reused")
    account = queries.find_account(db, record["username"])
    if account is None or not account.active:
        raise Unauthorized(INVALID_CREDENTIALS, code="invalid_credentials")
    return _new_session(db, settings, account)


def log_out(db: Database, settings: Settings, principal: Principal, refresh_token: str | None):
    """End this session: the access token stops working at the gateway at once. The
    refresh token is spent only when it is the caller's own."""
    if principal.expires_at:
        store.revoke_access_token(db, principal.token_id, principal.expires_at)
    if refresh_token:
        claims = decode_token(settings, refresh_token, "refresh")
        if claims["sub"] == principal.account:
            store.spend_refresh_token(db, claims["jti"])


def change_password(db: Database, principal: Principal, current: str, new: str) -> None:
    """Every refresh token of the account is revoked, this session's too; access tokens
    already issued work until they expire."""
    account = queries.find_account(db, principal.account)
    if not domain.password_matches(account, current):
        raise ValidationFailed("the current password is wrong", {"current_password": ["wrong"]})
    problems = domain.password_problems(new, "new_password")
    if problems:
        raise ValidationFailed("the new password is too weak", problems)
    store.set_password_hash(db, account.username, domain.hash_password(new))
    store.revoke_refresh_tokens(db, account.username)


def profile(db: Database, principal: Principal) -> dict:
    """The token's view of the caller, with the directory record (None for HR/ops only)."""
    account = queries.find_account(db, principal.account)
    employee = directory.get_employee(db, account.nip) if account and account.nip else None
    return {
        "username": principal.account,
        "subject": principal.subject,
        "name": principal.name,
        "roles": sorted(principal.roles),
        "employee": employee,
    }


def _new_session(db: Database, settings: Settings, account: Account) -> dict:
    """employee and supervisor come from the directory at each issue, not the account."""
    employee = directory.get_employee(db, account.nip) if account.nip else None
    roles = domain.effective_roles(
        account,
        employee_active=bool(employee and employee.active),
        has_reports=bool(employee) and directory.has_active_reports(db, account.nip),
    )
    name = employee.name if employee else account.username
    token_id = uuid.uuid4().hex
    expires_at = datetime.now(UTC) + timedelta(seconds=settings.jwt_refresh_ttl_seconds)
    store.record_refresh_token(db, token_id, account.username, expires_at)
    return {
        "access_token": issue_access_token(
            settings, account.subject, roles, name=name, account=account.username
        ),
        "refresh_token": issue_refresh_token(settings, account.username, token_id),
        "token_type": "Bearer",
        "expires_in": settings.jwt_access_ttl_seconds,
    }
