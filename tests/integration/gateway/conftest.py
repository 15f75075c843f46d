"""A gateway app on the real MongoDB-compatible server, with a small directory."""

from __future__ import annotations

import pytest

from gateway.app import create_app
from gateway.directory import commands as directory
from gateway.directory.domain import Employee, Unit
from gateway.identity import commands as identity
from kinerja.config import Settings
from tests.support import bus_env

BOSS = "196505051990031001"
STAFF = "198001012005012002"
PASSWORD = "rahasia-123"


@pytest.fixture
def gateway_settings(mongo_url, namespace) -> Settings:
    return Settings.from_env("gateway", bus_env(mongo_url, "memory://", namespace))


@pytest.fixture
def gateway_app(gateway_settings):
    app = create_app(gateway_settings)
    yield app
    app.extensions["kinerja"].client.drop_database(gateway_settings.mongo_db)


@pytest.fixture
def client(gateway_app):
    return gateway_app.test_client()


@pytest.fixture
def directory_seed(gateway_app):
    """A unit, a Kasubag and one staff member, each with an account; plus an HR account."""
    uow = gateway_app.extensions["kinerja"].uow

    def seed(tx):
        directory.upsert_unit(tx, Unit("umpeg", "Sub Bagian Umum dan Kepegawaian"), "test")
        directory.create_employee(
            tx,
            Employee(
                BOSS,
                "Budi Santoso",
                "Kepala Sub Bagian",
                "umpeg",
                "III/d",
                "structural",
                "S-2",
                echelon="IV.a",
            ),
            "test",
        )
        directory.create_employee(
            tx,
            Employee(
                STAFF,
                "Dewi Lestari",
                "Pengadministrasi Umum",
                "umpeg",
                "II/c",
                "functional",
                "SMA",
                supervisor_nip=BOSS,
            ),
            "test",
        )
        identity.create_account(tx, "kasubag", PASSWORD, [], BOSS, "budi@example.go.id", "test")
        identity.create_account(tx, "dewi", PASSWORD, [], STAFF, None, "test")
        identity.create_account(tx, "hr-admin", PASSWORD, ["hr"], None, None, "test")

    uow(seed)


def login(client, username: str, password: str = PASSWORD):
    return client.post("/api/v1/auth/login", json={"username": username, "password": password})


def bearer(client, username: str) -> dict:
    answer = login(client, username)
    assert answer.status_code == 200, answer.json
    return {"Authorization": f"Bearer {answer.json['access_token']}"}


def ui_session(gateway_app, client, username: str):
    """The test client with a UI session logged in as `username` (no login form, no limiter)."""
    context = gateway_app.extensions["kinerja"]
    with gateway_app.app_context():
        tokens = identity.log_in(context.db, context.settings, username, PASSWORD)
    with client.session_transaction() as session:
        session["tokens"] = {k: tokens[k] for k in ("access_token", "refresh_token")}
    return client
