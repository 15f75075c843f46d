"""Entry point of the targets service: wiring only (its routes arrive with its own issue)."""

from kinerja import directory_replica
from kinerja.service import ServiceDefinition
from services.targets import handlers

service = ServiceDefinition(
    name="targets",
    title="Kinerja360 targets",
    subscriptions=handlers.subscriptions,
    ensure_indexes=directory_replica.ensure_indexes,
)
create_app = service.create_app
create_worker = service.create_worker
