"""Entry point of the gateway: wiring only."""

from __future__ import annotations

from flask import Flask, g, jsonify, request
from pymongo.database import Database

from gateway.directory import api as directory_api
from gateway.directory import store as directory_store
from gateway.identity import api as identity_api
from gateway.identity import ratelimit_storage
from gateway.identity import store as identity_store
from gateway.openapi import install_openapi
from gateway.privacy import api as privacy_api
from gateway.readiness import gateway_readiness
from gateway.routing import install_routing
from gateway.ui import install_ui
from kinerja import revocation
from kinerja.auth import verify_access_token
from kinerja.errors import AppError
from kinerja.service import ServiceDefinition


def ensure_indexes(db: Database) -> None:
    directory_store.ensure_indexes(db)
    identity_store.ensure_indexes(db)
    revocation.ensure_indexes(db)


def _refuse_revoked_tokens(app: Flask) -> None:
    """Revoked access tokens (kinerja.revocation) stop at the gateway, before they go
    anywhere: its own routes, the proxy and the UI. The gateway reads its own records at
    every request, so here a revocation holds at once."""
    revocation.install(app, refresh_seconds=0)

    @app.before_request
    def check_revocation():
        scheme, _, token = request.headers.get("Authorization", "").partition(" ")
        if scheme.lower() != "bearer" or not token:
            return
        try:
            principal = verify_access_token(g.kinerja.settings, token.strip())
        except AppError:
            return  # invalid or expired: the endpoint answers 401 itself
        revocation.refuse_revoked(principal)
        g.principal = principal


def _add_index(app: Flask) -> None:
    @app.get("/api")
    def index():
        return jsonify(
            name="Kinerja360",
            login="/api/v1/auth/login",
            readiness="/readyz",
            metrics="/metrics",
            openapi="/api/openapi.json",
            docs="/api/docs/",
        )


def extend(app: Flask) -> None:
    settings = app.extensions["kinerja"].settings
    if settings.jwt_access_ttl_seconds > revocation.LONGEST_ACCESS_TTL.total_seconds():
        # a revocation record must outlive every token it ends
        raise ValueError(
            "JWT_ACCESS_TTL_SECONDS must be at most "
            f"{int(revocation.LONGEST_ACCESS_TTL.total_seconds())}"
        )
    app.config["RATELIMIT_STORAGE_URI"] = ratelimit_storage.storage_uri(settings.mongo_url)
    app.config["RATELIMIT_STORAGE_OPTIONS"] = {
        "database_name": settings.mongo_db,
        "serverSelectionTimeoutMS": settings.mongo_timeout_ms,
    }
    app.config["RATELIMIT_HEADERS_ENABLED"] = True
    # while MongoDB is down the limiter cannot count; the login itself answers 503 then
    app.config["RATELIMIT_SWALLOW_ERRORS"] = True
    identity_api.limiter.init_app(app)
    _refuse_revoked_tokens(app)
    install_routing(app)
    install_openapi(app)
    _add_index(app)
    install_ui(app, settings)


service = ServiceDefinition(
    name="gateway",
    title="Kinerja360 gateway",
    blueprints=[identity_api.blp, directory_api.blp, privacy_api.blp],
    ensure_indexes=ensure_indexes,
    readiness=gateway_readiness,
    extend_app=extend,
    # the merged document (gateway.openapi) takes /api/openapi.json
    config={"OPENAPI_URL_PREFIX": None},
)
create_app = service.create_app
create_worker = service.create_worker
