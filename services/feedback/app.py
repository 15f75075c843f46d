"""Entry point of the feedback service: wiring only."""

from kinerja.service import ServiceDefinition
from services.feedback import api, handlers, store

service = ServiceDefinition(
    name="feedback",
    title="Kinerja360 feedback",
    blueprints=[api.blp],
    subscriptions=handlers.subscriptions,
    ensure_indexes=store.ensure_indexes,
)
create_app = service.create_app
create_worker = service.create_worker
