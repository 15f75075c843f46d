"""Entry point of the logs service: wiring only (its routes arrive with its own issue)."""

from kinerja.service import ServiceDefinition

service = ServiceDefinition(name="logs", title="Kinerja360 logs")
create_app = service.create_app
create_worker = service.create_worker
