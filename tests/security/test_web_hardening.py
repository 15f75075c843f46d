"""Secure headers, CSRF on the logged-in web UI, and passwords kept out of every log, on the
demo stack as a browser or an API client meets it.

Already proven on a test client (tests/integration/gateway/test_ui_core.py): the login page's
CSP, X-Frame-Options and nosniff, the session cookie's HttpOnly and SameSite=Lax, the login
form refused without its CSRF token, no open redirect after login, a wrong password never
echoed in the page.
"""

from __future__ import annotations

import re
import uuid

import pytest
import requests

from tests.security.conftest import DEMO_PASSWORD
from tests.support import wait_for

UI_PAGES = ("/login", "/", "/hr/workload", "/api/docs/")
WRONG_API_PASSWORD = "Salah-Sandi-API-" + uuid.uuid4().hex[:8]
WRONG_UI_PASSWORD = "Salah-Sandi-UI-" + uuid.uuid4().hex[:8]
NEW_PASSWORD = "Sandi-Baru-" + uuid.uuid4().hex[:8]


def csrf_token(session: requests.Session, url: str) -> str:
    page = session.get(url, timeout=10).text
    return re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)


def ui_session(demo_stack, username: str, password: str = DEMO_PASSWORD) -> requests.Session:
    browser = requests.Session()
    token = csrf_token(browser, f"{demo_stack.url()}/login")
    answer = browser.post(
        f"{demo_stack.url()}/login",
        data={"csrf_token": token, "username": username, "password": password},
        allow_redirects=False,
        timeout=30,
    )
    assert answer.status_code == 302, answer.text
    browser.last_login = answer
    return browser


@pytest.fixture(scope="module")
def hr_browser(demo_stack):
    return ui_session(demo_stack, "demo-hr")


def test_the_session_cookie_is_httponly_and_samesite(hr_browser):
    cookie = hr_browser.last_login.headers["Set-Cookie"]
    assert cookie.startswith("kinerja360_session=")
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie


@pytest.mark.parametrize("path", UI_PAGES)
def test_every_html_page_forbids_framing_and_sniffing(demo_stack, hr_browser, path):
    answer = hr_browser.get(f"{demo_stack.url()}{path}", timeout=30)
    assert answer.status_code == 200 and answer.headers["Content-Type"].startswith("text/html")
    assert answer.headers["X-Frame-Options"] == "DENY"
    assert answer.headers["X-Content-Type-Options"] == "nosniff"
    if path != "/api/docs/":  # Swagger UI runs an inline script; framing is what matters
        csp = answer.headers["Content-Security-Policy"]
        assert "frame-ancestors 'none'" in csp and "script-src 'self'" in csp
    if path not in ("/login", "/api/docs/"):
        assert answer.headers["Cache-Control"] == "no-store"  # a logged-in page


@pytest.mark.parametrize(
    ("path", "status"),
    [
        ("/api/v1/auth/me", 200),
        ("/api/v1/targets/teams/196703031992031003/skps?cycle=2026", 200),  # forwarded
        ("/api/v1/appraisal/schemes", 200),
        ("/api/v1/appraisal/cycles/2025/export.csv", 200),
        ("/api/openapi.json", 200),
        ("/api/v1/nowhere", 404),
    ],
)
def test_api_answers_carry_the_secure_headers(demo_stack, login, path, status):
    for headers, expected in ((login("demo-hr"), status), ({}, 401)):
        answer = requests.get(f"{demo_stack.url()}{path}", headers=headers, timeout=30)
        if path == "/api/openapi.json" or status == 404:
            expected = status
        assert answer.status_code == expected, answer.text
        assert answer.headers["X-Content-Type-Options"] == "nosniff"
        assert answer.headers["X-Frame-Options"] == "DENY"
        assert "Set-Cookie" not in answer.headers  # the API is bearer-only


def test_a_logged_in_post_without_its_csrf_token_is_400_and_changes_nothing(demo_stack, login):
    """HR's workload settings form: without the token, with another session's token, and
    (the control) with its own token, where the service's own check answers instead."""
    hr_form = f"{demo_stack.url()}/hr/workload"
    settings_url = f"{demo_stack.url()}/api/v1/logs/workload/settings"
    before = requests.get(settings_url, headers=login("demo-hr"), timeout=10).json()
    changed = {"effective_hours_per_year": "1000", "working_days_per_year": "200"}
    browser = ui_session(demo_stack, "demo-hr")
    other_token = csrf_token(requests.Session(), f"{demo_stack.url()}/login")
    for extra in ({}, {"csrf_token": other_token}, {"csrf_token": "dipalsukan"}):
        answer = browser.post(hr_form, data={**changed, **extra}, allow_redirects=False)
        assert answer.status_code == 400, extra
        assert requests.get(settings_url, headers=login("demo-hr"), timeout=10).json() == before
    own_token = csrf_token(browser, hr_form)
    impossible = {"effective_hours_per_year": "-1", "working_days_per_year": "0"}
    refused = browser.post(
        hr_form, data={"csrf_token": own_token, **impossible}, allow_redirects=False
    )
    assert refused.status_code == 422  # past the CSRF check: the service refused the values
    assert requests.get(settings_url, headers=login("demo-hr"), timeout=10).json() == before
    # and the session itself survives a forged logout
    assert browser.post(f"{demo_stack.url()}/logout", data={}).status_code == 400
    assert browser.get(hr_form, allow_redirects=False).status_code == 200


def test_passwords_never_reach_a_log_file(demo_stack, login):
    """After logins through the API and the UI (all with the demo password: every demo
    account was created through the API with it), a wrong password each way, and a refused
    password change, no log file holds any of those passwords."""
    gateway = demo_stack.url()
    marker = f"uji-sandi-{uuid.uuid4().hex}"
    login("demo-employee")
    ui_session(demo_stack, "demo-supervisor")
    wrong = requests.post(
        f"{gateway}/api/v1/auth/login",
        json={"username": "demo-ops", "password": WRONG_API_PASSWORD},
        headers={"X-Request-ID": marker},
        timeout=30,
    )
    assert wrong.status_code == 401
    browser = requests.Session()
    token = csrf_token(browser, f"{gateway}/login")
    refused = browser.post(
        f"{gateway}/login",
        data={"csrf_token": token, "username": "demo-ops", "password": WRONG_UI_PASSWORD},
        timeout=30,
    )
    assert refused.status_code == 401
    change = requests.post(
        f"{gateway}/api/v1/auth/password",
        json={"current_password": WRONG_API_PASSWORD, "new_password": NEW_PASSWORD},
        headers=login("demo-ops"),
        timeout=30,
    )
    assert change.status_code == 422

    def log_texts() -> dict[str, str]:
        files = sorted(p for p in (demo_stack.data_dir / "logs").rglob("*") if p.is_file())
        return {path.name: path.read_text(errors="replace") for path in files}

    # the logs are written, and hold the requests made above: the check below looks at them
    wait_for(lambda: marker in log_texts().get("gateway-web.log", ""), 10, "the login logged")
    texts = log_texts()
    assert sum("/api/v1/auth/login" in text for text in texts.values()) >= 1
    for secret in (DEMO_PASSWORD, WRONG_API_PASSWORD, WRONG_UI_PASSWORD, NEW_PASSWORD):
        assert [name for name, text in texts.items() if secret in text] == [], secret
