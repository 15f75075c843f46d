"""Re-driving dead letters: back to the one consumer that failed them, once each."""

from __future__ import annotations

from collections.abc import Callable

from kombu import Connection, Producer

from kinerja.bus.topology import Topology

_DEATH_HEADERS = ("x-death-reason", "x-attempts", "x-dead-lettered-at", "x-consumer")


def dead_letter_count(connection: Connection, topology: Topology, service: str) -> int:
    with connection.channel() as channel:
        queue = topology.dead_letter_queue(service).bind(channel)
        queue.declare()
        _, count, _ = queue.queue_declare(passive=True)
        return count


def replay_dead_letters(
    connection: Connection,
    topology: Topology,
    service: str,
    limit: int | None = None,
    on_progress: Callable[[int], None] | None = None,
) -> int:
    """Move up to `limit` dead letters back onto the service's queue; returns how many."""
    replayed = 0
    with connection.channel() as channel, connection.channel() as publish_channel:
        dead = topology.dead_letter_queue(service).bind(channel)
        dead.declare()
        producer = Producer(publish_channel)
        while limit is None or replayed < limit:
            message = dead.get(no_ack=False)
            if message is None:
                break
            headers = {k: v for k, v in (message.headers or {}).items() if k not in _DEATH_HEADERS}
            headers["x-replayed"] = True
            producer.publish(
                message.body,
                exchange=topology.replay,
                routing_key=service,
                declare=[topology.replay],
                content_type=message.content_type,
                content_encoding=message.content_encoding,
                headers=headers,
                delivery_mode=2,
                message_id=message.properties.get("message_id"),
            )
            message.ack()  # only after the replayed copy is confirmed
            replayed += 1
            if on_progress:
                on_progress(replayed)
    return replayed
