"""Forged, tampered and expired access tokens on the demo stack: 401 at the gateway's own
endpoints, through its proxy, and at a service called directly.

Already proven elsewhere and not repeated here: tokens of another issuer or audience and
the expiry check itself (tests/unit/kinerja/test_auth.py), a service checking tokens
itself (tests/integration/kinerja/test_web.py), a refresh token working once (within its
grace) and its reuse ending every session, and logout revoking both tokens so that
refreshing after logout is 401 (tests/integration/gateway/test_identity.py), a logged-out
access token stopping at the gateway (tests/integration/gateway/test_routing.py) and at
every service's own port, a deactivated employee's too (tests/security/test_sessions.py).

Every forgery below claims the hr role, so a check that let it through would answer 200
from an HR-only operation instead of 401.
"""

from __future__ import annotations

import base64
import json

import pytest
import requests

from kinerja.auth import issue_access_token
from kinerja.config import Settings
from tests.security.authorization_table import RUDI


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _claims(token: str) -> dict:
    return json.loads(_unb64(token.split(".")[1]))


def _with_claims(claims: dict) -> str:
    return _b64(json.dumps(claims, separators=(",", ":")).encode())


def payload_changed(real: dict, settings: Settings) -> str:
    header, _, signature = real["access"].split(".")
    return f"{header}.{_with_claims({**_claims(real['access']), 'roles': ['hr']})}.{signature}"


def signature_changed(real: dict, settings: Settings) -> str:
    header, payload, signature = real["access"].split(".")
    flipped = bytearray(_unb64(signature))
    flipped[0] ^= 0xFF
    return f"{header}.{payload}.{_b64(bytes(flipped))}"


def alg_none(real: dict, settings: Settings) -> str:
    header = _b64(json.dumps({"alg": "none", "typ": "JWT"}).encode())
    return f"{header}.{_with_claims({**_claims(real['access']), 'roles': ['hr']})}."


def wrong_secret(real: dict, settings: Settings) -> str:
    other = Settings.from_env(
        "test",
        {"MONGO_URL": "x", "BROKER_URL": "x", "JWT_SECRET": "not-the-stack-secret-" + "x" * 20},
    )
    return issue_access_token(other, RUDI, ["employee", "hr"], account="demo-employee")


def expired(real: dict, settings: Settings) -> str:
    return issue_access_token(
        settings, RUDI, ["employee", "hr"], ttl_seconds=-30, account="demo-employee"
    )


def refresh_as_access(real: dict, settings: Settings) -> str:
    return real["refresh"]


FORGERIES = {
    payload_changed: "invalid_token",
    signature_changed: "invalid_token",
    alg_none: "invalid_token",
    wrong_secret: "invalid_token",
    expired: "token_expired",
    refresh_as_access: "invalid_token",
}
# an HR-only read at each door: the gateway's own API, its proxy, a service directly
SURFACES = {
    "gateway": ("gateway", "/api/v1/directory/employees/{nip}/audit"),
    "proxy": ("gateway", "/api/v1/appraisal/schemes"),
    "service": ("appraisal", "/api/v1/schemes"),
}


@pytest.fixture(scope="module")
def real_tokens(demo_stack, login):
    """demo-employee's real access token, and a real refresh token of demo-ops."""
    pair = requests.post(
        f"{demo_stack.url()}/api/v1/auth/login",
        json={"username": "demo-ops", "password": "demo1234"},
        timeout=10,
    ).json()
    access = login("demo-employee")["Authorization"].split(" ", 1)[1]
    return {"access": access, "refresh": pair["refresh_token"]}


@pytest.mark.parametrize("surface", SURFACES)
@pytest.mark.parametrize("forge", FORGERIES, ids=[f.__name__ for f in FORGERIES])
def test_a_forged_or_expired_token_is_401(demo_stack, real_tokens, login, forge, surface):
    service, path = SURFACES[surface]
    url = demo_stack.url(service) + path.format(nip=RUDI)
    genuine = requests.get(url, headers=login("demo-hr"), timeout=10)
    assert genuine.status_code == 200  # the door is open to a real HR token
    token = forge(real_tokens, demo_stack.settings())
    answer = requests.get(url, headers={"Authorization": f"Bearer {token}"}, timeout=10)
    assert (answer.status_code, answer.json()["error"]["code"]) == (401, FORGERIES[forge])


@pytest.mark.parametrize(
    "header",
    ["", "Bearer", "Bearer ", "Basic ZGVtby1ocjpkZW1vMTIzNA==", "Bearer not.a.token", "Token x"],
)
def test_a_malformed_authorization_header_is_401(demo_stack, header):
    for url in (
        demo_stack.url() + "/api/v1/appraisal/schemes",
        demo_stack.url("appraisal") + "/api/v1/schemes",
    ):
        answer = requests.get(url, headers={"Authorization": header}, timeout=10)
        assert answer.status_code == 401, (url, header, answer.text)
