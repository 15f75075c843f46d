"""What people do with their identity: one function per command.

create_account, logging out, changing a password and ending an employee's sessions take a
`Tx` or a unit of work: their audit entry or their revocation events commit with them.
Logging in and refreshing write to a plain Database, each write atomic on its own; a
refresh's reuse ends every session through the unit of work.
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

from pymongo.database import Database

from gateway.directory import queries as directory
from gateway.directory import store as directory_store
from gateway.directory.domain import Employee
from gateway.identity import domain, queries, store
from gateway.identity.domain import Account
from kinerja import audit, revocation
from kinerja.auth import Principal, decode_token, issue_access_token, issue_refresh_token
from kinerja.config import Settings
from kinerja.errors import Unauthorized, ValidationFailed
from kinerja.mongo import Tx, UnitOfWork

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
    password. ValidationFailed for a bad username (a NIP other than its own linked NIP
    among them) or password, a role not granted by hand, or a NIP the directory lacks;
    Conflict when the username, NIP or email is taken."""
    username = username.strip().lower()
    domain.check_new_account(username, password, roles, nip)
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
    `invalid_credentials` for an unknown or inactive account, an account whose employee
    the directory has deactivated, or a wrong password alike, in the same time (the same
    reads and one argon2 check each), so the answer never tells whether an account
    exists. An outdated password hash is upgraded on the way."""
    account = queries.find_account(db, identifier)
    employee = _linked_employee(db, account)
    if not domain.password_matches(account, password) or not _may_sign_in(account, employee):
        raise _invalid_credentials()
    if domain.needs_rehash(account):
        store.set_password_hash(db, account.username, domain.hash_password(password))
    return _new_session(db, settings, account, employee)


def refresh(uow: UnitOfWork, settings: Settings, refresh_token: str) -> dict:
    """Trade a refresh token for a new pair; each refresh token is traded once.

    Within domain.REFRESH_GRACE of that trade the same token answers with the same pair
    again, so two refreshes at once (two tabs, two page loads) both keep the session.
    Used after the grace it was stolen: every session of the account ends, access tokens
    too. A token whose session ended (logout, password change) is refused
    `token_revoked`. The roles are worked out anew, so a directory
    change shows in the new access token; a deactivated employee gets
    `invalid_credentials`.
    """
    db = uow.db
    token_id = decode_token(settings, refresh_token, "refresh")["jti"]
    record = store.find_refresh_token(db, token_id)
    if record is None:
        raise Unauthorized("unknown refresh token", code="invalid_token")
    if record["revoked"] or "used_at" in record:
        return _replay_or_end_sessions(uow, record)
    account = queries.get_account(db, record["username"])
    employee = _linked_employee(db, account)
    if not _may_sign_in(account, employee):
        raise _invalid_credentials()
    # the successor exists before the trade is claimed: a second refresh at once that
    # finds the trade claimed always finds the pair it was traded for
    successor = _new_session(db, settings, account, employee)
    if store.keep_successor(db, token_id, successor):
        store.spend_refresh_token(db, token_id)
        return successor
    store.forget_refresh_token(db, _token_id(settings, successor["refresh_token"]))
    return _replay_or_end_sessions(uow, store.find_refresh_token(db, token_id))


def log_out(uow: UnitOfWork, settings: Settings, principal: Principal, refresh_token: str | None):
    """End this session: the access token stops working at the gateway at once and at
    every service within seconds (kinerja.revocation). The refresh token is revoked
    only when it is the caller's own."""
    if refresh_token:
        claims = decode_token(settings, refresh_token, "refresh")
        if claims["sub"] == principal.account:
            store.revoke_refresh_token(uow.db, claims["jti"], principal.account)
    if principal.expires_at:
        uow(lambda tx: revocation.revoke_token(tx, principal.token_id, principal.expires_at))


def change_password(uow: UnitOfWork, principal: Principal, current: str, new: str) -> None:
    """Every session of the account ends, this one's too: refresh tokens revoked and
    access tokens refused (a password changed because it leaked must shut the thief
    out at once); the person logs in again with the new password."""
    account = queries.get_account(uow.db, principal.account)
    if not domain.password_matches(account, current):
        raise ValidationFailed("the current password is wrong", {"current_password": ["wrong"]})
    problems = domain.password_problems(new, "new_password")
    if problems:
        raise ValidationFailed("the new password is too weak", problems)
    new_hash = domain.hash_password(new)  # outside the transaction, which may run twice

    def change(tx: Tx) -> None:
        store.set_password_hash(tx, account.username, new_hash)
        _end_sessions(tx, account)

    uow(change)


def end_employee_sessions(tx: Tx, nip: str) -> None:
    """Every session of the account linked to employee `nip` ends, in `tx` (their
    deactivation): refresh tokens revoked, access tokens refused everywhere."""
    account = store.to_account(tx.db["accounts"].find_one({"nip": nip}, session=tx.session))
    if account is not None:
        store.revoke_refresh_tokens(tx, account.username)
    revocation.revoke_subject(tx, nip)


def profile(db: Database, principal: Principal) -> dict:
    """The token's view of the caller, with the directory record (None for HR/ops only)."""
    account = queries.get_account(db, principal.account)
    employee = directory.get_employee(db, account.nip) if account and account.nip else None
    return {
        "username": principal.account,
        "subject": principal.subject,
        "name": principal.name,
        "roles": sorted(principal.roles),
        "employee": employee,
    }


def _new_session(
    db: Database, settings: Settings, account: Account, employee: Employee | None
) -> dict:
    """employee and supervisor come from the directory at each issue, not the account."""
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


def _end_sessions(tx: Tx, account: Account) -> None:
    store.revoke_refresh_tokens(tx, account.username)
    revocation.revoke_subject(tx, account.subject)


def _replay_or_end_sessions(uow: UnitOfWork, record: dict) -> dict:
    """A refresh token used again: refused when its session ended (logout, password
    change, deactivation, an earlier reuse); the pair it was traded for within the grace;
    else it was stolen and every session of its account ends."""
    if record["revoked"]:
        raise Unauthorized("this session has ended; log in again", code="token_revoked")
    successor = store.find_successor(uow.db, record["_id"])
    if domain.refresh_replayable(record, successor, datetime.now(UTC)):
        return successor["pair"]
    account = queries.get_account(uow.db, record["username"])
    if account is not None:
        uow(lambda tx: _end_sessions(tx, account))
    raise Unauthorized("refresh token already used; log in again", code="token_reused")


def _linked_employee(db: Database, account: Account | None) -> Employee | None:
    """The account's employee; one read whether or not there is one, so that an unknown
    account costs a login the same time as a known one."""
    nip = account.nip if account and account.nip else ""
    return directory.get_employee(db, nip)


def _may_sign_in(account: Account | None, employee: Employee | None) -> bool:
    return account is not None and domain.may_sign_in(account, bool(employee and employee.active))


def _invalid_credentials() -> Unauthorized:
    return Unauthorized(INVALID_CREDENTIALS, code="invalid_credentials")


def _token_id(settings: Settings, token: str) -> str:
    return decode_token(settings, token, "refresh")["jti"]
