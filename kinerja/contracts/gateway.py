"""The directory's events (the gateway owns it): every service keeps its own copy of
the org chart from these (kinerja/directory_replica.py)."""

from __future__ import annotations

from marshmallow import fields

from kinerja import fields as kit
from kinerja.contracts.contract import EventType, Payload, Version


class EmployeeUpsertedV1(Payload):
    # the whole record but the email, which stays in the gateway: the services need the
    # org chart, not contact data
    nip = fields.String(required=True)
    name = fields.String(required=True)
    position = fields.String(required=True)
    unit_id = fields.String(required=True)
    golongan = fields.String(required=True)
    echelon = fields.String(allow_none=True, load_default=None)
    position_kind = fields.String(required=True)
    education = fields.String(required=True)
    supervisor_nip = fields.String(allow_none=True, load_default=None)
    active = fields.Boolean(required=True)
    # the directory's revision of this employee: a replica keeps the highest it has seen
    version = kit.Integer(required=True)


class EmployeeDeactivatedV1(Payload):
    nip = fields.String(required=True)
    unit_id = fields.String(required=True)
    supervisor_nip = fields.String(allow_none=True, load_default=None)
    version = kit.Integer(required=True)


class UnitUpsertedV1(Payload):
    id = fields.String(required=True)
    name = fields.String(required=True)
    parent_id = fields.String(allow_none=True, load_default=None)


EMPLOYEE = {
    "nip": "198503302010012004",
    "name": "Dewi Lestari",
    "position": "Analis Kepegawaian",
    "unit_id": "umpeg",
    "golongan": "III/c",
    "echelon": None,
    "position_kind": "functional",
    "education": "S1",
    "supervisor_nip": "197805122005011003",
    "active": True,
    "version": 3,
}

EMPLOYEE_UPSERTED = EventType("gateway.employee.upserted", Version(1, EmployeeUpsertedV1, EMPLOYEE))
EMPLOYEE_DEACTIVATED = EventType(
    "gateway.employee.deactivated",
    Version(
        1,
        EmployeeDeactivatedV1,
        {"nip": EMPLOYEE["nip"], "unit_id": "umpeg", "supervisor_nip": None, "version": 4},
    ),
)
UNIT_UPSERTED = EventType(
    "gateway.unit.upserted",
    Version(
        1,
        UnitUpsertedV1,
        {"id": "umpeg", "name": "Subbag Umum dan Kepegawaian", "parent_id": "sekretariat"},
    ),
)
