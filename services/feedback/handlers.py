"""Events the feedback service consumes: one small function each."""

from kinerja.bus.consumer import Subscriptions
from kinerja.bus.envelope import Envelope
from kinerja.contracts import appraisal
from kinerja.directory_replica import keep_directory_copy
from kinerja.mongo import Tx
from services.feedback import store

subscriptions = Subscriptions()
keep_directory_copy(subscriptions)


@subscriptions.on(appraisal.SCHEME_CHANGED)
def keep_anonymity_floors(event: Envelope, tx: Tx) -> None:
    """HR's weighting schemes set how many peers and subordinates a group needs before
    it is shown; the results here follow them (results.thresholds_for)."""
    store.keep_scheme(tx, dict(event.data), event.occurred)
