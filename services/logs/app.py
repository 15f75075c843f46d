"""Entry point of the logs service: wiring only (its routes arrive with its own issue)."""

from kinerja import directory_replica
from kinerja.service import ServiceDefinition
from services.logs import handlers

service = ServiceDefinition(
    name="logs",
    title="Kinerja360 logs",
    subscriptions=handlers.subscriptions,
    ensure_indexes=directory_replica.ensure_indexes,
)
create_app = service.create_app
create_worker = service.create_worker
