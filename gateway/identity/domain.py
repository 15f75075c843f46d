"""Rules of identity, pure: who may log in and with which roles."""

from __future__ import annotations

import re
from dataclasses import dataclass

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from kinerja.errors import ValidationFailed

# Roles an account is granted explicitly; employee and supervisor follow from the directory.
GRANTED_ROLES = ("hr", "ops")
USERNAME = re.compile(r"^(?:\d{18}|[a-z0-9][a-z0-9._-]{2,63})$")
MIN_PASSWORD_LENGTH = 8

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
        """Whom the services see: the employee's NIP, or the account for HR/ops-only logins."""
        return self.nip or self.username


def check_new_account(username: str, password: str, roles: list[str]) -> None:
    fields: dict[str, list[str]] = {}
    if not USERNAME.match(username):
        fields["username"] = ["an 18-digit NIP, or 3-64 of a-z 0-9 . _ - (lowercase)"]
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


def needs_rehash(account: Account) -> bool:
    return _hasher.check_needs_rehash(account.password_hash)


def effective_roles(account: Account, employee_active: bool, has_reports: bool) -> set[str]:
    roles = set(account.roles)
    if account.nip and employee_active:
        roles.add("employee")
        if has_reports:
            roles.add("supervisor")
    return roles
