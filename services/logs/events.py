"""Events the logs service publishes: verified output for the SKP's realization.

The payload schema lives here once: the logs service dumps it and the targets service,
its consumer, loads it (decimals travel as strings).
"""

from __future__ import annotations

from marshmallow import EXCLUDE, Schema, fields

from kinerja.bus.envelope import Envelope
from services.logs.domain import Entry

ENTRY_VERIFIED = "logs.entry.verified"
ENTRY_REVOKED = "logs.entry.revoked"
# 2: an entry says whether it completes output; `quantity` is the output it completes
ENTRY_EVENT_VERSION = 2


class EntryOutputEvent(Schema):
    """Verified or revoked: the same facts, so the consumer can add or take back."""

    class Meta:
        unknown = EXCLUDE

    entry_id = fields.String(required=True)
    nip = fields.String(required=True)
    cycle = fields.String(required=True)
    date = fields.Date(required=True)
    activity_id = fields.String(required=True)
    completes_output = fields.Boolean(required=True)
    # the output the entry completes; "0" for an ordinary entry, which is activity only
    quantity = fields.Decimal(required=True, as_string=True)
    minutes = fields.Integer(required=True)
    # competing consumers may apply a verify and its revoke in either order
    revision = fields.Integer(load_default=0)


def entry_output(entry: Entry) -> dict:
    return EntryOutputEvent().dump(
        {
            "entry_id": entry.id,
            "nip": entry.nip,
            "cycle": entry.cycle,
            "date": entry.date,
            "activity_id": entry.activity_id,
            "completes_output": entry.completes_output,
            "quantity": entry.output,
            "minutes": entry.minutes,
            "revision": entry.revision,
        }
    )


def read_entry_output(event: Envelope) -> dict:
    """The payload as the consumer uses it, whichever version was published."""
    data = dict(event.data)
    if event.version < 2:
        # version 1 counted every verified quantity as output: read it as it was counted
        data["completes_output"] = float(data.get("quantity") or 0) > 0
        data["quantity"] = str(data.get("quantity") or 0)
    return EntryOutputEvent().load(data)
