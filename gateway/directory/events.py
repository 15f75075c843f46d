"""Events the directory publishes, so every service keeps its own copy of it."""

from marshmallow import Schema, fields

from gateway.directory.domain import Employee, Unit

EMPLOYEE_UPSERTED = "gateway.employee.upserted"
EMPLOYEE_DEACTIVATED = "gateway.employee.deactivated"
UNIT_UPSERTED = "gateway.unit.upserted"


class EmployeeUpsertedV1(Schema):
    nip = fields.String(required=True)
    name = fields.String(required=True)
    position = fields.String(required=True)
    unit_id = fields.String(required=True)
    golongan = fields.String(required=True)
    echelon = fields.String(allow_none=True)
    position_kind = fields.String(required=True)
    education = fields.String(required=True)
    supervisor_nip = fields.String(allow_none=True)
    active = fields.Boolean(required=True)
    version = fields.Integer(required=True)


class EmployeeDeactivatedV1(Schema):
    nip = fields.String(required=True)
    unit_id = fields.String(required=True)
    supervisor_nip = fields.String(allow_none=True)
    version = fields.Integer(required=True)


class UnitUpsertedV1(Schema):
    id = fields.String(required=True)
    name = fields.String(required=True)
    parent_id = fields.String(allow_none=True)


def employee_upserted(employee: Employee) -> dict:
    # email stays in the gateway: the services need the org chart, not contact data
    return EmployeeUpsertedV1().dump(employee)


def employee_deactivated(employee: Employee) -> dict:
    return EmployeeDeactivatedV1().dump(employee)


def unit_upserted(unit: Unit) -> dict:
    return UnitUpsertedV1().dump(unit)
