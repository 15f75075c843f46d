"""Events the targets service consumes: one small function each."""

from __future__ import annotations

from kinerja.bus.consumer import Subscriptions
from kinerja.bus.envelope import Envelope
from kinerja.contracts import logs
from kinerja.directory_replica import keep_directory_copy
from kinerja.mongo import Tx
from services.targets import commands

subscriptions = Subscriptions()
keep_directory_copy(subscriptions)


@subscriptions.on(logs.ENTRY_VERIFIED)
def count_verified_output(event: Envelope, tx: Tx) -> None:
    _apply(event, tx, verified=True)


@subscriptions.on(logs.ENTRY_REVOKED)
def take_back_revoked_output(event: Envelope, tx: Tx) -> None:
    _apply(event, tx, verified=False)


def _apply(event: Envelope, tx: Tx, verified: bool) -> None:
    data = event.data
    commands.apply_log_output(
        tx,
        data["entry_id"],
        data["nip"],
        data["cycle"],
        data["activity_id"],
        data["quantity"],
        verified,
        data["revision"],
        completes_output=data["completes_output"],
    )
