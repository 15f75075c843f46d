"""The feedback service on a real database, with a small unit in its copy of the directory:
a head, a supervisor with four staff (peers of each other)."""

from __future__ import annotations

from datetime import date

import pytest

from kinerja.config import Settings
from services.feedback import api
from services.feedback.app import create_app
from tests.support import bus_env, replicate_employees, token

HEAD = "196505051990031001"
BOSS = "197001012000031002"
STAFF = ["198001012005012002", "198102022006011003", "198203032007012004", "198304042008011005"]
TODAY = date(2026, 11, 20)


@pytest.fixture
def settings(mongo_url, namespace) -> Settings:
    return Settings.from_env("feedback", bus_env(mongo_url, "memory://", namespace))


@pytest.fixture
def app(settings, monkeypatch):
    monkeypatch.setattr(api, "today", lambda: TODAY)
    app = create_app(settings)
    replicate_employees(app, ((HEAD, None), (BOSS, HEAD)), position_kind="structural")
    replicate_employees(app, ((nip, BOSS) for nip in STAFF), position_kind="functional")
    yield app
    app.extensions["kinerja"].client.drop_database(settings.mongo_db)


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def as_(settings):
    """Authorization headers for anyone in the unit."""

    def headers(nip: str) -> dict:
        roles = (
            ["hr"]
            if nip == "hr"
            else ["employee"] + (["supervisor"] if nip in (HEAD, BOSS) else [])
        )
        return token(settings, nip, *roles)

    return headers


@pytest.fixture
def open_round(client, as_):
    answer = client.post(
        "/api/v1/rounds",
        json={"id": "r1", "cycle": "2026", "deadline": "2026-11-22", "peers_per_ratee": 2},
        headers=as_("hr"),
    )
    assert answer.status_code == 201, answer.json
    return answer.json


def scores(value: int, structural: bool = False) -> dict:
    keys = ["orientasi_pelayanan", "integritas", "komitmen", "disiplin", "kerja_sama"]
    return {k: value for k in keys + (["kepemimpinan"] if structural else [])}


def assignment(client, as_, rater: str, ratee: str) -> dict:
    mine = client.get("/api/v1/rounds/r1/my-assignments", headers=as_(rater)).json
    return next(a for a in mine if a["ratee"] == ratee)
