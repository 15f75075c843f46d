"""Security tests (authorization, anonymity): one demo stack on free ports for the whole
session, logged in as the demo accounts through the gateway like any client."""

from __future__ import annotations

import time

import jwt
import pytest
import requests

from kinerja360.demo.gateway import DEMO_PASSWORD
from kinerja360.harness import demo_stack as running_demo_stack

# the gateway's own app on a seeded directory, for the attacks on identity in-process
from tests.integration.gateway.conftest import (  # noqa: F401
    client,
    directory_seed,
    gateway_app,
    gateway_settings,
)


@pytest.fixture(scope="session")
def demo_stack(tmp_path_factory):
    with running_demo_stack(tmp_path_factory.mktemp("security")) as stack:
        yield stack


@pytest.fixture(scope="session")
def login(demo_stack):
    """login(username) -> Authorization header of a fresh access token (cached per user,
    renewed when less than a minute of its life is left: a long session outlives one)."""
    cache: dict[str, dict] = {}

    def expiring(headers: dict) -> bool:
        token = headers["Authorization"].split(" ", 1)[1]
        claims = jwt.decode(token, options={"verify_signature": False})
        return claims["exp"] - time.time() < 60

    def headers_for(username: str) -> dict:
        if username not in cache or expiring(cache[username]):
            answer = requests.post(
                f"{demo_stack.url()}/api/v1/auth/login",
                json={"username": username, "password": DEMO_PASSWORD},
                timeout=10,
            )
            assert answer.status_code == 200, answer.text
            cache[username] = {"Authorization": f"Bearer {answer.json()['access_token']}"}
        return cache[username]

    return headers_for
