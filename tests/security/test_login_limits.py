"""Login rate limits on a gateway of its own (its own database, so its counters block no one
on the shared demo stack), each test from client addresses of its own.

Already proven in tests/integration/gateway/test_identity.py: 10 guesses a minute at one
username from one address, then 429, while other users still log in. Here: the 60 a minute
per address across usernames (password spraying), that a username locked from one address
still logs in from another (no lock-out of a victim from afar), that an X-Forwarded-For the
gateway does not trust changes nothing, and the same limits on the web UI's login form.

The limiter counts every attempt, whatever its body; most attempts here leave the password
out, so the test spends no time in argon2 (a second per check on a busy machine), and the
last ones carry a password to show a real guess is refused the same way.
"""

from __future__ import annotations

import itertools
import re

import pytest

from gateway.app import create_app
from gateway.directory import commands as directory
from gateway.directory.domain import Employee, Unit
from gateway.identity import commands as identity
from kinerja.config import Settings
from tests.support import bus_env

PASSWORD = "rahasia-123"
DEWI = "198001012005012002"
_addresses = (f"10.9.{n // 250}.{n % 250 + 1}" for n in itertools.count())


@pytest.fixture
def client(mongo_url, namespace):
    settings = Settings.from_env("gateway", bus_env(mongo_url, "memory://", namespace))
    app = create_app(settings)

    def seed(tx):
        identity.create_account(tx, "hr-admin", PASSWORD, ["hr"], None, None, "test")
        directory.upsert_unit(tx, Unit("umpeg", "Sub Bagian Umum dan Kepegawaian"), "test")
        dewi = Employee(DEWI, "Dewi", "Pengadministrasi", "umpeg", "II/c", "functional", "SMA")
        directory.create_employee(tx, dewi, "test")
        identity.create_account(tx, "dewi", PASSWORD, [], DEWI, "dewi@example.go.id", "test")

    app.extensions["kinerja"].uow(seed)
    yield app.test_client()
    app.extensions["kinerja"].client.drop_database(settings.mongo_db)


@pytest.fixture
def address():
    """A client address no other test uses."""
    return next(_addresses)


def api_login(client, username: str, password: str | None, address: str, headers=None):
    body = {"username": username} | ({"password": password} if password else {})
    return client.post(
        "/api/v1/auth/login",
        json=body,
        environ_base={"REMOTE_ADDR": address},
        headers=headers or {},
    ).status_code


def test_one_address_gets_60_logins_a_minute_whatever_the_usernames(client, address):
    attempts = [api_login(client, f"pegawai-{n}", None, address) for n in range(59)]
    assert attempts == [422] * 59
    assert api_login(client, "pegawai-59", "tebakan-umum-1", address) == 401
    assert api_login(client, "pegawai-60", "tebakan-umum-1", address) == 429
    assert api_login(client, "hr-admin", PASSWORD, address) == 429
    assert api_login(client, "hr-admin", PASSWORD, next(_addresses)) == 200


def test_a_username_locked_from_one_address_still_logs_in_from_another(client, address):
    attempts = [api_login(client, "hr-admin", None, address) for _ in range(9)]
    attempts.append(api_login(client, "hr-admin", "salah-sandi", address))
    assert attempts == [422] * 9 + [401]
    assert api_login(client, "hr-admin", PASSWORD, address) == 429
    assert api_login(client, "hr-admin", PASSWORD, next(_addresses)) == 200


def test_an_untrusted_forwarded_for_header_does_not_reset_the_count(client, address):
    attempts = [
        api_login(client, "hr-admin", None, address, {"X-Forwarded-For": f"192.0.2.{n}"})
        for n in range(10)
    ]
    forged = {"X-Forwarded-For": "192.0.2.99"}
    assert attempts == [422] * 10
    assert api_login(client, "hr-admin", PASSWORD, address, forged) == 429


def _ui_csrf(client, address: str) -> str:
    page = client.get("/login", environ_base={"REMOTE_ADDR": address}).get_data(as_text=True)
    return re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)


def ui_login(client, username: str, password: str, address: str, token: str) -> int:
    return client.post(
        "/login",
        data={"csrf_token": token, "username": username, "password": password},
        environ_base={"REMOTE_ADDR": address},
    ).status_code


def test_the_ui_login_form_limits_guesses_at_one_username(client, address):
    token = _ui_csrf(client, address)
    attempts = [ui_login(client, "hr-admin", "", address, token) for _ in range(9)]
    attempts.append(ui_login(client, "hr-admin", "salah-sandi", address, token))
    assert attempts == [422] * 9 + [401]  # the form asks for the password; then wrong
    assert ui_login(client, "hr-admin", PASSWORD, address, token) == 429
    other = next(_addresses)
    assert ui_login(client, "hr-admin", PASSWORD, other, _ui_csrf(client, other)) == 302


def test_the_ui_login_form_limits_one_address_across_usernames(client, address):
    token = _ui_csrf(client, address)
    attempts = [ui_login(client, f"pegawai-{n}", "", address, token) for n in range(59)]
    assert attempts == [422] * 59
    assert ui_login(client, "pegawai-59", "tebakan-umum-1", address, token) == 401
    assert ui_login(client, "pegawai-60", "tebakan-umum-1", address, token) == 429
    assert ui_login(client, "hr-admin", PASSWORD, address, token) == 429


def test_one_account_gets_10_guesses_a_minute_whichever_alias_and_door(client, address):
    """Limit-bypass class: the per-account limit counted the typed text, so the same
    account's NIP, email and username (in any case), and the UI form beside the API,
    each got a budget of their own. Now every alias of an account, at either door,
    draws on one count; an unknown identifier is counted by its normalized text."""
    token = _ui_csrf(client, address)
    aliases = ["dewi", DEWI, "Dewi@Example.go.id", " DEWI "]
    attempts = [api_login(client, aliases[n % 4], None, address) for n in range(5)]
    attempts += [ui_login(client, aliases[n % 4], "", address, token) for n in range(4)]
    attempts.append(api_login(client, "dewi@example.go.id", "salah-sandi", address))
    assert attempts == [422] * 9 + [401]
    for alias in aliases:
        assert api_login(client, alias, PASSWORD, address) == 429
        assert ui_login(client, alias, PASSWORD, address, token) == 429
    # another account from the same address, and this one from elsewhere, still log in
    assert api_login(client, "hr-admin", PASSWORD, address) == 200
    assert api_login(client, DEWI, PASSWORD, next(_addresses)) == 200
    # an identifier that names no account is counted by its normalized text
    unknown = [
        api_login(client, " Nobody " if n % 2 else "nobody", None, address) for n in range(10)
    ]
    assert unknown == [422] * 10
    assert api_login(client, "NOBODY", "tebakan-1", address) == 429


def test_logging_in_often_is_no_guess_and_locks_nobody_out(client, address):
    """The limits count failed attempts only: an office behind one address whose people
    log in all day (or one person, in several tabs) is never refused for it, while guesses
    after those logins are counted as before."""
    assert [api_login(client, "hr-admin", PASSWORD, address) for _ in range(12)] == [200] * 12
    guesses = [api_login(client, "hr-admin", f"tebakan-{n}", address) for n in range(11)]
    assert guesses == [401] * 10 + [429]
