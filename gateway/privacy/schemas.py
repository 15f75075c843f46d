"""The contract of the gateway's personal-data and retention routes."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from gateway.privacy.domain import MONTHS_RANGE


class ExportOut(Schema):
    """The employee's whole export: one JSON file."""

    nip = fields.String(required=True)
    generated_at = fields.String(required=True)
    complete = fields.Boolean(required=True, metadata={"description": "every part is there"})
    missing = fields.Dict(
        keys=fields.String(),
        values=fields.String(),
        required=True,
        metadata={"description": "service -> why its part is missing"},
    )
    gateway = fields.Dict(required=True, metadata={"description": "directory, account, audit"})
    services = fields.Dict(
        keys=fields.String(),
        values=fields.Dict(),
        required=True,
        metadata={"description": "by service"},
    )


class RetentionIn(Schema):
    months = fields.Integer(required=True, strict=True, validate=validate.Range(*MONTHS_RANGE))


class RetentionOut(Schema):
    months = fields.Integer(allow_none=True, metadata={"description": "None: not set yet"})
    updated_by = fields.String(allow_none=True)
    updated_at = fields.String(allow_none=True)
    cut_off = fields.Date(
        allow_none=True, metadata={"description": "today's: cycles ended before it go"}
    )


class PurgeRunIn(Schema):
    dry_run = fields.Boolean(load_default=True)


class PurgeRunOut(Schema):
    cut_off = fields.Date(required=True)
    dry_run = fields.Boolean(required=True)
    complete = fields.Boolean(required=True, metadata={"description": "every service answered"})
    services = fields.Dict(keys=fields.String(), values=fields.Dict(), required=True)
    failed = fields.Dict(keys=fields.String(), values=fields.String(), required=True)
