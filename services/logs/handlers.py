"""Events the logs service consumes: one small function each."""

from __future__ import annotations

from kinerja.bus.consumer import Subscriptions
from kinerja.bus.envelope import Envelope
from kinerja.contracts import targets
from kinerja.directory_replica import keep_directory_copy
from kinerja.mongo import Tx
from services.logs import store

subscriptions = Subscriptions()
keep_directory_copy(subscriptions)


@subscriptions.on(targets.SKP_APPROVED)
def learn_approved_activities(event: Envelope, tx: Tx) -> None:
    """Entries may only advance activities of the employee's approved SKP."""
    data = event.data
    store.save_approved_activities(
        tx, data["nip"], data["cycle"], data["version"], data["activities"]
    )
