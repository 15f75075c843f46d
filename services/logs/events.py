"""Events the logs service publishes: verified output for the SKP's realization."""

from __future__ import annotations

from services.logs.domain import Entry

ENTRY_VERIFIED = "logs.entry.verified"
ENTRY_REVOKED = "logs.entry.revoked"


def entry_output(entry: Entry) -> dict:
    """Verified or revoked: the same facts, so the consumer can add or take back."""
    return {
        "entry_id": entry.id,
        "nip": entry.nip,
        "cycle": entry.cycle,
        "date": entry.date.isoformat(),
        "activity_id": entry.activity_id,
        "quantity": float(entry.quantity),
        "minutes": entry.minutes,
        # competing consumers may apply a verify and its revoke in either order
        "revision": entry.revision,
    }
