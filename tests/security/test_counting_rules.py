"""The daily log's counting rules under attack (issue 21), on the demo stack through the
gateway: requests sent together, and the CSV import as a second door.

The demo employee (Rudi) writes on today and the working day before: days the demo's own
history leaves nearly empty, so what the rules allow is known from what is stored.
"""

from __future__ import annotations

import io
from concurrent.futures import ThreadPoolExecutor
from datetime import date, timedelta

import requests

from kinerja360.demo.gateway import EMPLOYEE_INDEX, nip
from kinerja360.demo.logs import logged_activities
from tests.support import AT_ONCE

ACTIVITY = logged_activities(EMPLOYEE_INDEX)[0]["id"]
MAX_MINUTES_PER_DAY = 1440  # the shipped rule, which no security test changes


def _previous_working_day(day: date) -> date:
    day -= timedelta(days=1)
    while day.weekday() >= 5:
        day -= timedelta(days=1)
    return day


def _body(day: date, description: str, minutes: int) -> dict:
    return {
        "date": day.isoformat(),
        "activity_id": ACTIVITY,
        "description": description,
        "minutes": minutes,
    }


def _live_entries_on(gateway: str, headers: dict, day: date) -> list[dict]:
    answer = requests.get(
        f"{gateway}/api/v1/logs/entries",
        params={"month": day.strftime("%Y-%m")},
        headers=headers,
        timeout=10,
    )
    assert answer.status_code == 200, answer.text
    return [e for e in answer.json() if e["date"] == day.isoformat() and e["status"] != "withdrawn"]


def _statuses(answers: list[requests.Response]) -> list[int]:
    """201 and 422, or 503 for a write that lost its conflicts for the whole retry budget
    of a busy machine and stored nothing; never anything else."""
    codes = sorted(answer.status_code for answer in answers)
    assert set(codes) <= {201, 422, 503}, [a.text for a in answers if a.status_code >= 500]
    return codes


def _post_together(gateway: str, headers: dict, bodies: list[dict]) -> list[requests.Response]:
    def send(body: dict) -> requests.Response:
        return requests.post(
            f"{gateway}/api/v1/logs/entries", json=body, headers=headers, timeout=60
        )

    with ThreadPoolExecutor(len(bodies)) as pool:
        return list(pool.map(send, bodies))


def test_identical_entries_sent_together_store_one(demo_stack, login):
    """Class: a check-then-insert rule ("no duplicate entry") that reads, decides and writes
    without serializing concurrent writers, or that only compares against one neighbour.
    Twenty identical entries at once, on a day older than the employee's latest entry,
    store exactly one."""
    gateway, rudi = demo_stack.url(), login("demo-employee")
    today = date.today()
    day = _previous_working_day(today)
    # a later-dated entry first: the duplicate is then not "the previous entry"
    requests.post(
        f"{gateway}/api/v1/logs/entries",
        json=_body(today, "Uji keamanan: memeriksa agenda surat hari ini", 15),
        headers=rudi,
        timeout=10,
    )
    before = _live_entries_on(gateway, rudi, day)
    body = _body(day, "Uji keamanan: mengagendakan surat masuk yang sama", 15)
    answers = _post_together(gateway, rudi, [body] * AT_ONCE)
    assert _statuses(answers).count(201) == 1, _statuses(answers)
    for refused in (a for a in answers if a.status_code == 422):
        messages = refused.json()["error"]["fields"]["description"]
        assert any(m.startswith("no_duplicate_entry") for m in messages), refused.text
    assert len(_live_entries_on(gateway, rudi, day)) == len(before) + 1


def test_a_days_minutes_sent_together_stay_within_the_limit(demo_stack, login):
    """Class: a sum rule (max_minutes_per_day) decided on a total read before concurrent
    writers committed. Twenty different 480-minute entries at once on one day leave at most
    the day's limit stored; each refused one names the rule."""
    gateway, rudi = demo_stack.url(), login("demo-employee")
    day = date.today()
    bodies = [
        _body(day, f"Uji keamanan: menata berkas arsip bagian nomor {n}", 480)
        for n in range(AT_ONCE)
    ]
    answers = _post_together(gateway, rudi, bodies)
    assert _statuses(answers).count(201) >= 1, _statuses(answers)
    for refused in (a for a in answers if a.status_code == 422):
        assert any(
            m.startswith("max_minutes_per_day")
            for m in refused.json()["error"]["fields"]["minutes"]
        ), refused.text
    total = sum(e["minutes"] for e in _live_entries_on(gateway, rudi, day))
    assert total <= MAX_MINUTES_PER_DAY


def test_the_import_refuses_rows_the_api_would_refuse(demo_stack, login):
    """Class: a second door (the CSV import) that applies fewer rules than the API. Rows
    older than the days-back rule allows, and an ancient date, are refused row by row
    naming the rule, as the API refuses them; nothing of them is stored."""
    gateway, rudi = demo_stack.url(), login("demo-employee")
    rudi_nip = nip(EMPLOYEE_INDEX)
    january = date(date.today().year, 1, 5)
    rows = [
        "nip,date,activity_id,description,completes_output,quantity,minutes",
        f"{rudi_nip},{january.isoformat()},{ACTIVITY},Uji keamanan: entri Januari lewat impor,,,60",
        f"{rudi_nip},0001-01-01,{ACTIVITY},Uji keamanan: entri tahun satu lewat impor,,,60",
    ]
    answer = requests.post(
        f"{gateway}/api/v1/logs/imports",
        files={"file": ("log.csv", io.BytesIO("\n".join(rows).encode()))},
        headers=rudi,
        timeout=60,
    )
    assert answer.status_code == 200, answer.text
    report = answer.json()
    assert report["written"] == 0, report
    assert [r["row"] for r in report["rejected"]] == [2, 3], report
    assert all("date" in r["fields"] for r in report["rejected"]), report
    assert report["rejected"][0]["fields"]["date"][0].startswith("max_working_days_back"), report
