"""The identity API's contract."""

from marshmallow import Schema, fields, validate

from gateway.directory.schemas import EmployeeOut
from gateway.identity.domain import GRANTED_ROLES


class LoginIn(Schema):
    username = fields.String(
        required=True,
        validate=validate.Length(min=1, max=254),
        metadata={"description": "NIP, account name or email"},
    )
    password = fields.String(required=True, validate=validate.Length(min=1, max=1024))


class TokenPair(Schema):
    access_token = fields.String(required=True)
    refresh_token = fields.String(required=True)
    token_type = fields.String()
    expires_in = fields.Integer(metadata={"description": "seconds the access token lives"})


class RefreshIn(Schema):
    refresh_token = fields.String(required=True, validate=validate.Length(min=1, max=4096))


class LogoutIn(Schema):
    refresh_token = fields.String(load_default=None, validate=validate.Length(max=4096))


class Me(Schema):
    username = fields.String()
    subject = fields.String()
    name = fields.String()
    roles = fields.List(fields.String())
    employee = fields.Nested(EmployeeOut, allow_none=True)


class AccountIn(Schema):
    username = fields.String(required=True, validate=validate.Length(min=3, max=64))
    password = fields.String(required=True, validate=validate.Length(min=8, max=1024))
    roles = fields.List(fields.String(validate=validate.OneOf(GRANTED_ROLES)), load_default=list)
    nip = fields.String(load_default=None, allow_none=True)
    email = fields.Email(load_default=None, allow_none=True)


class AccountOut(Schema):
    username = fields.String()
    roles = fields.List(fields.String())
    nip = fields.String(allow_none=True)
    email = fields.String(allow_none=True)
    active = fields.Boolean()


class PasswordChangeIn(Schema):
    current_password = fields.String(required=True, validate=validate.Length(max=1024))
    new_password = fields.String(required=True, validate=validate.Length(min=8, max=1024))
