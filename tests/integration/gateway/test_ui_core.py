"""What every UI page relies on: login and logout through identity, CSRF on every POST,
secure headers, no open redirect after login, the language switch, the static files."""

from __future__ import annotations

import re

from tests.integration.gateway.conftest import PASSWORD


def csrf_token(client, path: str = "/login") -> str:
    page = client.get(path).get_data(as_text=True)
    return re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)


def log_in(client, username: str = "dewi", next_path: str | None = None):
    token = csrf_token(client)
    target = "/login" + (f"?next={next_path}" if next_path else "")
    return client.post(
        target, data={"csrf_token": token, "username": username, "password": PASSWORD}
    )


def test_the_login_page_is_indonesian_with_secure_headers(client):
    answer = client.get("/login")
    assert answer.status_code == 200
    assert '<html lang="id">' in answer.get_data(as_text=True)
    csp = answer.headers["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "frame-ancestors 'none'" in csp
    assert answer.headers["X-Frame-Options"] == "DENY"
    assert answer.headers["X-Content-Type-Options"] == "nosniff"
    english = client.get("/lang/en?next=/login", follow_redirects=True)
    assert '<html lang="en">' in english.get_data(as_text=True)
    assert "Log in to Kinerja360" in english.get_data(as_text=True)


def test_a_post_without_its_csrf_token_is_refused_with_400(client, directory_seed):
    answer = client.post("/login", data={"username": "dewi", "password": PASSWORD})
    assert answer.status_code == 400
    assert client.get("/").headers["Location"].startswith("/login")  # not logged in
    forged = client.post(
        "/login", data={"csrf_token": "forged", "username": "dewi", "password": PASSWORD}
    )
    assert forged.status_code == 400


def test_login_sets_an_httponly_session_and_logout_ends_it(client, directory_seed):
    answer = log_in(client)
    assert answer.status_code == 302 and answer.headers["Location"] == "/"
    cookie = answer.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie
    home = client.get("/")
    assert home.status_code == 200 and home.headers["Cache-Control"] == "no-store"
    token = csrf_token(client, "/")
    assert client.post("/logout", data={"csrf_token": token}).status_code == 302
    assert client.get("/").headers["Location"].startswith("/login")


def test_a_wrong_password_keeps_the_username_and_never_echoes_the_password(client, directory_seed):
    token = csrf_token(client)
    answer = client.post(
        "/login", data={"csrf_token": token, "username": "dewi", "password": "salah-1234"}
    )
    page = answer.get_data(as_text=True)
    assert answer.status_code == 401 and 'value="dewi"' in page
    assert "salah-1234" not in page


def test_login_never_redirects_to_another_site(client, directory_seed):
    for target in ("//evil.example/x", "https://evil.example/", "javascript:alert(1)"):
        answer = log_in(client, next_path=target)
        assert answer.headers["Location"] == "/", target
        client.get("/logout")  # GET does nothing; a fresh client is not needed
        with client.session_transaction() as session:
            session.clear()


def test_the_static_files_are_served(client):
    assert client.get("/static/ui/app.css").status_code == 200
    assert client.get("/static/ui/htmx-2.0.11.min.js").status_code == 200
