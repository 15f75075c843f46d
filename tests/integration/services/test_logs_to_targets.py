"""Verified log output reaches the SKP's realization through the real broker, and a
revoked verification takes it out again."""

from __future__ import annotations

import pytest

from kinerja.bus.consumer import EventConsumer
from kinerja.bus.relay import wait_until_drained
from kinerja.bus.topology import Topology, broker_connection
from kinerja.config import Settings
from kinerja360.components import declare_topology, service_definition
from services.logs import api as logs_api
from tests.integration.services.logs.conftest import BOSS, STAFF, TODAY, entry, ordinary
from tests.integration.services.targets.conftest import ACTIVITIES
from tests.support import bus_env, delete_queues, replicate_employees, running, token, wait_for


@pytest.fixture
def env(mongo_url, amqp_url, namespace):
    env = bus_env(mongo_url, amqp_url, namespace)
    declare_topology(env)
    yield env
    delete_queues(env, ("targets", "logs", "feedback", "appraisal"))


class Service:
    """A service's web app, its relay and a way to run its consumer for a while."""

    def __init__(self, name: str, env: dict):
        definition = service_definition(name)
        self.settings = Settings.from_env(name, env)
        self.app = definition.create_app(self.settings)
        self.context = self.app.extensions["kinerja"]
        self.client = self.app.test_client()
        self.relay = definition.create_worker(self.settings).relay()
        self.subscriptions = definition.subscriptions
        replicate_employees(self.app, ((BOSS, None), (STAFF, BOSS)))

    def consume_until(self, condition, message: str) -> None:
        consumer = EventConsumer(
            self.settings.service,
            broker_connection(self.settings),
            Topology.for_settings(self.settings),
            self.context.uow,
            self.subscriptions,
        )
        with running(consumer.run, consumer.stop):
            wait_for(condition, timeout=20, message=message)

    def drop(self) -> None:
        self.context.client.drop_database(self.settings.mongo_db)


def test_verified_output_arrives_in_the_skp_and_leaves_on_revocation(env, monkeypatch):
    monkeypatch.setattr(logs_api, "today", lambda: TODAY)
    targets, logs = Service("targets", env), Service("logs", env)
    staff = token(targets.settings, STAFF, "employee")
    boss = token(targets.settings, BOSS, "employee", "supervisor")
    try:
        activities = [{**ACTIVITIES[0], "quantity": 1200}]
        targets.client.post(
            "/api/v1/skps", json={"cycle": "2026", "activities": activities}, headers=staff
        )
        targets.client.post(f"/api/v1/skps/{STAFF}/2026/submit", headers=staff)
        targets.client.post(f"/api/v1/skps/{STAFF}/2026/approve", headers=boss)
        wait_until_drained(targets.relay)
        # the logs service learns the approved activities from the broker
        logs.consume_until(
            lambda: (
                logs.client.post("/api/v1/entries", json=entry(), headers=staff).status_code == 201
            ),
            "the approved SKP to reach the logs service",
        )
        [written] = logs.client.get("/api/v1/entries?month=2026-03", headers=staff).json
        # a day of plain activity, verified first: it adds nothing to the realized output
        plain = ordinary("2026-03-09", description="Menyortir surat masuk sebelum diagendakan")
        activity = logs.client.post("/api/v1/entries", json=plain, headers=staff).json
        logs.client.post(f"/api/v1/entries/{activity['id']}/verify", headers=boss)
        logs.client.post(f"/api/v1/entries/{written['id']}/verify", headers=boss)
        wait_until_drained(logs.relay)

        def realized() -> float | None:
            skp = targets.client.get(f"/api/v1/skps/{STAFF}/2026", headers=staff).json
            return skp["realization"].get("agenda-surat", {}).get("quantity")

        targets.consume_until(lambda: realized() == 40, "the verified output in the SKP")
        logs.client.post(f"/api/v1/entries/{written['id']}/revoke", headers=boss)
        wait_until_drained(logs.relay)
        targets.consume_until(lambda: realized() == 0, "the revoked output to leave the SKP")
    finally:
        targets.drop()
        logs.drop()
