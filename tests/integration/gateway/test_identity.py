"""Login, tokens, logout, roles: through the gateway's API on a real database."""

from __future__ import annotations

import pytest

from tests.integration.gateway.conftest import BOSS, STAFF, bearer, login
from tests.support import AT_ONCE, at_once

pytestmark = pytest.mark.usefixtures("directory_seed")


@pytest.mark.parametrize("identifier", ["dewi", STAFF, "DEWI"])
def test_log_in_with_account_name_or_nip(client, identifier):
    answer = login(client, identifier)
    assert answer.status_code == 200
    assert set(answer.json) >= {"access_token", "refresh_token"}


def test_log_in_with_email(client):
    assert login(client, "Budi@Example.go.id").status_code == 200


def test_a_wrong_password_and_an_unknown_user_get_the_same_answer(client):
    wrong = login(client, "dewi", "not-her-password")
    unknown = login(client, "nobody-here", "not-her-password")
    assert wrong.status_code == unknown.status_code == 401
    assert wrong.json == unknown.json


def test_roles_come_from_the_directory_and_grants(client):
    me = client.get("/api/v1/auth/me", headers=bearer(client, "kasubag")).json
    assert me["roles"] == ["employee", "supervisor"]
    assert me["subject"] == BOSS
    assert me["employee"]["position"] == "Kepala Sub Bagian"
    assert client.get("/api/v1/auth/me", headers=bearer(client, "dewi")).json["roles"] == [
        "employee"
    ]
    hr = client.get("/api/v1/auth/me", headers=bearer(client, "hr-admin")).json
    assert (hr["roles"], hr["employee"]) == (["hr"], None)


def test_a_refresh_token_works_once_and_its_reuse_ends_every_session(client):
    first = login(client, "dewi").json
    second = client.post("/api/v1/auth/refresh", json={"refresh_token": first["refresh_token"]})
    assert second.status_code == 200
    reused = client.post("/api/v1/auth/refresh", json={"refresh_token": first["refresh_token"]})
    assert (reused.status_code, reused.json["error"]["code"]) == (401, "token_reused")
    # the thief's reuse also ended the rightful holder's newer session
    after = client.post(
        "/api/v1/auth/refresh", json={"refresh_token": second.json["refresh_token"]}
    )
    assert after.status_code == 401


def test_logout_revokes_the_access_and_refresh_tokens(client):
    pair = login(client, "dewi").json
    headers = {"Authorization": f"Bearer {pair['access_token']}"}
    assert client.get("/api/v1/auth/me", headers=headers).status_code == 200
    out = client.post(
        "/api/v1/auth/logout", json={"refresh_token": pair["refresh_token"]}, headers=headers
    )
    assert out.status_code == 204
    again = client.get("/api/v1/auth/me", headers=headers)
    assert (again.status_code, again.json["error"]["code"]) == (401, "token_revoked")
    refused = client.post("/api/v1/auth/refresh", json={"refresh_token": pair["refresh_token"]})
    assert refused.status_code == 401


def test_login_is_rate_limited_per_address_and_username(client):
    answers = [login(client, "dewi", f"guess-{n}").status_code for n in range(12)]
    assert answers[:10] == [401] * 10
    assert answers[10:] == [429, 429]
    limited = login(client, "dewi", "guess-again")
    assert limited.json["error"]["code"] == "too_many_requests"
    assert login(client, "kasubag").status_code == 200  # other people are not locked out


def test_changing_the_password_ends_other_sessions(client):
    pair = login(client, "dewi").json
    headers = {"Authorization": f"Bearer {pair['access_token']}"}
    weak = client.post(
        "/api/v1/auth/password",
        json={"current_password": "rahasia-123", "new_password": "short"},
        headers=headers,
    )
    assert weak.status_code == 422
    changed = client.post(
        "/api/v1/auth/password",
        json={"current_password": "rahasia-123", "new_password": "lebih-rahasia-456"},
        headers=headers,
    )
    assert changed.status_code == 204
    assert login(client, "dewi").status_code == 401
    assert login(client, "dewi", "lebih-rahasia-456").status_code == 200
    stale = client.post("/api/v1/auth/refresh", json={"refresh_token": pair["refresh_token"]})
    assert stale.status_code == 401


def test_hr_creates_accounts_and_nobody_else_does(client):
    body = {"username": "agus", "password": "rahasia-789", "roles": ["ops"]}
    denied = client.post("/api/v1/auth/accounts", json=body, headers=bearer(client, "dewi"))
    assert denied.status_code == 403
    created = client.post("/api/v1/auth/accounts", json=body, headers=bearer(client, "hr-admin"))
    assert created.status_code == 201
    assert "password" not in created.json and "password_hash" not in created.json
    twice = client.post("/api/v1/auth/accounts", json=body, headers=bearer(client, "hr-admin"))
    assert twice.status_code == 409
    linked_twice = client.post(
        "/api/v1/auth/accounts",
        json={"username": "dewi2", "password": "rahasia-789", "nip": STAFF},
        headers=bearer(client, "hr-admin"),
    )
    assert linked_twice.status_code == 409


def test_twenty_identical_accounts_at_once_create_one(gateway_app, client):
    body = {"username": "agus", "password": "rahasia-789", "roles": ["ops"]}
    answers = at_once(
        gateway_app, "POST", "/api/v1/auth/accounts", bearer(client, "hr-admin"), body
    )
    codes = sorted(answer.status_code for answer in answers)
    assert codes == [201] + [409] * (AT_ONCE - 1), codes
    assert login(client, "agus", "rahasia-789").status_code == 200
