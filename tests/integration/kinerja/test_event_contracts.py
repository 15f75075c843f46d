"""Every consumer accepts every producer's example of every version it subscribes to:
each example is applied by the service's own handler against a real database, through
the consumer's exactly-once path, as the broker would deliver it."""

from __future__ import annotations

import pytest

from kinerja.bus.consumer import EventConsumer
from kinerja.bus.topology import Topology
from kinerja.config import Settings
from kinerja.contracts import EVENT_TYPES
from kinerja.mongo import UnitOfWork, connect
from kinerja360.components import SERVICE_MODULES, service_definition
from tests.support import bus_env

SUBSCRIBED = [
    (service, subscription, version)
    for service in SERVICE_MODULES
    for subscription in service_definition(service).subscriptions.by_name.values()
    for version in subscription.event_type.versions
]


def test_every_subscription_is_to_an_event_some_component_publishes():
    for service, subscription, _ in SUBSCRIBED:
        assert EVENT_TYPES.get(subscription.event_type.name) is subscription.event_type, service


@pytest.mark.parametrize(
    ("service", "subscription", "version"),
    SUBSCRIBED,
    ids=[f"{s}<-{sub.event_type.name}-v{v}" for s, sub, v in SUBSCRIBED],
)
def test_the_consumer_applies_the_producers_example(
    mongo_url, namespace, service, subscription, version
):
    settings = Settings.from_env(service, bus_env(mongo_url, "memory://", namespace))
    client = connect(settings)
    db = client[settings.mongo_db]
    consumer = EventConsumer(
        service,
        connection=None,
        topology=Topology.for_settings(settings),
        unit_of_work=UnitOfWork(client, db, service),
        subscriptions=service_definition(service).subscriptions,
    )
    event = subscription.event_type.example_event(version)
    try:
        read = subscription.event_type.read(event)
        assert consumer.apply(read, subscription.handler) == "applied"
        assert consumer.apply(read, subscription.handler) == "duplicate"
    finally:
        client.drop_database(settings.mongo_db)
