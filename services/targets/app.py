"""Entry point of the targets service: wiring only (its routes arrive with its own issue)."""

from kinerja.service import ServiceDefinition

service = ServiceDefinition(name="targets", title="Kinerja360 targets")
create_app = service.create_app
create_worker = service.create_worker
