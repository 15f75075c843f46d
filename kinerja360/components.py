"""The platform's components by name: the gateway and the services behind it
(gateway/upstream.py), the one list the CLI, the local stack, the demo and the test
harness share."""

from __future__ import annotations

import importlib
from collections.abc import Mapping

from gateway.upstream import SERVICES
from kinerja.bus.topology import Topology, broker_connection
from kinerja.config import Settings
from kinerja.service import ServiceDefinition

GATEWAY = "gateway"
# The gateway listens on the given port, the services on the ports after it, in this order.
SERVICE_MODULES = {
    GATEWAY: "gateway.app",
    **{name: f"services.{name}.app" for name in SERVICES},
}


def service_definition(name: str) -> ServiceDefinition:
    return importlib.import_module(SERVICE_MODULES[name]).service


def declare_topology(env: Mapping[str, str]) -> dict[str, list[str]]:
    """Declare every consumer's queue, bindings and dead-letter queue.

    Run before any relay publishes (the local stack does; deployments run
    `kinerja events declare` first): a topic exchange drops what no queue is
    bound to yet, so a consumer that starts later would miss those events.
    """
    declared = {}
    for name in SERVICE_MODULES:
        patterns = service_definition(name).subscriptions.patterns
        if not patterns:
            continue
        settings = Settings.from_env(name, env)
        topology = Topology.for_settings(settings)
        with broker_connection(settings) as connection, connection.channel() as channel:
            topology.consumer_queue(name, patterns).bind(channel).declare()
            topology.dead_letter_queue(name).bind(channel).declare()
        declared[name] = patterns
    return declared
