"""Entry point of the appraisal service: wiring only."""

from kinerja.service import ServiceDefinition
from services.appraisal import api, handlers, recompute, store

service = ServiceDefinition(
    name="appraisal",
    title="Kinerja360 appraisal",
    blueprints=[api.blp],
    subscriptions=handlers.subscriptions,
    ensure_indexes=store.ensure_indexes,
    background=[recompute.run],
)
create_app = service.create_app
create_worker = service.create_worker
