"""Events the appraisal service consumes: one small function each.

Each records an input of the scores and marks its cycle dirty in the same transaction;
the worker's recompute job (recompute.py) then rewrites the cycle's scores.
"""

from __future__ import annotations

from kinerja.bus.consumer import Subscriptions
from kinerja.bus.envelope import Envelope
from kinerja.contracts import feedback, gateway, targets
from kinerja.directory_replica import apply_employee, keep_directory_copy
from kinerja.mongo import Tx
from services.appraisal import domain, store

subscriptions = Subscriptions()
keep_directory_copy(subscriptions)


def _rating(event: Envelope) -> domain.Rating:
    data = event.data
    return domain.Rating(
        round_id=data["round_id"],
        rater_id=data["rater_id"],
        ratee_id=data["ratee_id"],
        rater_group=data["rater_group"],
        # the model works in floats; the exact answers stay in the feedback service
        scores={dimension: float(score) for dimension, score in data["scores"].items()},
        revision=data["revision"],
    )


@subscriptions.on(feedback.RESPONSE_SUBMITTED)
@subscriptions.on(feedback.RESPONSE_REVISED)
def record_response(event: Envelope, tx: Tx) -> None:
    """Kept when newer than what is held and than any withdrawal of it: competing
    consumers may deliver a withdrawal before the submission it withdraws."""
    incoming = _rating(event)
    current = store.find_rating(tx, incoming.round_id, incoming.rater_id, incoming.ratee_id)
    stale = incoming.revision <= store.withdrawn_revision(tx, incoming)
    if domain.supersedes(incoming, current) and not stale:
        store.put_rating(tx, incoming)
        _rescore_if_it_counts(tx, incoming)


@subscriptions.on(feedback.RESPONSE_WITHDRAWN)
def forget_response(event: Envelope, tx: Tx) -> None:
    """A declined or removed response no longer counts (unless a newer one arrived); the
    withdrawal is remembered even when its submission has not arrived yet."""
    incoming = _rating(event)
    current = store.find_rating(tx, incoming.round_id, incoming.rater_id, incoming.ratee_id)
    if domain.supersedes(incoming, current):
        store.withdraw_rating(tx, incoming)
        if current is not None:
            _rescore_if_it_counts(tx, incoming)


def _rescore_if_it_counts(tx: Tx, rating: domain.Rating) -> None:
    """Mark the cycle for a recompute when this rating can move its scores now: a peer's or
    subordinate's waits for its round to close (domain.publishable), whose event marks the
    cycle then; so does a round's "opened" event that a response overtook."""
    round_ = store.find_round(tx, rating.round_id)
    if round_ is not None and domain.counts_now(rating, round_["status"] == "closed"):
        store.mark_dirty(tx, round_["cycle"])


@subscriptions.on(targets.SCORE_UPDATED)
def record_skp_score(event: Envelope, tx: Tx) -> None:
    data = event.data
    as_of = data["as_of"]
    recorded = store.record_skp_score(
        tx,
        data["nip"],
        data["cycle"],
        data["skp_score"],  # None: no activity can be assessed yet
        data["complete"],
        data["revision"],
        as_of.isoformat() if data["prorated"] and as_of else None,
    )
    if recorded:
        store.mark_dirty(tx, data["cycle"])


@subscriptions.on(feedback.ROUND_OPENED)
@subscriptions.on(feedback.ROUND_CLOSED)
def record_round(event: Envelope, tx: Tx) -> None:
    """Which cycle and framework a round's ratings belong to."""
    data = event.data
    store.record_round(tx, data["round_id"], data["cycle"], data["framework_id"], data["status"])
    store.mark_dirty(tx, data["cycle"])


@subscriptions.on(gateway.EMPLOYEE_UPSERTED)
@subscriptions.on(gateway.EMPLOYEE_DEACTIVATED)
def keep_employee(event: Envelope, tx: Tx) -> None:
    """The directory copy, then every cycle rescored: a move to another unit or position
    may change which weighting scheme applies."""
    apply_employee(event, tx)
    store.mark_every_cycle_dirty(tx)
