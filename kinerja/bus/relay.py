"""The outbox relay: publishes stored events with broker confirms, then marks them sent.

Several replicas may run; a lease in MongoDB lets one publish at a time, so
events leave in the order they were stored and are not sent twice by two
relays. A crash between confirm and mark re-sends a batch: consumers are
idempotent, so that is safe (at least once out, exactly once applied).
"""

from __future__ import annotations

import contextlib
import threading
import time

from kombu import Connection, Producer
from pymongo.database import Database
from pymongo.errors import PyMongoError

from kinerja import metrics
from kinerja.bus.envelope import Envelope
from kinerja.bus.outbox import Outbox
from kinerja.bus.topology import Topology
from kinerja.lease import Lease
from kinerja.logs import get_logger

log = get_logger(__name__)


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
                stop.wait(idle)
                idle = min(idle * 2, self.max_idle_seconds)
            elif sent < self.batch_size:
                idle = self.idle_seconds
                stop.wait(idle)
        with contextlib.suppress(PyMongoError):
            self.lease.release()


def wait_until_drained(relay: OutboxRelay, timeout: float = 10.0) -> None:
    """Publish until the outbox is empty (used by tools and tests)."""
    deadline = time.monotonic() + timeout
    while relay.outbox.backlog():
        relay.publish_pending()
        if time.monotonic() > deadline:
            raise TimeoutError("outbox not drained in time")
