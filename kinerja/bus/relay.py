"""The outbox relay: publishes stored events with broker confirms, then marks them sent.

Several replicas may run; a lease in MongoDB lets one publish at a time, so
events leave in the order they were stored and are not sent twice by two
relays. A crash between confirm and mark re-sends a batch: consumers are
idempotent, so that is safe (at least once out, exactly once applied).

Idle, the relay waits on a change stream of the outbox's inserts where the server has
one (a replica set; SecantusDB), so a quiet stack costs the database one blocked getMore
a second instead of a poll every half second; elsewhere it polls, slowing down when quiet.
"""

from __future__ import annotations

import contextlib
import threading
import time

from kombu import Connection, Producer
from pymongo.change_stream import CollectionChangeStream
from pymongo.database import Database
from pymongo.errors import OperationFailure, PyMongoError

from kinerja import metrics
from kinerja.bus.envelope import Envelope
from kinerja.bus.outbox import Outbox
from kinerja.bus.topology import Topology
from kinerja.lease import Lease
from kinerja.logs import get_logger

log = get_logger(__name__)

# how long one blocked wait on the change stream lasts (the stop signal is seen between
# waits), and the longest the relay stays idle without a look at the outbox: a pending event
# an expired lease's holder left behind is picked up by then
WATCH_AWAIT_MS = 1000
WATCH_IDLE_SECONDS = 15.0


class OutboxRelay:
    def __init__(
        self,
        service: str,
        db: Database,
        connection: Connection,
        topology: Topology,
        batch_size: int = 200,
        idle_seconds: float = 0.02,
        max_idle_seconds: float = 0.5,
    ):
        self.service = service
        self.outbox = Outbox(db)
        self.lease = Lease(db, "outbox-relay")
        self.connection = connection
        self.topology = topology
        self.batch_size = batch_size
        self.idle_seconds = idle_seconds
        self.max_idle_seconds = max_idle_seconds
        self._producer: Producer | None = None
        self._backlog_may_be_nonzero = True
        self._inserts: CollectionChangeStream | None = None
        self._watchable = True

    def publish_pending(self) -> int:
        """One pass: publish up to a batch of pending events; returns how many were sent."""
        if not self.lease.acquire():
            return 0
        events = self.outbox.pending(self.batch_size)
        sent: list[str] = []
        try:
            for event in events:
                self._publish(event)
                sent.append(event.id)
        finally:
            self.outbox.mark_published(sent)
        if sent or self._backlog_may_be_nonzero:
            backlog = self.outbox.backlog()
            metrics.OUTBOX_BACKLOG.labels(self.service).set(backlog)
            self._backlog_may_be_nonzero = backlog > 0
        return len(sent)

    def _publish(self, event: Envelope) -> None:
        if self._producer is None:
            self._producer = Producer(self.connection.channel(), exchange=self.topology.events)
            self._producer.declare()
        self._producer.publish(
            event.to_dict(),
            routing_key=event.type,
            serializer="json",
            message_id=event.id,
            delivery_mode=2,
            headers={"correlation_id": event.correlation_id or ""},
        )
        metrics.EVENTS_PUBLISHED.labels(self.service, event.type).inc()

    def _reset_connection(self) -> None:
        self._producer = None
        # a dead connection may fail to close; it is dropped anyway
        with contextlib.suppress(Exception):
            self.connection.release()
        self.connection = self.connection.clone()

    def run(self, stop: threading.Event) -> None:
        """Publish until stopped; idle polling slows down to max_idle_seconds when quiet."""
        backoff = 0.5
        idle = self.idle_seconds
        while not stop.is_set():
            try:
                sent = self.publish_pending()
                backoff = 0.5
            except PyMongoError as exc:
                log.warning("relay.database_unavailable", error=str(exc))
                stop.wait(backoff)
                backoff = min(backoff * 2, 10)
                continue
            except Exception as exc:  # noqa: BLE001 - any broker failure: reconnect and retry
                log.warning("relay.broker_unavailable", error=repr(exc))
                self._reset_connection()
                stop.wait(backoff)
                backoff = min(backoff * 2, 10)
                continue
            if sent == 0:
                if not self._wait_for_insert(stop):
                    stop.wait(idle)
                    idle = min(idle * 2, self.max_idle_seconds)
            elif sent < self.batch_size:
                idle = self.idle_seconds
                stop.wait(idle)
        if self._inserts is not None:
            with contextlib.suppress(PyMongoError):
                self._inserts.close()
        with contextlib.suppress(PyMongoError):
            self.lease.release()

    def _wait_for_insert(self, stop: threading.Event) -> bool:
        """Block until the outbox gets an insert, up to WATCH_IDLE_SECONDS or the stop;
        False where the server has no change streams (the caller polls instead).

        The stream stays open between waits, so an insert made while a batch was being
        published wakes the next wait at once: nothing is missed between two looks.
        """
        if not self._watchable:
            return False
        try:
            if self._inserts is None:
                self._inserts = self.outbox.collection.watch(
                    [{"$match": {"operationType": "insert"}}], max_await_time_ms=WATCH_AWAIT_MS
                )
                return True  # one more look: an insert may have come before the stream opened
            deadline = time.monotonic() + WATCH_IDLE_SECONDS
            while not stop.is_set() and time.monotonic() < deadline:
                if self._inserts.try_next() is not None:
                    return True
        except OperationFailure as exc:
            # a standalone server: "The $changeStream stage is only supported on replica sets"
            log.info("relay.polling", reason=str(exc))
            self._watchable = False
            return False
        except PyMongoError as exc:
            # the database went away: poll this time, open a new stream next time
            log.warning("relay.change_stream_lost", error=str(exc))
            with contextlib.suppress(PyMongoError):
                if self._inserts is not None:
                    self._inserts.close()
            self._inserts = None
            return False
        return True


def wait_until_drained(relay: OutboxRelay, timeout: float = 10.0) -> None:
    """Publish until the outbox is empty (used by tools and tests)."""
    deadline = time.monotonic() + timeout
    while relay.outbox.backlog():
        relay.publish_pending()
        if time.monotonic() > deadline:
            raise TimeoutError("outbox not drained in time")
