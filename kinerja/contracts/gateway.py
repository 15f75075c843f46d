"""The gateway's events: the directory's (every service keeps its own copy of the org
chart from these, kinerja/directory_replica.py) and identity's token revocations (every
service refuses the tokens they name, kinerja/revocation.py)."""

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


class TokenRevokedV1(Payload):
    """One access token ended before its expiry (a logout)."""

    token_id = fields.String(required=True)
    # when the token would have expired anyway: the record is dropped then
    expires_at = fields.AwareDateTime(required=True)


class SubjectRevokedV1(Payload):
    """Every access token of one subject issued before a moment ended (a deactivation,
    a password change, a refresh token's reuse)."""

    subject = fields.String(required=True)
    issued_before = fields.AwareDateTime(required=True)
    # issued_before plus the access tokens' lifetime: no token it concerns outlives this
    expires_at = fields.AwareDateTime(required=True)


TOKEN_REVOKED = EventType(
    "gateway.token.revoked",
    Version(
        1,
        TokenRevokedV1,
        {"token_id": "3f2a9c1e5b7d4e0f8a6b2c4d1e3f5a7b", "expires_at": "2026-03-02T08:15:00+00:00"},
    ),
)
SUBJECT_REVOKED = EventType(
    "gateway.subject.revoked",
    Version(
        1,
        SubjectRevokedV1,
        {
            "subject": EMPLOYEE["nip"],
            "issued_before": "2026-03-02T08:00:00+00:00",
            "expires_at": "2026-03-02T08:15:00+00:00",
        },
    ),
)
