"""Exchange and queue names, in one place, so producers, consumers and tools agree.

One topic exchange carries every event with its type as routing key. Each
consuming service owns one durable queue bound to the patterns it subscribes
to, plus a direct binding on the replay exchange (for re-driving its dead
letters to it alone) and a dead-letter queue.
"""

from __future__ import annotations

from dataclasses import dataclass

from kombu import Connection, Exchange, Queue, binding

from kinerja.bus import filesystem
from kinerja.config import Settings


@dataclass(frozen=True)
class Topology:
    namespace: str
    durable_queue_arguments: dict | None = None

    @classmethod
    def for_settings(cls, settings: Settings) -> Topology:
        # Quorum queues are RabbitMQ's replicated queues; other transports ignore the idea.
        arguments = None
        if settings.broker_url.startswith("amqp") and settings.quorum_queues:
            arguments = {"x-queue-type": "quorum"}
        return cls(settings.bus_namespace, arguments)

    @property
    def events(self) -> Exchange:
        return Exchange(f"{self.namespace}.events", type="topic", durable=True)

    @property
    def replay(self) -> Exchange:
        return Exchange(f"{self.namespace}.replay", type="direct", durable=True)

    @property
    def dead(self) -> Exchange:
        return Exchange(f"{self.namespace}.dead", type="direct", durable=True)

    def queue_name(self, service: str) -> str:
        return f"{self.namespace}.{service}.events"

    def consumer_queue(self, service: str, patterns: list[str]) -> Queue:
        bindings = [binding(self.events, routing_key=p) for p in patterns]
        bindings.append(binding(self.replay, routing_key=service))
        return Queue(
            self.queue_name(service),
            bindings=bindings,
            durable=True,
            queue_arguments=self.durable_queue_arguments,
        )

    def dead_letter_queue(self, service: str) -> Queue:
        return Queue(
            f"{self.queue_name(service)}.dlq",
            exchange=self.dead,
            routing_key=service,
            durable=True,
            queue_arguments=self.durable_queue_arguments,
        )


def broker_connection(settings: Settings, **overrides) -> Connection:
    """A kombu connection with publisher confirms on (py-amqp honours confirm_publish)."""
    options = {**settings.broker_options, "confirm_publish": True}
    atomic = filesystem.Transport if settings.broker_url.startswith("filesystem:") else None
    return Connection(
        settings.broker_url,
        transport=atomic,
        transport_options=options,
        connect_timeout=overrides.pop("connect_timeout", 2),
        **overrides,
    )


def queue_depth(connection: Connection, queue: Queue) -> int:
    """Messages ready in a queue, asked passively (declares nothing)."""
    with connection.channel() as channel:
        _, count, _ = queue.bind(channel).queue_declare(passive=True)
        return count
