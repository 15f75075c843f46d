"""The delivery promise, shown against a real MongoDB-compatible server and real brokers:
every state change is published at least once and applied exactly once."""

from __future__ import annotations

import threading
import time
from urllib.parse import urlparse

import pytest
from click.testing import CliRunner
from kombu import Producer
from marshmallow import fields
from prometheus_client import REGISTRY

from kinerja.bus.consumer import EventConsumer, Subscriptions
from kinerja.bus.dlq import dead_letter_count
from kinerja.bus.envelope import Envelope
from kinerja.bus.relay import OutboxRelay, wait_until_drained
from kinerja.bus.topology import Topology, broker_connection, queue_depth
from kinerja.config import Settings
from kinerja.contracts import EventType, Payload, Version
from kinerja.mongo import Tx, UnitOfWork, connect
from kinerja360.cli import main as kinerja_cli
from tests.support import TcpProxy, bus_env, running, wait_for


class Bumped(Payload):
    key = fields.String(required=True)
    poison = fields.Boolean(load_default=False)


# the test's own event type, with its contract like every real one
BUMPED = EventType("test.counter.bumped", Version(1, Bumped, {"key": "k"}))

CONSUMER = "appraisal"  # any service name the CLI knows; the namespace isolates the test
PRODUCER = "feedback"


class Bench:
    """A producer and a consumer service sharing one bus namespace."""

    def __init__(self, env: dict):
        self.env = env
        self.producer_settings = Settings.from_env(PRODUCER, env)
        self.consumer_settings = Settings.from_env(CONSUMER, env)
        self.topology = Topology.for_settings(self.consumer_settings)
        self.client = connect(self.producer_settings)
        self.producer_db = self.client[self.producer_settings.mongo_db]
        self.consumer_db = self.client[self.consumer_settings.mongo_db]
        self.producer_uow = UnitOfWork(self.client, self.producer_db, PRODUCER)
        self.consumer_uow = UnitOfWork(self.client, self.consumer_db, CONSUMER)
        self.poison_fixed = threading.Event()
        self.subscriptions = Subscriptions()
        self.subscriptions.on(BUMPED)(self.bump)

    def bump(self, event: Envelope, tx: Tx) -> None:
        """The effect: a counter that a second application would visibly raise."""
        if event.data["poison"] and not self.poison_fixed.is_set():
            raise ValueError("cannot apply this event (yet)")
        tx.db["counters"].update_one(
            {"_id": event.data["key"]},
            {"$inc": {"applied": 1}, "$push": {"events": event.id}},
            upsert=True,
            session=tx.session,
        )

    def applied(self, key: str) -> int:
        doc = self.consumer_db["counters"].find_one({"_id": key})
        return doc["applied"] if doc else 0

    def write(self, key: str, **data) -> Envelope:
        """A state change and its event, in one transaction."""

        def work(tx: Tx) -> Envelope:
            tx.db["changes"].insert_one({"key": key}, session=tx.session)
            return tx.publish(BUMPED, {"key": key, **data})

        return self.producer_uow(work)

    def consumer(self, broker_url: str | None = None) -> EventConsumer:
        settings = self.consumer_settings
        connection = broker_connection(settings)
        if broker_url:
            connection = connection.clone(hostname=broker_url)
        return EventConsumer(
            CONSUMER,
            connection,
            self.topology,
            self.consumer_uow,
            self.subscriptions,
            max_attempts=3,
            backoff=lambda attempt: 0.01,
        )

    def relay(self, connection=None) -> OutboxRelay:
        return OutboxRelay(
            PRODUCER,
            self.producer_db,
            connection or broker_connection(self.producer_settings),
            self.topology,
        )

    def declare_queues(self) -> None:
        """Declare the consumer's queue before anything is published, as a deploy does."""
        with broker_connection(self.consumer_settings) as connection, connection.channel() as ch:
            self.topology.consumer_queue(CONSUMER, self.subscriptions.patterns).bind(ch).declare()
            self.topology.dead_letter_queue(CONSUMER).bind(ch).declare()

    def cleanup(self) -> None:
        with broker_connection(self.consumer_settings) as connection, connection.channel() as ch:
            for queue in (
                self.topology.consumer_queue(CONSUMER, []),
                self.topology.dead_letter_queue(CONSUMER),
            ):
                queue.bind(ch).delete()
        self.client.drop_database(self.producer_settings.mongo_db)
        self.client.drop_database(self.consumer_settings.mongo_db)
        self.client.close()


@pytest.fixture(params=["amqp", "filesystem"])
def bench(request, mongo_url, namespace, tmp_path):
    if request.param == "amqp":
        broker_url = request.getfixturevalue("amqp_url")
        env = bus_env(mongo_url, broker_url, namespace)
    else:
        for sub in ("queue", "control"):
            (tmp_path / "broker" / sub).mkdir(parents=True)
        env = bus_env(mongo_url, "filesystem://", namespace, broker_folder=tmp_path / "broker")
    bench = Bench(env)
    bench.declare_queues()
    yield bench
    bench.cleanup()


@pytest.fixture
def amqp_bench(mongo_url, namespace, amqp_url):
    bench = Bench(bus_env(mongo_url, amqp_url, namespace))
    bench.declare_queues()
    yield bench
    bench.cleanup()


def counted(name: str, **labels) -> float:
    return REGISTRY.get_sample_value(name, labels) or 0.0


def test_state_change_and_event_commit_together_or_not_at_all(bench):
    def failing_work(tx: Tx):
        tx.db["changes"].insert_one({"key": "k"}, session=tx.session)
        tx.publish(BUMPED, {"key": "k"})
        raise RuntimeError("the change is refused after the event was written")

    with pytest.raises(RuntimeError):
        bench.producer_uow(failing_work)
    assert bench.producer_db["changes"].count_documents({}) == 0
    assert bench.producer_db["outbox"].count_documents({}) == 0

    bench.write("k")
    assert bench.producer_db["changes"].count_documents({}) == 1
    assert bench.relay().outbox.backlog() == 1


def test_event_travels_from_outbox_to_consumer_once(bench):
    sent = [bench.write("a") for _ in range(5)]
    wait_until_drained(bench.relay())
    consumer = bench.consumer()
    with running(consumer.run, consumer.stop) as errors:
        wait_for(lambda: bench.applied("a") == 5, message="five events applied")
    assert not errors
    doc = bench.consumer_db["counters"].find_one({"_id": "a"})
    assert sorted(doc["events"]) == sorted(e.id for e in sent)


def test_duplicate_delivery_is_applied_once(bench):
    event = bench.write("dup")
    relay = bench.relay()
    wait_until_drained(relay)
    # The relay crashed after the broker confirmed but before marking the event sent:
    bench.producer_db["outbox"].update_one({"_id": event.id}, {"$set": {"published": False}})
    wait_until_drained(relay)
    duplicates_before = counted(
        "kinerja_events_consumed_total",
        service=CONSUMER,
        type="test.counter.bumped",
        outcome="duplicate",
    )

    consumer = bench.consumer()
    with running(consumer.run, consumer.stop):
        wait_for(
            lambda: (
                counted(
                    "kinerja_events_consumed_total",
                    service=CONSUMER,
                    type="test.counter.bumped",
                    outcome="duplicate",
                )
                == duplicates_before + 1
            ),
            message="the second copy seen as a duplicate",
        )
    assert bench.applied("dup") == 1


class SimulatedCrash(BaseException):
    """The process dies: nothing after this point runs, nothing is acked."""


@pytest.mark.parametrize("dies", ["after_commit", "before_commit"])
def test_crash_around_the_commit_redelivers_and_applies_once(amqp_bench, dies):
    """After the commit: the redelivery is a duplicate. Before it: nothing was acked, so
    nothing is lost. Either way the effect is there exactly once."""
    bench = amqp_bench
    bench.write("crash")
    wait_until_drained(bench.relay())

    crashing = bench.consumer()
    real_apply = crashing.apply

    def apply_then_die(event, handler):
        real_apply(event, handler)  # the effect and the event id are committed...
        raise SimulatedCrash  # ...and the process dies before the ack

    def die_inside_transaction(event, tx):
        bench.bump(event, tx)
        raise SimulatedCrash  # the effect is written but never committed

    if dies == "after_commit":
        crashing.apply = apply_then_die
    else:
        crashing.subscriptions = Subscriptions()
        crashing.subscriptions.on(BUMPED)(die_inside_transaction)
    with running(crashing.run, crashing.stop) as errors:
        wait_for(lambda: errors, message="the consumer to crash")
    assert isinstance(errors[0], SimulatedCrash)
    assert bench.applied("crash") == (1 if dies == "after_commit" else 0)

    # The broker redelivers the unacked message to the restarted consumer.
    restarted = bench.consumer()
    with running(restarted.run, restarted.stop):
        wait_for(lambda: _queue_empty(bench), message="the redelivered message acked")
    assert bench.applied("crash") == 1


def _queue_empty(bench: Bench) -> bool:
    with broker_connection(bench.consumer_settings) as connection, connection.channel() as ch:
        queue = bench.topology.consumer_queue(CONSUMER, []).bind(ch)
        _, ready, _ = queue.queue_declare(passive=True)
    return ready == 0 and bench.applied("crash") == 1


def test_poison_message_is_dead_lettered_then_replayed_once(bench):
    dead_before = counted(
        "kinerja_events_dead_lettered_total", service=CONSUMER, type="test.counter.bumped"
    )
    bench.write("poison", poison=True)
    bench.write("healthy")
    wait_until_drained(bench.relay())
    topology, settings = bench.topology, bench.consumer_settings

    consumer = bench.consumer()
    with running(consumer.run, consumer.stop):
        wait_for(lambda: bench.applied("healthy") == 1, message="the healthy event applied")
        wait_for(lambda: _dead_letters(settings, topology) == 1, message="the poison dead-lettered")
    assert bench.applied("poison") == 0
    assert (
        counted("kinerja_events_dead_lettered_total", service=CONSUMER, type="test.counter.bumped")
        == dead_before + 1
    )
    assert counted("kinerja_events_failed_total", service=CONSUMER, type="test.counter.bumped") >= 3

    bench.poison_fixed.set()  # the bug is fixed and deployed
    result = CliRunner().invoke(
        kinerja_cli, ["events", "replay-dlq", "--service", CONSUMER], env=bench.env
    )
    assert result.exit_code == 0, result.output
    assert f"{CONSUMER}: 1 replayed" in result.output
    assert _dead_letters(settings, topology) == 0

    consumer = bench.consumer()
    with running(consumer.run, consumer.stop):
        wait_for(lambda: bench.applied("poison") == 1, message="the replayed event applied")
    again = CliRunner().invoke(
        kinerja_cli, ["events", "replay-dlq", "--service", CONSUMER], env=bench.env
    )
    assert f"{CONSUMER}: no dead letters" in again.output
    assert bench.applied("poison") == 1


def _dead_letters(settings: Settings, topology: Topology) -> int:
    with broker_connection(settings) as connection:
        return dead_letter_count(connection, topology, CONSUMER)


def test_an_unknown_version_is_dead_lettered_at_once_with_its_reason(bench):
    failed_before = counted("kinerja_events_failed_total", service=CONSUMER, type=BUMPED.name)
    newer = Envelope.new(BUMPED.name, {"key": "future"}, producer=PRODUCER, version=2)
    with broker_connection(bench.producer_settings) as connection:
        Producer(connection.channel()).publish(
            newer.to_dict(),
            exchange=bench.topology.events,
            routing_key=BUMPED.name,
            serializer="json",
            declare=[bench.topology.events],
        )
    bench.write("healthy")
    wait_until_drained(bench.relay())
    consumer = bench.consumer()
    with running(consumer.run, consumer.stop):
        wait_for(lambda: bench.applied("healthy") == 1, message="the event after it applied")
        wait_for(
            lambda: _dead_letters(bench.consumer_settings, bench.topology) == 1,
            message="the unknown version parked in the dead-letter queue",
        )
    assert bench.applied("future") == 0
    # not retried: no later attempt could read it
    assert counted("kinerja_events_failed_total", service=CONSUMER, type=BUMPED.name) == (
        failed_before
    )
    with broker_connection(bench.consumer_settings) as connection, connection.channel() as ch:
        parked = bench.topology.dead_letter_queue(CONSUMER).bind(ch).get(no_ack=True)
    assert parked.headers["x-death-reason"] == (
        "test.counter.bumped version 2 is not one this consumer reads (it reads 1); "
        "replay it once a consumer that does is deployed"
    )
    assert parked.headers["x-attempts"] == 0


def test_undecodable_message_is_dead_lettered_not_dropped(bench):
    with broker_connection(bench.producer_settings) as connection:
        Producer(connection.channel()).publish(
            b"\x00not json",
            exchange=bench.topology.events,
            routing_key="test.counter.bumped",
            content_type="application/json",
            content_encoding="binary",
            declare=[bench.topology.events],
        )
    consumer = bench.consumer()
    with running(consumer.run, consumer.stop):
        wait_for(
            lambda: _dead_letters(bench.consumer_settings, bench.topology) == 1,
            message="the undecodable message parked in the dead-letter queue",
        )


def start_proxy(bench: Bench) -> tuple[TcpProxy, str]:
    """A cuttable path to the broker, and the broker URL that goes through it."""
    broker = urlparse(bench.env["BROKER_URL"])
    proxy = TcpProxy(broker.port or 5672)
    proxy.start()
    return proxy, f"amqp://{broker.username}:{broker.password}@127.0.0.1:{proxy.port}//"


def test_relay_resumes_after_broker_outage_with_nothing_lost(amqp_bench):
    bench = amqp_bench
    proxy, proxied = start_proxy(bench)
    relay = bench.relay(
        connection=broker_connection(bench.producer_settings).clone(hostname=proxied)
    )
    written = [bench.write("outage") for _ in range(3)]
    stop = threading.Event()
    with running(lambda: relay.run(stop), stop.set):
        wait_for(lambda: relay.outbox.backlog() == 0, message="the first events published")
        proxy.cut()
        written += [bench.write("outage") for _ in range(4)]
        time.sleep(1.5)  # the relay keeps trying meanwhile
        assert relay.outbox.backlog() == 4, "while the broker is away, events wait in the outbox"
        proxy.start()
        wait_for(lambda: relay.outbox.backlog() == 0, timeout=30, message="the relay resumed")
    proxy.cut()

    consumer = bench.consumer()
    with running(consumer.run, consumer.stop):
        wait_for(lambda: bench.applied("outage") == 7, message="all seven applied")
    doc = bench.consumer_db["counters"].find_one({"_id": "outage"})
    assert sorted(doc["events"]) == sorted(e.id for e in written)


def test_consumer_reconnects_after_broker_outage(amqp_bench):
    bench = amqp_bench
    proxy, proxied = start_proxy(bench)
    consumer = bench.consumer(broker_url=proxied)
    relay = bench.relay()
    with running(consumer.run, consumer.stop) as errors:
        bench.write("reconnect")
        wait_until_drained(relay)
        wait_for(lambda: bench.applied("reconnect") == 1, message="applied before the outage")
        proxy.cut()
        bench.write("reconnect")
        wait_until_drained(relay)  # the broker itself is up; only this consumer lost it
        proxy.start()
        wait_for(lambda: bench.applied("reconnect") == 2, timeout=30, message="applied after")
    proxy.cut()
    assert not errors


def transactions_of(service: str) -> float:
    return counted("kinerja_events_per_transaction_count", service=service)


def test_a_backlog_is_applied_in_batches_each_event_once(bench):
    """Events waiting together share transactions; a redelivered copy among them is
    skipped, and every effect is there exactly once."""
    sent = [bench.write(f"batch-{n % 4}") for n in range(40)]
    relay = bench.relay()
    wait_until_drained(relay)
    bench.producer_db["outbox"].update_one({"_id": sent[7].id}, {"$set": {"published": False}})
    wait_until_drained(relay)  # the relay re-sent one event: 41 messages wait
    transactions_before = transactions_of(CONSUMER)

    consumer = bench.consumer()
    with running(consumer.run, consumer.stop) as errors:
        wait_for(
            lambda: sum(bench.applied(f"batch-{k}") for k in range(4)) == 40,
            message="forty events applied",
        )
        wait_for(lambda: not _ready_messages(bench), message="the queue drained")
    assert not errors
    applied_ids = []
    for k in range(4):
        doc = bench.consumer_db["counters"].find_one({"_id": f"batch-{k}"})
        assert doc["applied"] == 10
        applied_ids += doc["events"]
    assert sorted(applied_ids) == sorted(e.id for e in sent)
    assert bench.consumer_db["applied_events"].count_documents({}) == 40
    transactions = transactions_of(CONSUMER) - transactions_before
    assert 1 <= transactions < 20, "a waiting backlog is applied a batch per transaction"


def test_a_poison_event_in_a_batch_is_dead_lettered_alone(bench):
    """The batch's transaction fails as a whole; its events then run one by one, so the
    poison gets its retries and the dead-letter queue, the rest are applied once."""
    healthy = [bench.write("beside-poison") for _ in range(5)]
    bench.write("poison", poison=True)
    healthy += [bench.write("beside-poison") for _ in range(5)]
    wait_until_drained(bench.relay())

    consumer = bench.consumer()
    with running(consumer.run, consumer.stop) as errors:
        wait_for(lambda: bench.applied("beside-poison") == 10, message="the healthy applied")
        wait_for(
            lambda: _dead_letters(bench.consumer_settings, bench.topology) == 1,
            message="the poison dead-lettered",
        )
    assert not errors
    assert bench.applied("poison") == 0
    doc = bench.consumer_db["counters"].find_one({"_id": "beside-poison"})
    assert sorted(doc["events"]) == sorted(e.id for e in healthy)


def _ready_messages(bench: Bench) -> int:
    with broker_connection(bench.consumer_settings) as connection:
        return queue_depth(connection, bench.topology.consumer_queue(CONSUMER, []))


def test_an_idle_relay_waits_on_the_outbox_s_inserts_and_publishes_at_once(bench):
    """Idle, a look at the outbox only when something was written: three quiet seconds take
    one or two passes (polling took six), and a new event leaves within a fraction of one."""
    relay = bench.relay()
    passes = []
    publish = relay.publish_pending
    relay.publish_pending = lambda: passes.append(time.monotonic()) or publish()
    stop = threading.Event()
    with running(lambda: relay.run(stop), stop.set):
        wait_for(lambda: relay._inserts is not None, message="the relay watching the outbox")
        time.sleep(0.2)
        before = len(passes)
        time.sleep(3)
        assert len(passes) - before <= 2
        written = time.monotonic()
        bench.write("watched")
        wait_for(lambda: relay.outbox.backlog() == 0, timeout=5, message="the event published")
        assert time.monotonic() - written < 1.0
