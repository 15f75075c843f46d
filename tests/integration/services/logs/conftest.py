"""The logs service on a real MongoDB-compatible server, with an org chart and an approved SKP."""

from __future__ import annotations

from datetime import date

import pytest

from kinerja.config import Settings
from kinerja.contracts import targets
from services.logs import api
from services.logs.app import create_app
from services.logs.handlers import learn_approved_activities
from tests.support import bus_env, deliver, replicate_employees, token

BOSS = "197001012000031002"
STAFF = "198001012005012002"
OTHER = "198102022006011003"
TODAY = date(2026, 3, 11)  # a Wednesday
APPROVED = {
    "nip": STAFF,
    "cycle": "2026",
    "version": 1,
    "status": "approved",
    "activities": [
        {
            "id": "agenda-surat",
            "name": "Mengagendakan surat",
            "quantity": 1200,
            "unit": "surat",
            "months": 12,
        },
        {"id": "arsip", "name": "Menata arsip", "quantity": 48, "unit": "berkas", "months": 12},
    ],
}


@pytest.fixture
def settings(mongo_url, namespace) -> Settings:
    return Settings.from_env("logs", bus_env(mongo_url, "memory://", namespace))


def seed(app) -> None:
    """The directory and STAFF's approved SKP, as the events bring them."""
    uow = app.extensions["kinerja"].uow
    replicate_employees(app, ((BOSS, None), (STAFF, BOSS), (OTHER, BOSS)))
    deliver(uow, learn_approved_activities, targets.SKP_APPROVED, APPROVED)


@pytest.fixture
def app(settings, monkeypatch):
    monkeypatch.setattr(api, "today", lambda: TODAY)
    app = create_app(settings)
    seed(app)
    yield app
    app.extensions["kinerja"].client.drop_database(settings.mongo_db)


@pytest.fixture
def client(app):
    return app.test_client()


class People:
    def __init__(self, settings: Settings):
        self.staff = token(settings, STAFF, "employee")
        self.other = token(settings, OTHER, "employee")
        self.boss = token(settings, BOSS, "employee", "supervisor")
        self.hr = token(settings, "hr-1", "hr")


@pytest.fixture
def people(settings) -> People:
    return People(settings)


def entry(day: str = "2026-03-10", **changes) -> dict:
    base = {
        "date": day,
        "activity_id": "agenda-surat",
        "description": f"Mengagendakan 40 surat masuk dari dinas pada {day}",
        "completes_output": True,  # forty letters registered: output done
        "quantity": 40,
        "minutes": 180,
    }
    return {**base, **changes}


def ordinary(day: str = "2026-03-10", **changes) -> dict:
    """A day's activity that completes no output: no quantity."""
    body = entry(day, **changes)
    body.pop("quantity")
    return {**body, "completes_output": False}
