"""Valid JSON that cannot be stored or computed with is a 4xx naming the field, never a 500.

In-process apps of every service and the gateway over the real MongoDB-compatible server,
one test per class of input; then one test through a running demo stack (the gateway, a
service's own port and the UI's log form).
"""

from __future__ import annotations

import json
import re
from datetime import date

import pytest
import requests

from gateway.app import create_app as create_gateway
from kinerja.config import Settings
from kinerja.contracts import targets as targets_events
from kinerja360.demo.gateway import DEMO_PASSWORD
from services.appraisal.app import create_app as create_appraisal
from services.feedback.app import create_app as create_feedback
from services.logs import api as logs_api
from services.logs.app import create_app as create_logs
from services.logs.handlers import learn_approved_activities
from services.targets.app import create_app as create_targets
from tests.support import bus_env, deliver, replicate_employees, token

BOSS = "197001012000031002"
STAFF = "198001012005012002"
ARABIC_INDIC_NIP = "".join(chr(0x0660 + int(d)) for d in STAFF)  # "١٩٨٠..."
TODAY = date(2026, 3, 11)
LONE_SURROGATE = "x\\ud800y"  # JSON text: an escape that decodes to an unpaired surrogate
BAD = "@unstorable@"
PERSON = {
    "nip": STAFF,
    "name": "Dewi Lestari",
    "position": "Staf",
    "unit_id": "umpeg",
    "golongan": "II/c",
    "position_kind": "functional",
    "education": "SMA",
}
HUGE_DECIMALS = ["1" * 42, "1E-7000", "1E+400", "0.1234567890123456789"]
APPROVED_SKP = {
    "nip": STAFF,
    "cycle": "2026",
    "version": 1,
    "status": "approved",
    "activities": [
        {"id": "arsip", "name": "Menata arsip", "quantity": 48, "unit": "berkas", "months": 12}
    ],
}
ACTIVITY = {"id": "arsip", "name": "Menata arsip", "quantity": 48, "unit": "berkas", "months": 12}


@pytest.fixture
def apps(mongo_url, namespace, monkeypatch):
    """Every service and the gateway, in process, each with STAFF under BOSS."""
    monkeypatch.setattr(logs_api, "today", lambda: TODAY)
    built = {}
    for name, create in (
        ("gateway", create_gateway),
        ("logs", create_logs),
        ("targets", create_targets),
        ("feedback", create_feedback),
        ("appraisal", create_appraisal),
    ):
        app = create(Settings.from_env(name, bus_env(mongo_url, "memory://", namespace)))
        if name != "gateway":
            replicate_employees(app, ((BOSS, None), (STAFF, BOSS)))
        built[name] = app
    deliver(
        built["logs"].extensions["kinerja"].uow,
        learn_approved_activities,
        targets_events.SKP_APPROVED,
        APPROVED_SKP,
    )
    yield built
    for app in built.values():
        context = app.extensions["kinerja"]
        context.client.drop_database(context.settings.mongo_db)


def send(apps, service: str, method: str, path: str, body: object, *roles: str, raw=None):
    """One request to a service's /api/v1/ as STAFF (or HR when roles say hr)."""
    app = apps[service]
    settings = app.extensions["kinerja"].settings
    subject = "hr-1" if "hr" in roles else STAFF
    headers = token(settings, subject, *(roles or ("employee",)))
    client = app.test_client()
    if raw is not None:
        return client.open(
            f"/api/v1/{path}",
            method=method,
            data=raw,
            content_type="application/json",
            headers=headers,
        )
    return client.open(f"/api/v1/{path}", method=method, json=body, headers=headers)


def refused(answer, status: int, field: str) -> dict:
    assert answer.status_code == status, (answer.status_code, answer.get_data(as_text=True))
    error = answer.get_json()["error"]
    assert field in error["fields"], error
    return error


def entry(**changes) -> dict:
    return {
        "date": "2026-03-10",
        "activity_id": "arsip",
        "description": "Menata arsip berkas kepegawaian tahun lalu di ruang arsip",
        "completes_output": True,
        "quantity": 2,
        "minutes": 60,
        **changes,
    }


def with_surrogate(body: object) -> str:
    """The body as JSON text, each BAD in it (a key or a value) written as "x\\ud800y"."""
    return json.dumps(body).replace(BAD, LONE_SURROGATE)


def test_text_utf8_cannot_encode_is_a_400_naming_where_it_is_in_every_service(apps):
    """Class: unpaired surrogates (JSON's lone "\\ud800") in any key or value, at any
    depth, reaching a BSON lookup or write: the kit refuses them for every app."""
    gateway = apps["gateway"].test_client()
    for path, body, field in (
        ("auth/login", {"username": BAD, "password": "rahasia"}, "username"),
        ("auth/refresh", {"refresh_token": BAD}, "refresh_token"),
    ):
        raw = with_surrogate(body)
        answer = gateway.post(f"/api/v1/{path}", data=raw, content_type="application/json")
        assert refused(answer, 400, field)["code"] == "unstorable_text"
    person = {**PERSON, "name": BAD}
    cases = [
        ("gateway", "POST", "directory/employees", person, "name", ("hr",)),
        ("logs", "POST", "entries", entry(description=BAD), "description", ()),
        (
            "targets",
            "POST",
            "skps",
            {"cycle": "2026", "activities": [{"name": BAD}]},
            "activities.0.name",
            (),
        ),
        (
            "feedback",
            "PUT",
            "rounds/r1/assignments/x/draft",
            {"scores": {BAD: 80}},
            "scores.x\\ud800y",
            (),
        ),
        (
            "appraisal",
            "POST",
            f"cycles/2026/scores/{STAFF}/objection",
            {"reason": BAD},
            "reason",
            (),
        ),
    ]
    for service, method, path, body, field, roles in cases:
        answer = send(apps, service, method, path, None, *roles, raw=with_surrogate(body))
        assert refused(answer, 400, field)["code"] == "unstorable_text"
    # nothing was stored on the way
    assert send(apps, "logs", "GET", "entries?month=2026-03", None).get_json() == []


@pytest.mark.parametrize("huge", HUGE_DECIMALS)
def test_decimals_mongodb_cannot_hold_are_refused_by_field_not_stored_or_rounded(apps, huge):
    """Class: decimals of too many digits or places, or exponents far out (1E-7000,
    1E+400), in any schema: each field has its places and size, refused by name."""
    refused(send(apps, "logs", "POST", "entries", entry(quantity=huge)), 422, "quantity")
    skp = {"cycle": "2026", "activities": [{**ACTIVITY, "quantity": huge}]}
    error = refused(send(apps, "targets", "POST", "skps", skp), 422, "activities")
    assert "quantity" in error["fields"]["activities"]["0"], error
    realization = f"skps/{STAFF}/2026/activities/arsip/realization"
    refused(send(apps, "targets", "PATCH", realization, {"months": huge}), 422, "months")
    decision = {"final_score": huge, "reason": "Bukti kinerja tambahan sudah diverifikasi atasan."}
    path = f"cycles/2026/scores/{STAFF}/objection/decision"
    refused(
        send(apps, "appraisal", "POST", path, decision, "employee", "supervisor"),
        422,
        "final_score",
    )
    settings = {"effective_hours_per_year": huge, "working_days_per_year": 250}
    refused(
        send(apps, "logs", "PUT", "workload/settings", settings, "hr"),
        422,
        "effective_hours_per_year",
    )
    assert send(apps, "logs", "GET", "entries?month=2026-03", None).get_json() == []


def test_numbers_that_are_not_whole_are_refused_not_truncated(apps):
    """Class: non-integral numbers silently truncated by integer fields (3.9 -> 3,
    1440.5 -> 1440): an integer field takes a whole number or refuses it."""
    rules = {
        "max_working_days_back": 3,
        "max_minutes_per_day": 1440.5,
        "min_description_length": 20,
    }
    refused(send(apps, "logs", "PUT", "rules", rules, "hr"), 422, "max_minutes_per_day")
    assert send(apps, "logs", "GET", "rules", None, "hr").get_json()["max_minutes_per_day"] == 1440
    what_if = {"extra_tasks": 3.9}
    path = f"skps/{STAFF}/2026/what-if"
    refused(send(apps, "targets", "POST", path, what_if), 422, "extra_tasks")
    preview = {"activities": [], "extra_tasks": 3.9}
    refused(send(apps, "targets", "POST", "score-preview", preview), 422, "extra_tasks")
    refused(send(apps, "logs", "POST", "entries", entry(minutes=90.5)), 422, "minutes")


def test_dates_out_of_any_sane_window_are_refused_by_field(apps):
    """Class: dates far outside the platform's years (0001-01-01 entries cost half a second
    of working-day counting, a deadline in year 1) in a body or a query."""
    refused(send(apps, "logs", "POST", "entries", entry(date="0001-01-01")), 422, "date")
    round_ = {"id": "r1", "cycle": "2026", "deadline": "0001-01-01"}
    refused(send(apps, "feedback", "POST", "rounds", round_, "hr"), 422, "deadline")
    workload = "workload?unit_id=umpeg&from=0001-01-01&to=9999-12-31"
    error = refused(send(apps, "logs", "GET", workload, None, "hr"), 422, "from")
    assert "to" in error["fields"]


def test_nips_in_other_scripts_or_of_impossible_dates_are_refused_in_every_schema(apps):
    """Class: NIPs matched by Unicode `\\d` (Arabic-Indic digits) or with no real birth
    date, taken as new people: every schema's NIP is 18 ASCII digits of the NIP's form."""
    person = {**PERSON, "nip": ARABIC_INDIC_NIP}
    refused(send(apps, "gateway", "POST", "directory/employees", person, "hr"), 422, "nip")
    impossible = {**person, "nip": "198013012005012002"}
    refused(send(apps, "gateway", "POST", "directory/employees", impossible, "hr"), 422, "nip")
    account = {"username": "dewi", "password": "rahasia-123", "nip": ARABIC_INDIC_NIP}
    refused(send(apps, "gateway", "POST", "auth/accounts", account, "hr"), 422, "nip")
    pair = {"rater": ARABIC_INDIC_NIP, "ratee": STAFF, "group": "peer"}
    refused(send(apps, "feedback", "POST", "rounds/r1/assignments", pair, "hr"), 422, "rater")
    answer = send(apps, "logs", "GET", f"entries?month=2026-03&nip={ARABIC_INDIC_NIP}", None)
    refused(answer, 422, "nip")


# --- through a running stack ----------------------------------------------------------------


def test_the_running_stack_refuses_unstorable_input_at_the_gateway_the_service_and_the_ui(
    demo_stack, login
):
    """Class: unstorable text and numbers reaching MongoDB through any door: the gateway,
    a service's own port (the kit's hook and schemas run there too), and the UI's forms."""
    gateway = demo_stack.url()
    body = f'{{"username": "{LONE_SURROGATE}", "password": "x"}}'
    answer = requests.post(
        f"{gateway}/api/v1/auth/login",
        data=body,
        headers={"Content-Type": "application/json"},
        timeout=30,
    )
    assert answer.status_code == 400, answer.text
    assert answer.json()["error"]["code"] == "unstorable_text"
    assert "username" in answer.json()["error"]["fields"]

    employee = login("demo-employee")
    huge = {**entry(date=date.today().isoformat()), "quantity": "1" * 42}
    for url in (f"{gateway}/api/v1/logs/entries", f"{demo_stack.url('logs')}/api/v1/entries"):
        answer = requests.post(url, json=huge, headers=employee, timeout=30)
        assert answer.status_code == 422, (url, answer.status_code, answer.text[:300])
        assert "quantity" in answer.json()["error"]["fields"], answer.text[:300]

    browser = requests.Session()
    page = browser.get(f"{gateway}/login", timeout=30).text
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    logged_in = browser.post(
        f"{gateway}/login",
        data={"csrf_token": csrf, "username": "demo-employee", "password": DEMO_PASSWORD},
        allow_redirects=False,
        timeout=30,
    )
    assert logged_in.status_code == 302, logged_in.text[:300]
    form = browser.get(f"{gateway}/logs", timeout=30).text
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', form).group(1)
    for quantity in ("1" * 42, "1E-7000", "9" * 5000):
        answer = browser.post(
            f"{gateway}/logs",
            data={
                "csrf_token": csrf,
                "action": "create",
                "date": date.today().isoformat(),
                "activity_id": "x",
                "description": "Menata arsip berkas kepegawaian tahun lalu",
                "completes_output": "on",
                "quantity": quantity,
                "minutes": quantity,
            },
            timeout=30,
        )
        assert answer.status_code == 422, (quantity[:10], answer.status_code, answer.text[:300])
