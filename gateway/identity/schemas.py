"""The identity API's contract; lengths are capped so the hasher never works on megabytes."""

from marshmallow import Schema, fields, validate

from gateway.directory.schemas import EmployeeOut
from gateway.identity.domain import GRANTED_ROLES
from kinerja import fields as kit


class LoginIn(Schema):
    """No minimum password length here: that rule is for new passwords, old ones log in."""

    username = fields.String(
        required=True,
        validate=validate.Length(min=1, max=254),
        metadata={"description": "NIP, account name or email"},
    )
    password = fields.String(required=True, validate=validate.Length(min=1, max=1024))


class TokenPair(Schema):
    """A new session: a short-lived access token and a refresh token that works once."""

    access_token = fields.String(required=True)
    refresh_token = fields.String(required=True)
    token_type = fields.String()
    expires_in = fields.Integer(metadata={"description": "seconds the access token lives"})


class RefreshIn(Schema):
    """POST /auth/refresh: the refresh token to spend."""

    refresh_token = fields.String(required=True, validate=validate.Length(min=1, max=4096))


class LogoutIn(Schema):
    """The access token ends anyway; the caller's refresh token, if given, is spent too."""

    refresh_token = fields.String(load_default=None, validate=validate.Length(max=4096))


class Me(Schema):
    """The token's subject, name and roles; employee is null for an HR/ops-only account."""

    username = fields.String()
    subject = fields.String()
    name = fields.String()
    roles = fields.List(fields.String())
    employee = fields.Nested(EmployeeOut, allow_none=True)


class AccountIn(Schema):
    """Only hand-granted roles: employee and supervisor follow from the directory."""

    username = fields.String(required=True, validate=validate.Length(min=3, max=64))
    password = fields.String(required=True, validate=validate.Length(min=8, max=1024))
    roles = fields.List(fields.String(validate=validate.OneOf(GRANTED_ROLES)), load_default=list)
    nip = kit.Nip(load_default=None, allow_none=True)
    email = fields.Email(load_default=None, allow_none=True)


class AccountOut(Schema):
    """An account as created; the password hash never leaves the store."""

    username = fields.String()
    roles = fields.List(fields.String())
    nip = fields.String(allow_none=True)
    email = fields.String(allow_none=True)
    active = fields.Boolean()


class PasswordChangeIn(Schema):
    """The new password needs 8 or more characters; the current one must match."""

    current_password = fields.String(required=True, validate=validate.Length(max=1024))
    new_password = fields.String(required=True, validate=validate.Length(min=8, max=1024))
