"""The app factory's promises: one error shape, ids, health, metrics, auth, OpenAPI."""

from __future__ import annotations

import pytest

from kinerja.config import Settings
from services.appraisal.app import create_app as create_appraisal
from services.feedback.app import create_app as create_feedback
from tests.support import bus_env, token

ROUTE = "/api/v1/rounds/2026/responses/kasubag"
GOOD = {"rater_group": "peer", "scores": {"integritas": 80, "disiplin": 75}}


@pytest.fixture
def settings(mongo_url, namespace):
    return Settings.from_env("feedback", bus_env(mongo_url, "memory://", namespace))


@pytest.fixture
def feedback(settings):
    app = create_feedback(settings)
    yield app.test_client()
    app.extensions["kinerja"].client.drop_database(settings.mongo_db)


def stored(client) -> tuple[int, int]:
    db = client.application.extensions["kinerja"].db
    return db["responses"].count_documents({}), db["outbox"].count_documents({})


def test_write_stores_state_and_event_with_the_callers_correlation_id(feedback, settings):
    answer = feedback.put(
        ROUTE,
        json=GOOD,
        headers={**token(settings, "staf01"), "X-Correlation-ID": "corr-123"},
    )
    assert answer.status_code == 200
    assert answer.json["revision"] == 1
    assert answer.headers["X-Correlation-ID"] == "corr-123"
    assert answer.headers["X-Request-ID"]
    outbox = feedback.application.extensions["kinerja"].db["outbox"].find_one()
    envelope = outbox["envelope"]
    assert envelope["type"] == "feedback.response.submitted"
    assert envelope["correlation_id"] == "corr-123"
    assert envelope["causation_id"] == answer.headers["X-Request-ID"]
    assert envelope["data"]["rater_id"] == "staf01"
    assert set(envelope) >= {"id", "type", "version", "occurred_at", "producer", "data"}

    revised = feedback.put(ROUTE, json=GOOD, headers=token(settings, "staf01"))
    assert revised.json["revision"] == 2
    assert stored(feedback) == (1, 2)


@pytest.mark.parametrize(
    ("body", "status", "field"),
    [
        ({**GOOD, "surprise": 1}, 422, "surprise"),
        ({**GOOD, "scores": {"integritas": "high"}}, 422, "scores"),
        ({**GOOD, "scores": {"integritas": 101}}, 422, "scores"),
        ({"scores": GOOD["scores"]}, 422, "rater_group"),
        ({**GOOD, "rater_group": "self"}, 422, "rater_group"),
        ([1, 2], 422, "_schema"),
    ],
)
def test_bad_input_names_the_field_and_stores_nothing(feedback, settings, body, status, field):
    answer = feedback.put(ROUTE, json=body, headers=token(settings, "staf01"))
    assert answer.status_code == status
    error = answer.json["error"]
    assert set(error) == {"code", "message", "fields"}
    assert field in error["fields"]
    assert stored(feedback) == (0, 0)


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
def test_unreadable_bodies_are_4xx_never_5xx(feedback, settings, data, status):
    answer = feedback.put(
        ROUTE, data=data, content_type="application/json", headers=token(settings, "staf01")
    )
    assert answer.status_code == status
    assert answer.json["error"]["code"]


def test_tokens_are_checked_by_the_service_itself(feedback, settings):
    assert feedback.put(ROUTE, json=GOOD).json["error"]["code"] == "missing_token"
    forged = Settings.from_env(
        "x", {**_env(settings), "JWT_SECRET": "another-secret-32-bytes-long!!!!"}
    )
    answer = feedback.put(ROUTE, json=GOOD, headers=token(forged, "staf01"))
    assert (answer.status_code, answer.json["error"]["code"]) == (401, "invalid_token")
    expired = Settings.from_env("x", {**_env(settings), "JWT_ACCESS_TTL_SECONDS": "-10"})
    answer = feedback.put(ROUTE, json=GOOD, headers=token(expired, "staf01"))
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


def test_health_and_readiness(feedback):
    assert feedback.get("/healthz").json["status"] == "ok"
    ready = feedback.get("/readyz")
    assert ready.status_code == 200
    assert ready.json["checks"] == {"mongodb": "ok", "broker": "ok"}


def test_database_down_means_503_not_ready_and_clear_write_errors(namespace):
    env = {
        **bus_env("mongodb://127.0.0.1:9/?directConnection=true", "memory://", namespace),
        "MONGO_TIMEOUT_MS": "300",
    }
    settings = Settings.from_env("feedback", env)
    client = create_feedback(settings).test_client()
    assert client.get("/healthz").status_code == 200  # liveness does no I/O
    ready = client.get("/readyz")
    assert ready.status_code == 503
    assert ready.json["checks"]["mongodb"] != "ok"
    answer = client.put(ROUTE, json=GOOD, headers=token(settings, "staf01"))
    assert answer.status_code == 503
    assert answer.json["error"]["code"] == "unavailable"


def test_metrics_count_requests_by_route_not_by_raw_path(feedback, settings):
    for ratee in ("a", "b"):
        feedback.put(
            f"/api/v1/rounds/2026/responses/{ratee}", json=GOOD, headers=token(settings, "staf01")
        )
    text = feedback.get("/metrics").get_data(as_text=True)
    route = "/api/v1/rounds/<string:round_id>/responses/<string:ratee_id>"
    lines = [
        line
        for line in text.splitlines()
        if line.startswith("kinerja_http_requests_total{") and route in line
    ]
    assert any('status="200"' in line and 'method="PUT"' in line for line in lines)
    assert "/responses/a" not in text


def test_openapi_document_is_generated_from_the_schemas(feedback):
    spec = feedback.get("/api/openapi.json").json
    operation = spec["paths"]["/api/v1/rounds/{round_id}/responses/{ratee_id}"]["put"]
    assert operation["security"] == [{"bearerAuth": []}]
    assert "ResponseIn" in spec["components"]["schemas"]
    assert spec["components"]["securitySchemes"]["bearerAuth"]["scheme"] == "bearer"
    assert spec["components"]["schemas"]["Error"]["required"] == ["error"]
