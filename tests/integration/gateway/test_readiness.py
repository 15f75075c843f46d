"""The gateway is ready only when every service behind it is, and says which is not."""

import threading
from wsgiref.simple_server import WSGIRequestHandler, make_server

import pytest

from gateway.app import create_app
from kinerja.config import Settings
from services.feedback.app import create_app as create_feedback
from tests.support import bus_env


class QuietHandler(WSGIRequestHandler):
    def log_message(self, *args):
        pass


@pytest.fixture
def feedback_url(mongo_url, namespace):
    app = create_feedback(Settings.from_env("feedback", bus_env(mongo_url, "memory://", namespace)))
    server = make_server("127.0.0.1", 0, app, handler_class=QuietHandler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()


def gateway(mongo_url, namespace, **urls):
    env = {**bus_env(mongo_url, "memory://", namespace), **urls}
    return create_app(Settings.from_env("gateway", env)).test_client()


def test_ready_when_every_service_is_ready(mongo_url, namespace, feedback_url):
    urls = {f"{name}_URL": feedback_url for name in ("TARGETS", "LOGS", "FEEDBACK", "APPRAISAL")}
    answer = gateway(mongo_url, namespace, **urls).get("/readyz")
    assert answer.status_code == 200
    assert answer.json["checks"]["appraisal"] == "ok"


def test_not_ready_names_the_service_that_is_down(mongo_url, namespace, feedback_url):
    answer = gateway(
        mongo_url,
        namespace,
        TARGETS_URL=feedback_url,
        LOGS_URL=feedback_url,
        FEEDBACK_URL=feedback_url,
        APPRAISAL_URL="http://127.0.0.1:9",
    ).get("/readyz")
    assert answer.status_code == 503
    checks = answer.json["checks"]
    assert checks["feedback"] == "ok"
    assert checks["appraisal"].startswith("unreachable")
    assert checks["gateway.mongodb"] == "ok"
