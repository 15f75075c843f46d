"""The directory API's contract."""

from marshmallow import Schema, ValidationError, fields, validate

from gateway.directory.domain import ECHELONS, EDUCATION, GOLONGAN, POSITION_KINDS, nip_problems


def _valid_nip(nip: str) -> None:
    problems = nip_problems(nip)
    if problems:
        raise ValidationError(problems)


# CSV files say ya/tidak as often as true/false.
TRUTHY = {"true", "1", "yes", "ya", "y", True}
FALSY = {"false", "0", "no", "tidak", "n", False}


class EmployeeFields(Schema):
    name = fields.String(required=True, validate=validate.Length(min=1, max=200))
    position = fields.String(required=True, validate=validate.Length(min=1, max=200))
    unit_id = fields.String(required=True, validate=validate.Length(min=1, max=64))
    golongan = fields.String(required=True, validate=validate.OneOf(GOLONGAN))
    position_kind = fields.String(required=True, validate=validate.OneOf(POSITION_KINDS))
    education = fields.String(required=True, validate=validate.OneOf(EDUCATION))
    echelon = fields.String(load_default=None, allow_none=True, validate=validate.OneOf(ECHELONS))
    supervisor_nip = fields.String(load_default=None, allow_none=True, validate=_valid_nip)
    email = fields.Email(load_default=None, allow_none=True)
    active = fields.Boolean(load_default=True, truthy=TRUTHY, falsy=FALSY)


class EmployeeIn(EmployeeFields):
    nip = fields.String(required=True, validate=_valid_nip)


class EmployeePatch(EmployeeFields):
    """Any subset of the fields; the NIP is the path, and deactivation has its own route."""

    class Meta:
        exclude = ("active",)


class EmployeeOut(EmployeeIn):
    version = fields.Integer()


class EmployeeQuery(Schema):
    unit_id = fields.String()
    supervisor_nip = fields.String()
    active = fields.Boolean()
    q = fields.String(validate=validate.Length(max=100))
    # bounded so that the skip, (page - 1) * per_page, stays a MongoDB (64-bit) integer
    page = fields.Integer(load_default=1, validate=validate.Range(min=1, max=1_000_000))
    per_page = fields.Integer(load_default=50, validate=validate.Range(min=1, max=500))


class EmployeePage(Schema):
    items = fields.List(fields.Nested(EmployeeOut))
    total = fields.Integer()
    page = fields.Integer()
    per_page = fields.Integer()


class UnitIn(Schema):
    id = fields.String(required=True, validate=validate.Length(min=1, max=64))
    name = fields.String(required=True, validate=validate.Length(min=1, max=200))
    parent_id = fields.String(load_default=None, allow_none=True)


class UnitOut(UnitIn):
    pass


class AuditEntry(Schema):
    at = fields.DateTime()
    actor = fields.String()
    action = fields.String()
    entity = fields.String()
    entity_id = fields.String()
    before = fields.Dict(allow_none=True)
    after = fields.Dict(allow_none=True)


class ImportQuery(Schema):
    partial = fields.Boolean(
        load_default=False,
        metadata={"description": "import the valid rows even when some are rejected"},
    )
    dry_run = fields.Boolean(load_default=False)


class ImportFile(Schema):
    file = fields.Raw(required=True, metadata={"type": "string", "format": "binary"})


class RejectedRow(Schema):
    row = fields.Integer()
    key = fields.String()
    fields_ = fields.Dict(data_key="fields")


class ImportReport(Schema):
    kind = fields.String()
    rows = fields.Integer()
    created = fields.Integer()
    updated = fields.Integer()
    unchanged = fields.Integer()
    rejected = fields.List(fields.Nested(RejectedRow))
    applied = fields.Boolean()
