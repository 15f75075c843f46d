"""Rules of identity, pure: who may log in and with which roles."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from kinerja.errors import ValidationFailed

# Roles an account is granted explicitly; employee and supervisor follow from the directory.
GRANTED_ROLES = ("hr", "ops")
USERNAME = re.compile(r"^(?:\d{18}|[a-z0-9][a-z0-9._-]{2,63})$")
# what a person may type as a NIP; an account is found by it through its linked NIP only
NIP_LIKE = re.compile(r"^\d{18}$")
# the subject of an account linked to no employee: the prefix keeps it from ever being a NIP
ACCOUNT_SUBJECT_PREFIX = "account:"
MIN_PASSWORD_LENGTH = 8
# A refresh token spent less than this long ago answers again with the pair it was traded
# for: two tabs (or page loads) refreshing at once both keep their session. After it, a
# second use is a stolen token's, and every session of the account ends.
REFRESH_GRACE = timedelta(seconds=30)

_hasher = PasswordHasher()  # argon2id with the library's current recommended parameters
# Verified against when the username is unknown, so both failures take the same time.
_UNKNOWN_USER_HASH = _hasher.hash("no account has this password")


@dataclass(frozen=True)
class Account:
    """A login. nip links it to an employee of the directory (their token subject)."""

    username: str
    password_hash: str
    roles: tuple[str, ...] = ()
    nip: str | None = None
    email: str | None = None
    active: bool = True

    @property
    def subject(self) -> str:
        """Whom the services see: the linked employee's NIP, else `account:<username>`,
        which no NIP equals, so an unlinked login is never taken for an employee."""
        return self.nip or f"{ACCOUNT_SUBJECT_PREFIX}{self.username}"


def looks_like_nip(text: str) -> bool:
    """Whether what someone typed is a NIP (18 digits), to be matched as one."""
    return bool(NIP_LIKE.match(text))


def check_new_account(username: str, password: str, roles: list[str], nip: str | None) -> None:
    """ValidationFailed naming each bad field: a username that is not one (or is a NIP
    other than the account's own linked NIP), a weak password, a role not granted by hand."""
    fields: dict[str, list[str]] = {}
    if not USERNAME.match(username):
        fields["username"] = ["an 18-digit NIP, or 3-64 of a-z 0-9 . _ - (lowercase)"]
    elif looks_like_nip(username) and username != nip:
        fields["username"] = ["a NIP as username only for the account linked to that NIP"]
    fields.update(password_problems(password))
    unknown = sorted(set(roles) - set(GRANTED_ROLES))
    if unknown:
        fields["roles"] = [f"only {', '.join(GRANTED_ROLES)} are granted; not {unknown}"]
    if fields:
        raise ValidationFailed("the account cannot be created", fields)


def password_problems(password: str, field: str = "password") -> dict[str, list[str]]:
    if len(password) < MIN_PASSWORD_LENGTH:
        return {field: [f"at least {MIN_PASSWORD_LENGTH} characters"]}
    return {}


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def password_matches(account: Account | None, password: str) -> bool:
    """Constant work whether or not the account exists, so the answer reveals nothing."""
    stored = account.password_hash if account and account.active else _UNKNOWN_USER_HASH
    try:
        _hasher.verify(stored, password)
    except (VerificationError, InvalidHashError):
        return False
    return account is not None and account.active


def may_sign_in(account: Account, employee_active: bool) -> bool:
    """An active account, and one linked to an employee only while the directory has
    that employee active: a deactivated employee neither logs in nor refreshes."""
    return account.active and (account.nip is None or employee_active)


def refresh_replayable(record: dict, successor: dict | None, now: datetime) -> bool:
    """Whether a traded refresh token answers again with the pair it was traded for
    (`successor`, {pair, spent_at}): its session not ended, and within REFRESH_GRACE."""
    if record["revoked"] or successor is None:
        return False
    return now - successor["spent_at"] < REFRESH_GRACE


def login_limit_key(address: str, identifier: str, account: Account | None) -> str:
    """What one login attempt counts against: the account whichever alias names it
    (username, NIP or email), or an unknown identifier's normalized text, from one
    client address."""
    if account is not None:
        return f"{address}|account:{account.username}"
    return f"{address}|text:{identifier.strip().lower()[:254]}"


def needs_rehash(account: Account) -> bool:
    return _hasher.check_needs_rehash(account.password_hash)


def effective_roles(account: Account, employee_active: bool, has_reports: bool) -> set[str]:
    roles = set(account.roles)
    if account.nip and employee_active:
        roles.add("employee")
        if has_reports:
            roles.add("supervisor")
    return roles
