"""The directory API's contract, and the CSV import's: a row loads through EmployeeIn.
A NIP's form is checked here (kinerja.nip's rule, through kit.Nip); whatever needs the
rest of the directory, in the domain."""

from marshmallow import Schema, fields, validate

from gateway.directory.domain import ECHELONS, EDUCATION, GOLONGAN, POSITION_KINDS
from kinerja import fields as kit

# CSV files say ya/tidak as often as true/false.
TRUTHY = {"true", "1", "yes", "ya", "y", True}
FALSY = {"false", "0", "no", "tidak", "n", False}


class EmployeeFields(Schema):
    """The fields HR edits; the value lists are domain.py's, `active` reads CSV's ya/tidak."""

    name = fields.String(required=True, validate=validate.Length(min=1, max=200))
    position = fields.String(required=True, validate=validate.Length(min=1, max=200))
    unit_id = fields.String(required=True, validate=validate.Length(min=1, max=64))
    golongan = fields.String(required=True, validate=validate.OneOf(GOLONGAN))
    position_kind = fields.String(required=True, validate=validate.OneOf(POSITION_KINDS))
    education = fields.String(required=True, validate=validate.OneOf(EDUCATION))
    echelon = fields.String(load_default=None, allow_none=True, validate=validate.OneOf(ECHELONS))
    supervisor_nip = kit.Nip(load_default=None, allow_none=True)
    email = fields.Email(load_default=None, allow_none=True)
    active = fields.Boolean(load_default=True, truthy=TRUTHY, falsy=FALSY)


class EmployeeIn(EmployeeFields):
    """The whole record, from POST or a CSV row; its version is the store's to count."""

    nip = kit.Nip(required=True)


class EmployeePatch(EmployeeFields):
    """Any subset of the fields; the NIP is the path, and deactivation has its own route."""

    class Meta:
        exclude = ("active",)


class EmployeeOut(EmployeeIn):
    """An employee record with its version, which counts every change."""

    version = fields.Integer()


class EmployeeQuery(Schema):
    """Filters that combine; q is part of a name or position, or the start of a NIP."""

    unit_id = fields.String()
    supervisor_nip = kit.Nip()
    active = fields.Boolean()
    q = fields.String(validate=validate.Length(max=100))
    # bounded so that the skip, (page - 1) * per_page, stays a MongoDB (64-bit) integer
    page = kit.Integer(load_default=1, minimum=1, maximum=1_000_000)
    per_page = kit.Integer(load_default=50, minimum=1, maximum=500)


class EmployeePage(Schema):
    """One page of employees, by name then NIP; total counts every match."""

    items = fields.List(fields.Nested(EmployeeOut))
    total = fields.Integer()
    page = fields.Integer()
    per_page = fields.Integer()


class UnitIn(Schema):
    """Create, rename or move a unit; the id's form and the parent are the domain's rules."""

    id = fields.String(required=True, validate=validate.Length(min=1, max=64))
    name = fields.String(required=True, validate=validate.Length(min=1, max=200))
    parent_id = fields.String(load_default=None, allow_none=True)


class UnitOut(UnitIn):
    """A unit as stored."""

    pass


class AuditEntry(Schema):
    """One change of a record: who, when, and before (null on creation) and after."""

    at = fields.DateTime()
    actor = fields.String()
    action = fields.String()
    entity = fields.String()
    entity_id = fields.String()
    before = fields.Dict(allow_none=True)
    after = fields.Dict(allow_none=True)


class ImportQuery(Schema):
    """POST /directory/imports options: dry_run checks and reports, writing nothing."""

    partial = fields.Boolean(
        load_default=False,
        metadata={"description": "import the valid rows even when some are rejected"},
    )
    dry_run = fields.Boolean(load_default=False)


class ImportFile(Schema):
    """The multipart upload of POST /directory/imports: one CSV of employees or of units."""

    file = fields.Raw(required=True, metadata={"type": "string", "format": "binary"})


class RejectedRow(Schema):
    """A refused CSV row: its line (the header is line 1), key and each field's problems."""

    row = fields.Integer()
    key = fields.String()
    fields_ = fields.Dict(data_key="fields")


class ImportReport(Schema):
    """What an import found and did: applied is false on a dry run."""

    kind = fields.String()
    rows = fields.Integer()
    created = fields.Integer()
    updated = fields.Integer()
    unchanged = fields.Integer()
    rejected = fields.List(fields.Nested(RejectedRow))
    applied = fields.Boolean()
