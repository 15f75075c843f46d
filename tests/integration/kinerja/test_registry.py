"""Queues exist before the first publish, so no event is dropped for want of a binding."""

from kombu import Producer

from kinerja.bus.topology import Topology, broker_connection, queue_depth
from kinerja.config import Settings
from kinerja360.components import declare_topology, service_definition
from tests.support import bus_env, delete_queues


def test_declared_queues_hold_events_published_before_any_consumer_ran(
    mongo_url, amqp_url, namespace
):
    env = bus_env(mongo_url, amqp_url, namespace)
    declared = declare_topology(env)
    assert "feedback.response.submitted" in declared["appraisal"]
    assert "gateway.employee.upserted" in declared["targets"]

    settings = Settings.from_env("appraisal", env)
    topology = Topology.for_settings(settings)
    with broker_connection(settings) as connection:
        Producer(connection.channel()).publish(
            {"any": "body"},
            exchange=topology.events,
            routing_key="feedback.response.submitted",
            declare=[topology.events],
        )
        queue = topology.consumer_queue("appraisal", declared["appraisal"])
        try:
            assert queue_depth(connection, queue) == 1
        finally:
            delete_queues(env, declared)


def test_every_component_is_registered_with_its_own_name():
    for name in ("gateway", "targets", "logs", "feedback", "appraisal"):
        assert service_definition(name).name == name
