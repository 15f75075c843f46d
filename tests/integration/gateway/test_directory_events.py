"""Directory changes travel the real broker and every service keeps its own copy."""

from __future__ import annotations

import pytest

from gateway.app import create_app as create_gateway
from kinerja import directory_replica
from kinerja.bus.consumer import EventConsumer
from kinerja.bus.relay import wait_until_drained
from kinerja.bus.topology import Topology, broker_connection
from kinerja.config import Settings
from kinerja.mongo import UnitOfWork, connect
from kinerja360.components import declare_topology, service_definition
from tests.integration.gateway.conftest import BOSS, STAFF, bearer
from tests.support import bus_env, delete_queues, running, wait_for

SERVICES = ("targets", "logs", "feedback", "appraisal")


@pytest.fixture
def env(mongo_url, amqp_url, namespace):
    env = bus_env(mongo_url, amqp_url, namespace)
    declare_topology(env)
    yield env
    delete_queues(env, SERVICES)


@pytest.fixture
def gateway_app(env):
    app = create_gateway(Settings.from_env("gateway", env))
    yield app
    app.extensions["kinerja"].client.drop_database(app.extensions["kinerja"].settings.mongo_db)


def consume(env: dict, service: str, until) -> None:
    settings = Settings.from_env(service, env)
    client = connect(settings)
    db = client[settings.mongo_db]
    consumer = EventConsumer(
        service,
        broker_connection(settings),
        Topology.for_settings(settings),
        UnitOfWork(client, db, service),
        service_definition(service).subscriptions,
    )
    with running(consumer.run, consumer.stop):
        wait_for(lambda: until(db), message=f"{service} to apply the directory events")
    client.drop_database(settings.mongo_db)


@pytest.mark.usefixtures("directory_seed")
def test_every_service_keeps_its_own_copy_of_the_directory(gateway_app, env):
    client = gateway_app.test_client()
    hr = bearer(client, "hr-admin")
    assert (
        client.patch(
            f"/api/v1/directory/employees/{STAFF}", json={"position": "Arsiparis"}, headers=hr
        ).status_code
        == 200
    )
    relay = service_definition("gateway").create_worker(Settings.from_env("gateway", env)).relay()
    wait_until_drained(relay)

    def has_copy(db) -> bool:
        staff = directory_replica.find_employee(db, STAFF)
        return bool(staff and staff["position"] == "Arsiparis" and staff["version"] == 2)

    for service in SERVICES:
        consume(env, service, has_copy)


@pytest.mark.usefixtures("directory_seed")
def test_a_deactivation_reaches_the_services(gateway_app, env):
    client = gateway_app.test_client()
    hr = bearer(client, "hr-admin")
    client.post(f"/api/v1/directory/employees/{STAFF}/deactivate", headers=hr)
    relay = service_definition("gateway").create_worker(Settings.from_env("gateway", env)).relay()
    wait_until_drained(relay)

    def deactivated(db) -> bool:
        staff = directory_replica.find_employee(db, STAFF)
        return bool(staff and staff["active"] is False and staff["supervisor_nip"] == BOSS)

    consume(env, "appraisal", deactivated)
