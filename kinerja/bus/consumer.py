"""The idempotent consumer: each event applied exactly once, failures dead-lettered.

The applied event's id is written with a unique key in the same transaction as
the handler's effect; the message is acked only after that commit. A handler
that raises is retried with backoff and, after the attempt limit, the message
goes to the service's dead-letter queue. An unreachable database is not the
event's fault: those are retried until the database is back.

Events that arrive together (up to batch_size, each waiting at most batch_wait_seconds
for the next) share one transaction: one read of their applied ids, one insert of the new
ones, the handlers in order, one commit, then each ack. A batch that fails is rolled back and
its events applied one by one, so only the faulty one is retried and dead-lettered.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime

from kombu import Connection
from kombu.message import Message
from kombu.mixins import ConsumerProducerMixin
from pymongo.errors import DuplicateKeyError

from kinerja import metrics
from kinerja.bus.envelope import Envelope, MalformedEvent
from kinerja.bus.topology import Topology, queue_depth
from kinerja.contracts.contract import ContractViolation, EventType
from kinerja.logs import bind_ids, clear_ids, get_logger
from kinerja.mongo import Tx, UnitOfWork, is_unavailable

log = get_logger(__name__)

# A handler receives the event with its data loaded through the event type's contract
# (kinerja/contracts): Decimals, dates, an older version upgraded to the latest.
EventHandler = Callable[[Envelope, Tx], None]


@dataclass(frozen=True)
class Subscription:
    event_type: EventType
    handler: EventHandler


class Subscriptions:
    """A service's consumed events, readable at a glance in its handlers.py."""

    def __init__(self) -> None:
        self.by_name: dict[str, Subscription] = {}

    def on(self, event_type: EventType) -> Callable[[EventHandler], EventHandler]:
        def register(handler: EventHandler) -> EventHandler:
            self.by_name[event_type.name] = Subscription(event_type, handler)
            return handler

        return register

    @property
    def patterns(self) -> list[str]:
        """The routing keys the service's queue is bound to."""
        return list(self.by_name)

    def subscription_for(self, event_type: str) -> Subscription | None:
        return self.by_name.get(event_type)


class AlreadyApplied(Exception):
    """The event's id is already recorded: a duplicate delivery."""


@dataclass
class Delivery:
    """A received event awaiting its transaction, and the message to ack after it."""

    event: Envelope
    handler: EventHandler
    message: Message


def backoff_seconds(attempt: int, base: float = 0.2, cap: float = 5.0) -> float:
    return min(cap, base * 2 ** (attempt - 1))


class EventConsumer(ConsumerProducerMixin):
    """Consumes a service's queue; publishes dead letters on a connection of its own,
    which kombu re-creates after every reconnect."""

    def __init__(
        self,
        service: str,
        connection: Connection,
        topology: Topology,
        unit_of_work: UnitOfWork,
        subscriptions: Subscriptions,
        max_attempts: int = 5,
        prefetch_count: int = 32,
        backoff: Callable[[int], float] = backoff_seconds,
        batch_size: int = 32,
        batch_wait_seconds: float = 0.005,
    ):
        self.service = service
        self.connection = connection
        self.topology = topology
        self.uow = unit_of_work
        self.subscriptions = subscriptions
        self.max_attempts = max_attempts
        self.prefetch_count = prefetch_count
        self.backoff = backoff
        self.batch_size = batch_size
        # How long a batch waits for one more event; a quiet queue adds at most this to
        # an event's lag, a busy one fills the batch before it runs out.
        self.batch_wait_seconds = batch_wait_seconds
        self._batch: list[Delivery] = []
        self.queue = topology.consumer_queue(service, subscriptions.patterns)
        self.dead_letter_queue = topology.dead_letter_queue(service)
        self.applied = unit_of_work.db["applied_events"]
        self._next_depth_sample = 0.0

    # kombu wiring ------------------------------------------------------------

    def get_consumers(self, Consumer, channel):  # noqa: N803 - kombu's signature
        self.dead_letter_queue.bind(channel).declare()
        return [
            Consumer(
                queues=[self.queue],
                callbacks=[self.on_message],
                accept=["json"],
                prefetch_count=self.prefetch_count,
                on_decode_error=self.on_decode_error,
            )
        ]

    def consume(self, limit=None, timeout=None, safety_interval=1, **kwargs) -> Iterator[None]:
        """kombu's ConsumerMixin.consume, but a pending batch is applied as soon as no
        further event arrives within batch_wait_seconds (or the batch is full)."""
        self._batch.clear()  # after a reconnect the broker redelivers whatever was unacked
        with self.consumer_context(**kwargs) as (connection, _channel, _consumers):
            while not self.should_stop:
                self.on_iteration()
                wait = self.batch_wait_seconds if self._batch else safety_interval
                try:
                    connection.drain_events(timeout=wait)
                except TimeoutError:
                    if self._batch:
                        self.apply_pending()
                    else:
                        connection.heartbeat_check()
                except OSError:
                    if not self.should_stop:
                        raise
                else:
                    if len(self._batch) >= self.batch_size:
                        self.apply_pending()
                    yield

    def on_decode_error(self, message: Message, exc: Exception) -> None:
        # kombu's default acks and drops the message; keep it for a human instead.
        self.dead_letter(message, f"undecodable message: {exc}", attempts=0, event_type="unknown")

    def on_iteration(self) -> None:
        now = time.monotonic()
        if now >= self._next_depth_sample:
            self._next_depth_sample = now + 5
            self.sample_queue_depths()

    def stop(self) -> None:
        self.should_stop = True

    # processing ----------------------------------------------------------------

    def on_message(self, body: object, message: Message) -> None:
        try:
            event = Envelope.parse(body)
        except MalformedEvent as exc:
            self.dead_letter(message, f"not an event envelope: {exc}", 0, "unknown")
            return
        subscription = self.subscriptions.subscription_for(event.type)
        if subscription is None:
            log.warning("event.no_handler", event_type=event.type, event_id=event.id)
            message.ack()
            return
        try:
            event = subscription.event_type.read(event)
        except ContractViolation as exc:
            # retrying cannot help: the event waits in the dead-letter queue for a
            # consumer that reads it, and is replayed then
            self.dead_letter(message, str(exc), 0, event.type)
            return
        self._batch.append(Delivery(event, subscription.handler, message))

    def apply_pending(self) -> None:
        """Apply the received events: together in one transaction, or one by one."""
        batch, self._batch = self._batch, []
        if len(batch) > 1:
            try:
                outcomes = self.apply_batch(batch)
            except Exception as exc:  # noqa: BLE001 - each event then gets its own retries
                log.info("event.batch_failed", events=len(batch), error=repr(exc))
            else:
                metrics.EVENTS_PER_TRANSACTION.labels(self.service).observe(len(batch))
                for delivery, outcome in zip(batch, outcomes, strict=True):
                    self._acknowledge(delivery, outcome)
                return
        for delivery in batch:
            if self.should_stop:
                return  # unacked: redelivered to whoever consumes next
            bind_ids(correlation_id=delivery.event.correlation_id, causation_id=delivery.event.id)
            try:
                self._apply_with_retries(delivery)
            finally:
                clear_ids("correlation_id", "causation_id")

    def _apply_with_retries(self, delivery: Delivery) -> None:
        event = delivery.event
        attempt = 0
        while True:
            try:
                outcome = self.apply(event, delivery.handler)
                break
            except Exception as exc:  # noqa: BLE001 - every failure is retried or dead-lettered
                if is_unavailable(exc):
                    log.warning("event.database_unavailable", event_id=event.id, error=str(exc))
                    if self._sleep_or_stop(1.0):
                        return  # unacked: the broker redelivers it after we disconnect
                    continue
                attempt += 1
                metrics.EVENTS_FAILED.labels(self.service, event.type).inc()
                log.warning(
                    "event.handler_failed",
                    event_id=event.id,
                    event_type=event.type,
                    attempt=attempt,
                    error=repr(exc),
                )
                if attempt >= self.max_attempts:
                    self.dead_letter(delivery.message, repr(exc), attempt, event.type)
                    return
                if self._sleep_or_stop(self.backoff(attempt)):
                    return
        metrics.EVENTS_PER_TRANSACTION.labels(self.service).observe(1)
        self._acknowledge(delivery, outcome)

    def _acknowledge(self, delivery: Delivery, outcome: str) -> None:
        event = delivery.event
        delivery.message.ack()
        metrics.EVENTS_CONSUMED.labels(self.service, event.type, outcome).inc()
        if outcome == "applied":
            lag = (datetime.now(UTC) - event.occurred).total_seconds()
            metrics.CONSUMER_LAG.labels(self.service, event.type).observe(max(lag, 0))
        log.info("event.consumed", event_id=event.id, event_type=event.type, outcome=outcome)

    def apply(self, event: Envelope, handler: EventHandler) -> str:
        """Run the handler and record the event id in one transaction."""

        def work(tx: Tx) -> None:
            try:
                self.applied.insert_one(
                    {"_id": event.id, "type": event.type, "applied_at": datetime.now(UTC)},
                    session=tx.session,
                )
            except DuplicateKeyError as exc:
                raise AlreadyApplied(event.id) from exc
            handler(event, tx)

        try:
            self.uow(work)
        except AlreadyApplied:
            return "duplicate"
        return "applied"

    def apply_batch(self, batch: list[Delivery]) -> list[str]:
        """Run every new event's handler, in order, and record their ids in one
        transaction; returns each delivery's outcome. A redelivered copy is skipped."""

        def work(tx: Tx) -> list[str]:
            ids = [delivery.event.id for delivery in batch]
            seen = {
                doc["_id"]
                for doc in self.applied.find({"_id": {"$in": ids}}, {"_id": 1}, session=tx.session)
            }
            outcomes = []
            fresh = []
            for delivery in batch:
                if delivery.event.id in seen:
                    outcomes.append("duplicate")
                else:
                    seen.add(delivery.event.id)
                    outcomes.append("applied")
                    fresh.append(delivery.event)
            if fresh:
                now = datetime.now(UTC)
                self.applied.insert_many(
                    [{"_id": e.id, "type": e.type, "applied_at": now} for e in fresh],
                    session=tx.session,
                )
            try:
                for delivery, outcome in zip(batch, outcomes, strict=True):
                    if outcome == "applied":
                        bind_ids(
                            correlation_id=delivery.event.correlation_id,
                            causation_id=delivery.event.id,
                        )
                        delivery.handler(delivery.event, tx)
            finally:
                clear_ids("correlation_id", "causation_id")
            return outcomes

        return self.uow(work)

    def _sleep_or_stop(self, seconds: float) -> bool:
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            if self.should_stop:
                return True
            time.sleep(min(0.1, seconds))
        return self.should_stop

    def dead_letter(self, message: Message, reason: str, attempts: int, event_type: str) -> None:
        """Park the message, unchanged, in the dead-letter queue; ack it only once confirmed."""
        headers = dict(message.headers or {})
        headers.update(
            {
                "x-death-reason": reason[:2000],
                "x-attempts": attempts,
                "x-original-routing-key": message.delivery_info.get("routing_key", ""),
                "x-dead-lettered-at": datetime.now(UTC).isoformat(),
                "x-consumer": self.service,
            }
        )
        self.producer.publish(
            message.body,
            exchange=self.topology.dead,
            routing_key=self.service,
            content_type=message.content_type,
            content_encoding=message.content_encoding,
            headers=headers,
            delivery_mode=2,
            declare=[self.dead_letter_queue],
            message_id=message.properties.get("message_id"),
            retry=True,
        )
        message.ack()
        metrics.EVENTS_DEAD_LETTERED.labels(self.service, event_type).inc()
        log.error("event.dead_lettered", event_type=event_type, reason=reason, attempts=attempts)

    def sample_queue_depths(self) -> None:
        try:
            for queue in (self.queue, self.dead_letter_queue):
                depth = queue_depth(self.producer_connection, queue)
                metrics.QUEUE_DEPTH.labels(self.service, queue.name).set(depth)
        except Exception as exc:  # noqa: BLE001 - a missed sample is not worth stopping for
            log.debug("queue_depth.unavailable", error=repr(exc))


def run_consumer(consumer: EventConsumer, stop: threading.Event) -> None:
    """Run until stop is set; kombu reconnects on broker outages by itself, and anything
    else that escapes it (a transport's own bug) restarts the loop instead of ending it."""
    watcher = threading.Thread(target=lambda: (stop.wait(), consumer.stop()), daemon=True)
    watcher.start()
    while not stop.is_set():
        try:
            consumer.run()
        except Exception:
            log.exception("consumer.crashed")
            stop.wait(1)
