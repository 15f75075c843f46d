"""The gateway is ready only when every service behind it is, and says which is not."""

import pytest

from kinerja.config import Settings
from services.feedback.app import create_app as create_feedback
from tests.integration.gateway.test_routing import create_gateway
from tests.support import bus_env, closed_port_url, serve

SERVICES = ("targets", "logs", "feedback", "appraisal")


@pytest.fixture
def feedback_url(mongo_url, namespace):
    app = create_feedback(Settings.from_env("feedback", bus_env(mongo_url, "memory://", namespace)))
    with serve(app) as url:
        yield url


@pytest.fixture
def env(mongo_url, namespace):
    return bus_env(mongo_url, "memory://", namespace)


def test_ready_when_every_service_is_ready(env, feedback_url):
    answer = (
        create_gateway(env, **dict.fromkeys(SERVICES, feedback_url)).test_client().get("/readyz")
    )
    assert answer.status_code == 200
    assert answer.json["checks"]["appraisal"] == "ok"


def test_not_ready_names_the_service_that_is_down(env, feedback_url):
    urls = {**dict.fromkeys(SERVICES, feedback_url), "appraisal": closed_port_url()}
    answer = create_gateway(env, **urls).test_client().get("/readyz")
    assert answer.status_code == 503
    checks = answer.json["checks"]
    assert checks["feedback"] == "ok"
    assert checks["appraisal"].startswith("unreachable")
    assert checks["mongodb"] == "ok"


def test_required_checks_alone_decide_so_one_service_down_keeps_the_gateway_in_rotation(
    env, feedback_url
):
    urls = {**dict.fromkeys(SERVICES, feedback_url), "appraisal": closed_port_url()}
    client = create_gateway(env, **urls).test_client()
    answer = client.get("/readyz?require=mongodb")
    assert answer.status_code == 200
    assert answer.json["checks"]["appraisal"].startswith("unreachable")  # still reported
    assert client.get("/readyz?require=mongodb&require=appraisal").status_code == 503
    unknown = client.get("/readyz?require=mongo")
    assert unknown.status_code == 400
    assert unknown.json["error"]["fields"] == {"require": ["mongo"]}
