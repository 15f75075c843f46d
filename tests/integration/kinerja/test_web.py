"""The app factory's promises: one error shape, ids, health, metrics, auth, OpenAPI."""

from __future__ import annotations

import pytest

from kinerja.config import Settings
from services.appraisal.app import create_app as create_appraisal
from services.targets.app import create_app as create_targets
from tests.support import bus_env, token

ROUTE = "/api/v1/skps"
STAFF = "198001012005012002"
ACTIVITY = {
    "id": "surat",
    "name": "Mengagendakan surat",
    "quantity": 12,
    "unit": "laporan",
    "months": 12,
}
GOOD = {"cycle": "2026", "activities": [ACTIVITY]}


def stored(client) -> tuple[int, int]:
    db = client.application.extensions["kinerja"].db
    return db["skps"].count_documents({}), db["outbox"].count_documents({})


def test_write_stores_state_and_event_with_the_callers_correlation_id(service, settings):
    staff = token(settings, STAFF, "employee")
    assert service.post(ROUTE, json=GOOD, headers=staff).status_code == 201
    answer = service.post(
        f"/api/v1/skps/{STAFF}/2026/submit",
        headers={**staff, "X-Correlation-ID": "corr-123"},
    )
    assert answer.status_code == 200
    assert answer.headers["X-Correlation-ID"] == "corr-123"
    assert answer.headers["X-Request-ID"]
    envelope = service.application.extensions["kinerja"].db["outbox"].find_one()["envelope"]
    assert envelope["type"] == "targets.skp.submitted"
    assert envelope["correlation_id"] == "corr-123"
    assert envelope["causation_id"] == answer.headers["X-Request-ID"]
    assert envelope["data"]["nip"] == STAFF
    assert set(envelope) >= {"id", "type", "version", "occurred_at", "producer", "data"}
    assert stored(service) == (1, 1)


@pytest.mark.parametrize(
    ("body", "status", "field"),
    [
        ({**GOOD, "surprise": 1}, 422, "surprise"),
        ({**GOOD, "activities": "many"}, 422, "activities"),
        ({**GOOD, "cycle": "19"}, 422, "cycle"),
        ({"activities": GOOD["activities"]}, 422, "cycle"),
        ({**GOOD, "activities": [{**ACTIVITY, "quantity": 0}]}, 422, "activities[0].quantity"),
        ({**GOOD, "activities": [{**ACTIVITY, "months": "soon"}]}, 422, "activities"),
        ([1, 2], 422, "_schema"),
    ],
)
def test_bad_input_names_the_field_and_stores_nothing(service, settings, body, status, field):
    answer = service.post(ROUTE, json=body, headers=token(settings, STAFF, "employee"))
    assert answer.status_code == status
    error = answer.json["error"]
    assert set(error) == {"code", "message", "fields"}
    assert field in error["fields"]
    assert stored(service) == (0, 0)


@pytest.mark.parametrize(
    ("data", "status"),
    [
        (b"{not json", 400),
        (b"\xff\xfe\x00", 400),
        (b"[" * 50_000 + b"]" * 50_000, 400),
        (b"{}" + b" " * 2_000_000, 413),
    ],
    ids=["malformed", "invalid-utf8", "deep", "oversize"],
)
def test_unreadable_bodies_are_4xx_never_5xx(service, settings, data, status):
    answer = service.post(
        ROUTE,
        data=data,
        content_type="application/json",
        headers=token(settings, STAFF, "employee"),
    )
    assert answer.status_code == status
    assert answer.json["error"]["code"]


def test_tokens_are_checked_by_the_service_itself(service, settings):
    assert service.post(ROUTE, json=GOOD).json["error"]["code"] == "missing_token"
    forged = Settings.from_env(
        "x", {**_env(settings), "JWT_SECRET": "another-secret-32-bytes-long!!!!"}
    )
    answer = service.post(ROUTE, json=GOOD, headers=token(forged, STAFF, "employee"))
    assert (answer.status_code, answer.json["error"]["code"]) == (401, "invalid_token")
    expired = Settings.from_env("x", {**_env(settings), "JWT_ACCESS_TTL_SECONDS": "-10"})
    answer = service.post(ROUTE, json=GOOD, headers=token(expired, STAFF, "employee"))
    assert (answer.status_code, answer.json["error"]["code"]) == (401, "token_expired")


def _env(settings: Settings) -> dict:
    return {
        "MONGO_URL": settings.mongo_url,
        "BROKER_URL": settings.broker_url,
        "JWT_SECRET": settings.jwt_secret,
    }


def test_a_wrong_role_is_403(mongo_url, namespace):
    settings = Settings.from_env("appraisal", bus_env(mongo_url, "memory://", namespace))
    client = create_appraisal(settings).test_client()
    route = "/api/v1/rounds/2026/ratees/kasubag/ratings"
    assert client.get(route, headers=token(settings, "staf01", "employee")).status_code == 403
    answer = client.get(route, headers=token(settings, "hr1", "hr"))
    assert answer.status_code == 200
    assert answer.json["responses"] == 0


def test_health_and_readiness(service):
    assert service.get("/healthz").json["status"] == "ok"
    ready = service.get("/readyz")
    assert ready.status_code == 200
    assert ready.json["checks"] == {"mongodb": "ok", "broker": "ok"}


def test_database_down_means_503_not_ready_and_clear_write_errors(namespace):
    env = {
        **bus_env("mongodb://127.0.0.1:9/?directConnection=true", "memory://", namespace),
        "MONGO_TIMEOUT_MS": "300",
    }
    settings = Settings.from_env("targets", env)
    client = create_targets(settings).test_client()
    assert client.get("/healthz").status_code == 200  # liveness does no I/O
    ready = client.get("/readyz")
    assert ready.status_code == 503
    assert ready.json["checks"]["mongodb"] != "ok"
    answer = client.post(ROUTE, json=GOOD, headers=token(settings, STAFF, "employee"))
    assert answer.status_code == 503
    assert answer.json["error"]["code"] == "unavailable"


def test_metrics_count_requests_by_route_not_by_raw_path(service, settings):
    for nip in ("199001012015011001", "199002022015012002"):
        service.get(f"/api/v1/skps/{nip}/2026", headers=token(settings, "hr-1", "hr"))
    text = service.get("/metrics").get_data(as_text=True)
    route = "/api/v1/skps/<string:nip>/<string:cycle>"
    lines = [
        line
        for line in text.splitlines()
        if line.startswith("kinerja_http_requests_total{") and route in line
    ]
    assert any('status="404"' in line and 'method="GET"' in line for line in lines)
    assert "199001012015011001" not in text


def test_openapi_document_is_generated_from_the_schemas(service):
    spec = service.get("/api/openapi.json").json
    operation = spec["paths"]["/api/v1/skps"]["post"]
    assert operation["security"] == [{"bearerAuth": []}]
    assert "SkpDraftIn" in spec["components"]["schemas"]
    assert spec["components"]["securitySchemes"]["bearerAuth"]["scheme"] == "bearer"
    assert spec["components"]["schemas"]["Error"]["required"] == ["error"]


def test_behind_a_trusted_proxy_the_client_address_is_the_forwarded_one(mongo_url, namespace):
    """The login rate limit counts clients: behind an Ingress, by X-Forwarded-For."""
    from flask import request as current_request

    from kinerja.config import Settings
    from kinerja.web import create_service_app
    from tests.support import bus_env

    env = bus_env(mongo_url, "memory://", namespace)
    for trusted, expected in (("0", "10.0.0.9"), ("1", "203.0.113.7")):
        settings = Settings.from_env("probe", {**env, "TRUSTED_PROXIES": trusted})
        app = create_service_app(settings, "probe", [])
        app.add_url_rule("/who", "who", lambda: current_request.remote_addr)
        answer = app.test_client().get(
            "/who",
            headers={"X-Forwarded-For": "203.0.113.7"},
            environ_base={"REMOTE_ADDR": "10.0.0.9"},
        )
        assert answer.get_data(as_text=True) == expected


def test_a_unique_key_met_by_a_concurrent_twin_is_a_409_not_a_500(settings):
    """The class: a command checks for a record, a concurrent twin writes it first, and the
    unique key refuses the second write (DuplicateKeyError): the kit answers 409, whichever
    command and index it was."""
    app = create_targets(settings)
    db = app.extensions["kinerja"].db

    @app.post("/twice")
    def write_twice():
        db["twins"].insert_one({"_id": "same"})
        db["twins"].insert_one({"_id": "same"})
        return {}

    answer = app.test_client().post("/twice")
    assert answer.status_code == 409, answer.json
    assert answer.json["error"]["code"] == "conflict"
    app.extensions["kinerja"].client.drop_database(settings.mongo_db)
