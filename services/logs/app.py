"""Entry point of the logs service: wiring only."""

from kinerja.service import ServiceDefinition
from services.logs import api, handlers, store

service = ServiceDefinition(
    name="logs",
    title="Kinerja360 daily work logs",
    blueprints=[api.blp],
    subscriptions=handlers.subscriptions,
    ensure_indexes=store.ensure_indexes,
)
create_app = service.create_app
create_worker = service.create_worker
