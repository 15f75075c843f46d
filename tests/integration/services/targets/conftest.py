"""The targets service on a real MongoDB-compatible server, with an org chart in its copy."""

from __future__ import annotations

import pytest

from kinerja.config import Settings
from services.targets.app import create_app
from tests.support import bus_env, replicate_employees, token

HEAD = "196505051990031001"  # the supervisor's superior
BOSS = "197001012000031002"
STAFF = "198001012005012002"
OTHER = "198102022006011003"
CYCLE = "2026"
ACTIVITIES = [
    {
        "id": "agenda-surat",
        "name": "Mengagendakan surat",
        "quantity": 12,
        "unit": "laporan",
        "months": 12,
    },
    {
        "id": "anggaran",
        "name": "Mengelola anggaran",
        "quantity": 4,
        "unit": "laporan",
        "months": 12,
        "cost": 1000,
    },
]


@pytest.fixture
def settings(mongo_url, namespace) -> Settings:
    return Settings.from_env("targets", bus_env(mongo_url, "memory://", namespace))


@pytest.fixture
def app(settings):
    app = create_app(settings)
    context = app.extensions["kinerja"]
    replicate_employees(app, ((HEAD, None), (BOSS, HEAD), (STAFF, BOSS), (OTHER, BOSS)))
    yield app
    context.client.drop_database(settings.mongo_db)


@pytest.fixture
def client(app):
    return app.test_client()


class People:
    """Authorization headers for the org chart above."""

    def __init__(self, settings: Settings):
        self.staff = token(settings, STAFF, "employee")
        self.other = token(settings, OTHER, "employee")
        self.boss = token(settings, BOSS, "employee", "supervisor")
        self.head = token(settings, HEAD, "employee", "supervisor")
        self.hr = token(settings, "hr-1", "hr")


@pytest.fixture
def people(settings) -> People:
    return People(settings)


def skp_url(nip: str = STAFF, cycle: str = CYCLE) -> str:
    return f"/api/v1/skps/{nip}/{cycle}"


@pytest.fixture
def approved(client, people):
    """STAFF's SKP, drafted, submitted and approved by BOSS."""
    assert (
        client.post(
            "/api/v1/skps", json={"cycle": CYCLE, "activities": ACTIVITIES}, headers=people.staff
        ).status_code
        == 201
    )
    assert client.post(f"{skp_url()}/submit", headers=people.staff).status_code == 200
    answer = client.post(f"{skp_url()}/approve", headers=people.boss)
    assert answer.status_code == 200, answer.json
    return answer.json
