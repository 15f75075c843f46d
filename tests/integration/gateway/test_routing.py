"""The gateway forwards /api/v1/<service>/... to real services, and answers when they fail."""

from __future__ import annotations

import socket
import threading
import time

import pytest
import requests
from flask import Flask, jsonify, request

from gateway import routing, upstream
from gateway.app import create_app as create_gateway_app
from gateway.identity import commands as identity
from kinerja.config import Settings
from services.feedback.app import create_app as create_feedback
from tests.support import bus_env, closed_port_url, serve, token

ROUND = {"id": "r1", "cycle": "2026", "deadline": "2026-12-15"}


def create_gateway(env: dict, **service_urls: str) -> Flask:
    """The real gateway, with the services at the given URLs."""
    urls = {f"{name.upper()}_URL": url for name, url in service_urls.items()}
    return create_gateway_app(Settings.from_env("gateway", {**env, **urls}))


@pytest.fixture
def env(mongo_url, namespace):
    return bus_env(mongo_url, "memory://", namespace)


@pytest.fixture
def feedback(env):
    app = create_feedback(Settings.from_env("feedback", env))
    with serve(app) as url:
        yield app, url


@pytest.fixture
def echo_url():
    """A service that answers with what reached it, to see exactly what the gateway sends."""
    app = Flask("echo")

    @app.route("/api/v1/<path:rest>", methods=routing.FORWARDED_METHODS)
    def echo(rest):
        body = {
            "method": request.method,
            "path": request.path,
            "query": request.query_string.decode(),
            "headers": dict(request.headers),
            "body": request.get_data(as_text=True),
        }
        return jsonify(body), 201, {"Location": "/api/v1/skp/items/1", "ETag": '"v1"'}

    with serve(app) as url:
        yield url


def test_a_response_reaches_feedback_with_the_callers_token(env, feedback):
    _, feedback_url = feedback
    gateway = create_gateway(env, feedback=feedback_url).test_client()
    caller = token(Settings.from_env("gateway", env), "hr-1", "hr")

    answer = gateway.post("/api/v1/feedback/rounds", json=ROUND, headers=caller)

    assert answer.status_code == 201
    assert answer.json["id"] == "r1"
    assert answer.content_type == "application/json"


def test_the_services_own_error_passes_through_unchanged(env, feedback):
    _, feedback_url = feedback
    gateway = create_gateway(env, feedback=feedback_url).test_client()

    answer = gateway.post("/api/v1/feedback/rounds", json=ROUND)
    direct = requests.post(f"{feedback_url}/api/v1/rounds", json=ROUND, timeout=5)

    assert answer.status_code == direct.status_code == 401
    assert answer.json == direct.json()
    assert answer.json["error"]["code"] == "missing_token"


def test_correlation_id_reaches_the_services_event(env, feedback):
    feedback_app, feedback_url = feedback
    gateway = create_gateway(env, feedback=feedback_url).test_client()
    caller = token(Settings.from_env("gateway", env), "hr-2", "hr")
    ids = {"X-Correlation-ID": "appraisal-2025-q4", **caller}

    answer = gateway.post("/api/v1/feedback/rounds", json={**ROUND, "id": "y"}, headers=ids)

    assert answer.status_code == 201
    assert answer.headers["X-Correlation-ID"] == "appraisal-2025-q4"
    outbox = feedback_app.extensions["kinerja"].db["outbox"]
    envelope = outbox.find_one({"envelope.data.round_id": "y"})["envelope"]
    assert envelope["correlation_id"] == "appraisal-2025-q4"
    # the service's request id is the gateway's, so the event names the request that caused it
    assert envelope["causation_id"] == answer.headers["X-Request-ID"]


def test_query_string_headers_and_body_pass_as_sent(env, echo_url):
    gateway = create_gateway(env, targets=echo_url).test_client()

    answer = gateway.post(
        "/api/v1/targets/skp/2025%3Fdraft/items?year=2025&unit=Biro%20Umum",
        data='{"a": 1}',
        headers={
            "Content-Type": "application/json",
            "Authorization": "Bearer abc",
            "Accept-Language": "id",
            "If-Match": '"v0"',
            "Cookie": "session=not-for-services",
        },
    )

    assert answer.status_code == 201
    seen = answer.json
    assert seen["method"] == "POST"
    assert seen["path"] == "/api/v1/skp/2025?draft/items"
    assert seen["query"] == "year=2025&unit=Biro%20Umum"
    assert seen["body"] == '{"a": 1}'
    assert seen["headers"]["Authorization"] == "Bearer abc"
    assert seen["headers"]["Accept-Language"] == "id"
    assert seen["headers"]["If-Match"] == '"v0"'
    assert seen["headers"]["X-Request-Id"] == answer.headers["X-Request-ID"]
    assert "Cookie" not in seen["headers"]
    assert answer.headers["ETag"] == '"v1"'
    # the caller follows Location through the gateway, not to the service
    assert answer.headers["Location"] == "/api/v1/targets/skp/items/1"


def test_unknown_service_is_a_json_404(env):
    answer = create_gateway(env).test_client().get("/api/v1/payroll/slips")

    assert answer.status_code == 404
    assert answer.json["error"]["code"] == "not_found"


def test_a_service_without_a_url_is_a_404_naming_it(env):
    env = {k: v for k, v in env.items() if k != "LOGS_URL"}
    answer = create_gateway(env).test_client().get("/api/v1/logs/entries")

    assert answer.status_code == 404
    assert answer.json["error"]["code"] == "unknown_service"
    assert "logs" in answer.json["error"]["message"]


def test_a_service_that_is_down_is_a_quick_503(env):
    gateway = create_gateway(env, appraisal=closed_port_url()).test_client()

    started = time.monotonic()
    answer = gateway.get("/api/v1/appraisal/rounds/r1/ratees/x/ratings")

    assert time.monotonic() - started < 5
    assert answer.status_code == 503
    assert answer.headers["Retry-After"] == "2"
    assert answer.json == {
        "error": {
            "code": "service_unavailable",
            "message": "appraisal is unavailable; try again shortly",
            "fields": {},
        }
    }


def test_a_service_slower_than_the_read_timeout_is_a_504(env, monkeypatch):
    release = threading.Event()
    slow = Flask("slow")

    @slow.get("/api/v1/<path:rest>")
    def stuck(rest):
        release.wait(10)
        return jsonify(ok=True)

    monkeypatch.setattr(upstream, "READ_TIMEOUT_SECONDS", 0.3)
    with serve(slow) as slow_url:
        gateway = create_gateway(env, logs=slow_url).test_client()
        started = time.monotonic()
        answer = gateway.get("/api/v1/logs/entries")
        release.set()

    assert time.monotonic() - started < 3
    assert answer.status_code == 504
    assert answer.json["error"]["code"] == "service_timeout"


def test_a_logged_out_token_stops_at_the_gateway(env, echo_url):
    app = create_gateway(env, targets=echo_url)
    app.extensions["kinerja"].uow(
        lambda tx: identity.create_account(tx, "ops-1", "rahasia-123", ["ops"], None, None, "t")
    )
    gateway = app.test_client()
    pair = gateway.post(
        "/api/v1/auth/login", json={"username": "ops-1", "password": "rahasia-123"}
    ).json
    headers = {"Authorization": f"Bearer {pair['access_token']}"}
    assert gateway.get("/api/v1/targets/skp", headers=headers).status_code == 201
    gateway.post("/api/v1/auth/logout", json={}, headers=headers)

    answer = gateway.get("/api/v1/targets/skp", headers=headers)

    assert (answer.status_code, answer.json["error"]["code"]) == (401, "token_revoked")


def test_upstream_time_is_measured_by_service_and_status(env, echo_url):
    gateway = create_gateway(env, targets=echo_url).test_client()
    gateway.get("/api/v1/targets/skp")

    metrics = gateway.get("/metrics").get_data(as_text=True)

    assert 'kinerja_gateway_upstream_duration_seconds_count{service="targets",status="201"}' in (
        metrics
    )


class DropsFirstRequest:
    """A service whose first connection closes without an answer (as a keep-alive
    connection does when it is closed just as it is reused); later ones answer 200."""

    def __init__(self):
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.url = f"http://127.0.0.1:{self.listener.getsockname()[1]}"
        self.requests: list[bytes] = []
        threading.Thread(target=self._serve, daemon=True).start()

    def _serve(self):
        while True:
            try:
                connection, _ = self.listener.accept()
            except OSError:
                return
            with connection:
                self.requests.append(connection.recv(65536).split(b"\r\n", 1)[0])
                if len(self.requests) > 1:
                    body = b'{"ok": true}'
                    connection.sendall(
                        b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
                        b"Content-Length: %d\r\nConnection: close\r\n\r\n%s" % (len(body), body)
                    )


def test_a_dropped_read_is_sent_again_and_a_dropped_write_is_not(env):
    reads = DropsFirstRequest()
    gateway = create_gateway(env, logs=reads.url).test_client()
    assert gateway.get("/api/v1/logs/entries").status_code == 200
    assert [r.split(b" ")[0] for r in reads.requests] == [b"GET", b"GET"]

    writes = DropsFirstRequest()
    gateway = create_gateway(env, logs=writes.url).test_client()
    answer = gateway.post("/api/v1/logs/entries", json={})
    assert answer.status_code >= 502  # the client decides, with its Idempotency-Key
    assert [r.split(b" ")[0] for r in writes.requests] == [b"POST"]
