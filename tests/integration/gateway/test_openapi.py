"""The gateway serves one valid OpenAPI document for every service, and Swagger UI offline."""

from __future__ import annotations

import re

import pytest
from openapi_spec_validator import validate

from gateway import openapi
from kinerja.config import Settings
from services.appraisal.app import create_app as create_appraisal
from services.feedback.app import create_app as create_feedback
from tests.integration.gateway.test_routing import create_gateway
from tests.support import bus_env, closed_port_url, serve

RESPONSE_PATH = "/api/v1/feedback/rounds/{round_id}/assignments/{response_id}/submit"
RATINGS_PATH = "/api/v1/appraisal/rounds/{round_id}/ratees/{ratee_id}/ratings"


@pytest.fixture
def env(mongo_url, namespace):
    return bus_env(mongo_url, "memory://", namespace)


@pytest.fixture
def feedback_url(env):
    with serve(create_feedback(Settings.from_env("feedback", env))) as url:
        yield url


@pytest.fixture
def appraisal_url(env):
    with serve(create_appraisal(Settings.from_env("appraisal", env))) as url:
        yield url


def component_behind(document: dict, ref: str) -> dict:
    section, name = ref.removeprefix("#/components/").split("/")
    return document["components"][section][name]


def test_merged_document_is_valid_and_routes_through_the_gateway(env, feedback_url, appraisal_url):
    gateway = create_gateway(env, feedback=feedback_url, appraisal=appraisal_url).test_client()

    answer = gateway.get("/api/openapi.json")

    assert answer.status_code == 200
    document = answer.json
    validate(document)
    put = document["paths"][RESPONSE_PATH]["post"]
    ref = put["requestBody"]["content"]["application/json"]["schema"]["$ref"]
    assert ref == "#/components/schemas/FeedbackAnswerIn"
    assert "scores" in component_behind(document, ref)["properties"]
    assert put["tags"] == ["feedback"]
    assert document["paths"][RATINGS_PATH]["get"]["tags"] == ["appraisal"]
    assert "x-kinerja-missing" not in document


def test_services_share_the_kits_components_and_keep_their_own_apart(
    env, feedback_url, appraisal_url
):
    gateway = create_gateway(env, feedback=feedback_url, appraisal=appraisal_url).test_client()

    document = gateway.get("/api/openapi.json").json
    components = document["components"]

    schemas = components["schemas"]
    assert {"Error", "ErrorDetail", "FeedbackAssignmentOut", "AppraisalRatingsSummaryOut"} <= set(
        schemas
    )
    assert not {"AnswerIn", "FeedbackError", "AppraisalError"} & set(schemas)
    assert list(components["securitySchemes"]) == ["bearerAuth"]
    # a service's error responses point at the one shared Error schema
    put = document["paths"][RESPONSE_PATH]["post"]
    default_error = component_behind(document, put["responses"]["default"]["$ref"])
    assert default_error["content"]["application/json"]["schema"]["$ref"] == (
        "#/components/schemas/Error"
    )


def test_a_service_that_is_down_is_left_out_and_named(env, feedback_url):
    gateway = create_gateway(env, feedback=feedback_url, appraisal=closed_port_url()).test_client()

    answer = gateway.get("/api/openapi.json")

    assert answer.status_code == 200
    document = answer.json
    validate(document)
    assert RESPONSE_PATH in document["paths"]
    assert RATINGS_PATH not in document["paths"]
    assert document["x-kinerja-missing"] == ["appraisal"]
    assert "appraisal" in document["info"]["description"]


def test_a_services_document_is_kept_for_a_minute(env, monkeypatch):
    app = create_feedback(Settings.from_env("feedback", env))
    with serve(app) as url:
        gateway = create_gateway(env, feedback=url).test_client()
        gateway.get("/api/openapi.json")
    # feedback is gone now: its document is still served from the cache...
    assert RESPONSE_PATH in gateway.get("/api/openapi.json").json["paths"]
    # ...until the cache expires
    monkeypatch.setattr(openapi, "CACHE_SECONDS", 0)
    assert RESPONSE_PATH not in gateway.get("/api/openapi.json").json["paths"]


def test_docs_page_loads_swagger_ui_from_the_gateway_itself(env, feedback_url):
    gateway = create_gateway(env, feedback=feedback_url).test_client()

    page = gateway.get("/api/docs", follow_redirects=True)

    assert page.status_code == 200
    assert page.content_type.startswith("text/html")
    html = page.get_data(as_text=True)
    assert "/api/openapi.json" in html
    assets = re.findall(r'(?:src|href)="([^"]+)"', html)
    assert assets and all(asset.startswith("/api/docs/") for asset in assets)
    script = gateway.get(next(a for a in assets if a.endswith("swagger-ui-bundle.js")))
    assert script.status_code == 200
    assert b"SwaggerUIBundle" in script.get_data()
