"""What of an entry goes into the events the logs service publishes: verified output
for the SKP's realization. Their wire shape is their contract, kinerja/contracts/logs.py."""

from __future__ import annotations

from kinerja.contracts.logs import ENTRY_REVOKED, ENTRY_VERIFIED  # noqa: F401 - published here
from services.logs.domain import Entry


def entry_output(entry: Entry) -> dict:
    """Verified or revoked: the same facts, so the consumer can add or take back."""
    return {
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
