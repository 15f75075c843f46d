"""Entry point of the gateway: wiring only."""

from flask import Flask, jsonify

from gateway.readiness import gateway_readiness
from kinerja.service import ServiceDefinition


def _add_index(app: Flask) -> None:
    @app.get("/")
    def index():
        return jsonify(
            name="Kinerja360",
            readiness="/readyz",
            metrics="/metrics",
            openapi="/api/openapi.json",
        )


service = ServiceDefinition(
    name="gateway",
    title="Kinerja360 gateway",
    readiness=gateway_readiness,
    extend_app=_add_index,
)
create_app = service.create_app
create_worker = service.create_worker
