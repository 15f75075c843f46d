"""The logs service's events: verified output for the SKP's realization."""

from __future__ import annotations

from marshmallow import fields

from kinerja import fields as kit
from kinerja.contracts.contract import EventType, Payload, Version


class EntryOutputV1(Payload):
    """Before entries said whether they complete output."""

    entry_id = fields.String(required=True)
    nip = fields.String(required=True)
    cycle = fields.String(required=True)
    date = kit.Date(required=True)
    activity_id = fields.String(required=True)
    # every verified quantity counted as output
    quantity = kit.exact_decimal(required=True)
    minutes = kit.Integer(required=True)
    # competing consumers may apply a verify and its revoke in either order
    revision = kit.Integer(load_default=0)


class EntryOutputV2(EntryOutputV1):
    """Verified or revoked: the same facts, so the consumer can add or take back. An
    entry says whether it completes output (an ordinary one is activity only), and
    `quantity` is the output it completes, "0" for an ordinary entry."""

    completes_output = fields.Boolean(required=True)


def _counted_as_it_was(v1: dict) -> dict:
    """Version 1 counted every verified quantity as output: read it as it was counted."""
    quantity = str(v1.get("quantity") or 0)
    return {**v1, "quantity": quantity, "completes_output": float(quantity) > 0}


ENTRY = {
    "entry_id": "e-20260915-1",
    "nip": "198503302010012004",
    "cycle": "2026",
    "date": "2026-09-15",
    "activity_id": "a1",
    "completes_output": True,
    "quantity": "1",
    "minutes": 240,
    "revision": 2,
}
V1_ENTRY = {k: v for k, v in ENTRY.items() if k != "completes_output"} | {"quantity": 1}

ENTRY_VERIFIED = EventType(
    "logs.entry.verified",
    Version(1, EntryOutputV1, V1_ENTRY, upgrade=_counted_as_it_was),
    Version(2, EntryOutputV2, ENTRY),
)
ENTRY_REVOKED = EventType(
    "logs.entry.revoked",
    Version(1, EntryOutputV1, V1_ENTRY, upgrade=_counted_as_it_was),
    Version(2, EntryOutputV2, {**ENTRY, "revision": 3}),
)
