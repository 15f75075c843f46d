"""Verified daily logs become realized quantity, through the real broker, exactly once."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from kinerja.bus.consumer import EventConsumer
from kinerja.bus.relay import wait_until_drained
from kinerja.bus.topology import Topology, broker_connection
from kinerja.config import Settings
from kinerja.contracts import logs as log_events
from kinerja.mongo import UnitOfWork, connect
from kinerja360.components import declare_topology, service_definition
from services.logs.domain import Entry
from services.logs.events import entry_output
from tests.integration.services.targets.conftest import CYCLE, STAFF, skp_url
from tests.support import bus_env, delete_queues, deliver, running, wait_for


@pytest.fixture
def env(mongo_url, amqp_url, namespace):
    env = bus_env(mongo_url, amqp_url, namespace)
    declare_topology(env)
    yield env
    delete_queues(env, ("targets", "logs", "feedback", "appraisal"))


@pytest.fixture
def settings(env):  # the targets app of conftest, on the real broker
    return Settings.from_env("targets", env)


class LogsService:
    """Stands in for the logs service's outbox: the events it will publish."""

    def __init__(self, env: dict):
        self.settings = Settings.from_env("logs", env)
        self.client = connect(self.settings)
        db = self.client[self.settings.mongo_db]
        self.uow = UnitOfWork(self.client, db, "logs")
        self.relay = service_definition("logs").create_worker(self.settings).relay()

    def publish(self, event_type, entry_id: str, quantity: int, completes=True):
        """What the logs service publishes, made by its own payload function."""
        entry = Entry(
            id=entry_id,
            nip=STAFF,
            date=date(2026, 3, 2),
            activity_id="agenda-surat",
            description="Mengagendakan surat masuk hari ini",
            quantity=Decimal(quantity) if completes else None,
            minutes=60,
            completes_output=completes,
            revision=0,
        )
        data = entry_output(entry)
        self.uow(lambda tx: tx.publish(event_type, data))
        wait_until_drained(self.relay)


def realized_quantity(client, people):
    skp = client.get(skp_url(), headers=people.staff).json
    return skp["realization"].get("agenda-surat", {}).get("quantity")


def test_verified_output_adds_up_and_a_revoked_verification_takes_it_back(
    app, client, people, approved, env
):
    logs = LogsService(env)
    logs.publish(log_events.ENTRY_VERIFIED, "e1", 3)
    logs.publish(log_events.ENTRY_VERIFIED, "e2", 2)
    logs.publish(log_events.ENTRY_VERIFIED, "e2", 2)  # the same entry verified twice
    logs.publish(log_events.ENTRY_REVOKED, "e1", 3)
    logs.publish(log_events.ENTRY_VERIFIED, "e3", 0, completes=False)  # activity only

    settings = app.extensions["kinerja"].settings
    context = app.extensions["kinerja"]
    consumer = EventConsumer(
        "targets",
        broker_connection(settings),
        Topology.for_settings(settings),
        UnitOfWork(context.client, context.db, "targets"),
        service_definition("targets").subscriptions,
    )
    with running(consumer.run, consumer.stop):
        wait_for(lambda: _processed(context.db) == 5, message="five log events applied")
    assert realized_quantity(client, people) == 2
    skp = client.get(skp_url(), headers=people.staff).json
    assert skp["realization"]["agenda-surat"]["quantity_source"] == "logs"
    manual = client.patch(
        f"{skp_url()}/activities/agenda-surat/realization",
        json={"quantity": 12},
        headers=people.staff,
    )
    assert "quantity" in manual.json["error"]["fields"]  # logs decide this activity's quantity
    published = [d["envelope"]["type"] for d in context.db["outbox"].find()]
    # e1, e2, e1's revoke; e2 again and the ordinary entry move nothing, so say nothing
    assert published.count("targets.realization.updated") == 3
    logs.client.drop_database(logs.settings.mongo_db)


def _processed(db) -> int:
    return db["applied_events"].count_documents({"type": {"$regex": "^logs\\."}})


def test_a_revoke_that_overtakes_its_verify_still_wins(app, client, people, approved):
    """Competing consumers may apply an entry's events in either order: the entry's
    revision decides, so a late verify never brings back revoked output."""
    from services.targets import handlers

    def apply(handler, event_type, revision: int) -> None:
        data = {
            "entry_id": "e9",
            "nip": STAFF,
            "cycle": CYCLE,
            "activity_id": "agenda-surat",
            "completes_output": True,
            "quantity": "5",
            "minutes": 60,
            "date": "2026-03-02",
            "revision": revision,
        }
        deliver(app.extensions["kinerja"].uow, handler, event_type, data)

    verified, revoked = log_events.ENTRY_VERIFIED, log_events.ENTRY_REVOKED
    apply(handlers.count_verified_output, verified, 2)
    assert realized_quantity(client, people) == 5
    apply(handlers.take_back_revoked_output, revoked, 4)  # revoked (revision 4) ...
    apply(handlers.count_verified_output, verified, 3)  # ... overtakes a re-verification
    assert realized_quantity(client, people) in (None, 0)


def test_ordinary_activity_adds_nothing_and_a_version_1_event_counts_as_it_did(
    app, client, people, approved
):
    """Only an entry completing output counts; an event published before entries said so
    (version 1) carried output as its quantity, and is read as such."""
    from services.targets import handlers

    def verify(data: dict, version: int) -> None:
        base = {"nip": STAFF, "cycle": CYCLE, "activity_id": "agenda-surat"}
        uow = app.extensions["kinerja"].uow
        verified = log_events.ENTRY_VERIFIED
        deliver(uow, handlers.count_verified_output, verified, {**base, **data}, version)

    ordinary = {"completes_output": False, "quantity": "0", "minutes": 60, "date": "2026-03-02"}
    verify({"entry_id": "a1", "revision": 2, **ordinary}, 2)
    assert realized_quantity(client, people) is None
    verify({"entry_id": "old", "quantity": 2.0, "date": "2026-03-02", "minutes": 30}, 1)
    assert realized_quantity(client, people) == 2
