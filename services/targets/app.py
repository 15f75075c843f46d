"""Entry point of the targets service: wiring only."""

from kinerja.service import ServiceDefinition
from services.targets import api, handlers, store

service = ServiceDefinition(
    name="targets",
    title="Kinerja360 targets (SKP)",
    blueprints=[api.blp],
    subscriptions=handlers.subscriptions,
    ensure_indexes=store.ensure_indexes,
)
create_app = service.create_app
create_worker = service.create_worker
