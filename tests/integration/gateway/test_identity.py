"""Login, tokens, logout, roles: through the gateway's API on a real database."""

from __future__ import annotations

from datetime import UTC, datetime

import jwt
import pytest

from gateway.identity.domain import REFRESH_GRACE
from kinerja.auth import issue_access_token
from tests.integration.gateway.conftest import BOSS, STAFF, bearer, login, ui_session
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


def _refresh(client, refresh_token: str):
    return client.post("/api/v1/auth/refresh", json={"refresh_token": refresh_token})


def _outlive_the_grace(gateway_app, refresh_token: str) -> None:
    """Age the token's spending past the grace window, as waiting 30 s would."""
    jti = jwt.decode(refresh_token, options={"verify_signature": False})["jti"]
    gateway_app.extensions["kinerja"].db["refresh_successors"].update_one(
        {"_id": jti}, {"$set": {"spent_at": datetime.now(UTC) - REFRESH_GRACE}}
    )


def test_refreshes_of_one_token_at_once_all_get_the_same_new_pair(gateway_app, client):
    """Race class: a refresh token traded by several callers at once (two tabs, two page
    loads) used to give one of them 401 token_reused and could end every session."""
    first = login(client, "dewi").json
    body = {"refresh_token": first["refresh_token"]}
    answers = at_once(gateway_app, "POST", "/api/v1/auth/refresh", {}, body)
    assert sorted(a.status_code for a in answers) == [200] * AT_ONCE
    pairs = {(a.json["access_token"], a.json["refresh_token"]) for a in answers}
    assert len(pairs) == 1
    ((access, refresh),) = pairs
    assert (
        client.get("/api/v1/auth/me", headers={"Authorization": f"Bearer {access}"}).json["subject"]
        == STAFF
    )
    assert _refresh(client, refresh).status_code == 200  # the new session goes on


def test_a_refresh_token_reused_after_the_grace_ends_every_session(gateway_app, client):
    first = login(client, "dewi").json
    other_device = login(client, "dewi").json
    second = _refresh(client, first["refresh_token"])
    assert second.status_code == 200
    assert _refresh(client, first["refresh_token"]).json == second.json  # within the grace
    _outlive_the_grace(gateway_app, first["refresh_token"])
    reused = _refresh(client, first["refresh_token"])
    assert (reused.status_code, reused.json["error"]["code"]) == (401, "token_reused")
    # the thief's reuse also ended the rightful holder's newer session and every other one,
    # their access tokens too
    assert _refresh(client, second.json["refresh_token"]).status_code == 401
    assert _refresh(client, other_device["refresh_token"]).status_code == 401
    for pair in (second.json, other_device):
        me = client.get(
            "/api/v1/auth/me", headers={"Authorization": f"Bearer {pair['access_token']}"}
        )
        assert (me.status_code, me.json["error"]["code"]) == (401, "token_revoked")
    assert login(client, "dewi").status_code == 200  # logging in again works


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
    # the old session's access token ends at once, not when it expires
    ended = client.get("/api/v1/auth/me", headers=headers)
    assert (ended.status_code, ended.json["error"]["code"]) == (401, "token_revoked")
    fresh = login(client, "dewi", "lebih-rahasia-456")
    assert fresh.status_code == 200
    stale = client.post("/api/v1/auth/refresh", json={"refresh_token": pair["refresh_token"]})
    assert stale.status_code == 401
    renewed = {"Authorization": f"Bearer {fresh.json['access_token']}"}
    assert client.get("/api/v1/auth/me", headers=renewed).status_code == 200


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


def test_deactivating_an_employee_ends_their_sessions_at_once(client):
    """Lingering-session class: a deactivated employee's tokens and logins kept working
    (and a new login got a role-less token the services still took for its owner)."""
    pair = login(client, "dewi").json
    headers = {"Authorization": f"Bearer {pair['access_token']}"}
    assert client.get("/api/v1/auth/me", headers=headers).status_code == 200
    hr = bearer(client, "hr-admin")
    assert (
        client.post(f"/api/v1/directory/employees/{STAFF}/deactivate", headers=hr).status_code
        == 200
    )
    ended = client.get("/api/v1/auth/me", headers=headers)
    assert (ended.status_code, ended.json["error"]["code"]) == (401, "token_revoked")
    proxied = client.get(f"/api/v1/targets/skps/{STAFF}/2026", headers=headers)
    assert (proxied.status_code, proxied.json["error"]["code"]) == (401, "token_revoked")
    refreshed = _refresh(client, pair["refresh_token"])
    assert refreshed.status_code == 401
    for identifier in ("dewi", STAFF):
        refused = login(client, identifier)
        wrong = login(client, identifier, "not-her-password")
        assert refused.status_code == wrong.status_code == 401
        assert refused.json == wrong.json  # nothing tells the password was right


def test_two_ui_page_loads_with_an_expired_access_token_keep_the_session(gateway_app, client):
    """Race class, in the UI: a browser loads several pages at once with the same session
    cookie; when its access token has expired each trades the same refresh token. The one
    that arrives second used to end the session (and every other session of the user)."""
    cookie = gateway_app.config["SESSION_COOKIE_NAME"]
    ui_session(gateway_app, client, "dewi")
    settings = gateway_app.extensions["kinerja"].settings
    expired = issue_access_token(settings, STAFF, ["employee"], ttl_seconds=-30, account="dewi")
    with client.session_transaction() as session:
        session["tokens"] = {**session["tokens"], "access_token": expired}
    stale_cookie = client.get_cookie(cookie).value
    first = client.get("/")
    assert first.status_code == 200
    # the second load left with the cookie as it was, before the first one's answer came
    second = gateway_app.test_client()
    second.set_cookie(cookie, stale_cookie)
    assert second.get("/").status_code == 200
    with second.session_transaction() as session:
        renewed = session["tokens"]
    with client.session_transaction() as session:
        assert session["tokens"] == renewed  # both loads hold the same new pair
    assert client.get("/").status_code == 200
