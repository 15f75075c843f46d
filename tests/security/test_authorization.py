"""The authorization table (authorization_table.py) against the demo stack: every operation
of the merged OpenAPI document is classified, every cell holds through the gateway, and the
services refuse on their own when called past the gateway."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
import requests

from tests.security.authorization_table import (
    BUDI,
    CALLERS,
    RAHMA,
    RUDI,
    SERVICE_PREFIXES,
    TABLE,
    USERNAMES,
    WULAN,
    A,
    D,
    by_operation,
    cells,
)

METHODS = {"get", "post", "put", "patch", "delete"}
OPEN_ROUND = "2026-berakhlak"


def _previous_months(count: int = 3) -> list[str]:
    months, first = [], date.today().replace(day=1)
    for _ in range(count):
        months.append(first.strftime("%Y-%m"))
        first = (first - timedelta(days=1)).replace(day=1)
    return months


def _entries(gateway: str, headers: dict, nip: str, status: str) -> list[dict]:
    found = []
    for month in _previous_months():
        answer = requests.get(
            f"{gateway}/api/v1/logs/entries",
            params={"month": month, "nip": nip, "status": status},
            headers=headers,
            timeout=10,
        )
        assert answer.status_code == 200, answer.text
        found += [{**entry, "month": month} for entry in answer.json()]
    return found


def _withdrawn_entry_of_budi(gateway: str, as_budi: dict) -> str:
    """An entry the supervisor wrote for himself and withdrew: outside his team, and
    nothing any test reads (a withdrawn entry counts nowhere)."""
    existing = _entries(gateway, as_budi, BUDI, "withdrawn")
    if existing:
        return existing[0]["id"]
    written = requests.post(
        f"{gateway}/api/v1/logs/entries",
        json={
            "date": date.today().isoformat(),
            "activity_id": "pembinaan",
            "description": "Uji otorisasi: entri yang segera ditarik kembali",
            "completes_output": True,
            "quantity": 1,
            "minutes": 15,
        },
        headers=as_budi,
        timeout=10,
    )
    assert written.status_code == 201, written.text
    entry_id = written.json()["id"]
    withdrawn = requests.delete(
        f"{gateway}/api/v1/logs/entries/{entry_id}", headers=as_budi, timeout=10
    )
    assert withdrawn.status_code == 200, withdrawn.text
    return entry_id


@pytest.fixture(scope="session")
def demo_ids(demo_stack, login) -> dict:
    """The demo's identifiers the table's paths are filled with, read from the stack."""
    gateway, hr = demo_stack.url(), login("demo-hr")
    rudi_entries = {
        status: _entries(gateway, hr, RUDI, status) for status in ("verified", "pending")
    }
    wulan_pending = _entries(gateway, hr, WULAN, "pending")
    assert rudi_entries["verified"] and rudi_entries["pending"] and wulan_pending
    assignments = requests.get(
        f"{gateway}/api/v1/feedback/rounds/{OPEN_ROUND}/assignments", headers=hr, timeout=10
    ).json()
    active = [a for a in assignments if a["state"] == "active"]

    def rated_by(rater: str) -> str:
        return next(a["id"] for a in active if a["rater"] == rater)

    def rating_of(ratee: str) -> str:
        return next(a["id"] for a in active if a["ratee"] == ratee)

    return {
        "rudi": RUDI,
        "wulan": WULAN,
        "budi": BUDI,
        "rahma": RAHMA,
        "no_such_nip": "199901012020011999",
        "last_month": rudi_entries["verified"][0]["month"],
        "rudi_verified_entry": rudi_entries["verified"][0]["id"],
        "rudi_pending_entry": rudi_entries["pending"][-1]["id"],
        "wulan_pending_entry": wulan_pending[-1]["id"],
        "budi_withdrawn_entry": _withdrawn_entry_of_budi(gateway, login("demo-supervisor")),
        "rudi_rates": rated_by(RUDI),
        "wulan_rates": rated_by(WULAN),
        "budi_rates": rated_by(BUDI),
        "rahma_rates": rated_by(RAHMA),
        "rudi_rated": rating_of(RUDI),
        "rahma_rated": rating_of(RAHMA),
    }


def _call(base_url: str, row, caller: str, ids: dict, login, direct: bool = False):
    """One cell's request, through the gateway or (direct) to the service's own URL."""
    request = row.request(caller, ids)
    username = USERNAMES[caller]
    headers = login(username) if username else {}
    path = request.pop("url")
    if direct:  # /api/v1/<service>/rest on the gateway is /api/v1/rest on the service
        path = "/api/v1" + path.removeprefix(f"/api/v1/{row.service}")
    url = base_url + path
    return requests.request(url=url, headers=headers, timeout=30, **request)


def _expected_denial(caller: str) -> int:
    return 401 if caller == "none" else 403


def test_every_operation_of_the_api_is_in_the_table(demo_stack):
    document = requests.get(f"{demo_stack.url()}/api/openapi.json", timeout=10).json()
    published = {
        f"{method.upper()} {path}"
        for path, operations in document["paths"].items()
        for method in operations
        if method in METHODS
    }
    classified = set(by_operation())
    assert not published - classified, "classify these in authorization_table.py"
    assert not classified - published, "these rows name no operation of the API"


def test_the_public_rows_are_the_operations_the_document_leaves_unprotected(demo_stack):
    """The table's public rows are exactly the operations the document marks public."""
    document = requests.get(f"{demo_stack.url()}/api/openapi.json", timeout=10).json()
    public = {
        f"{method.upper()} {path}"
        for path, operations in document["paths"].items()
        for method, operation in operations.items()
        if method in METHODS and not operation.get("security")
    }
    assert public == {r.operation for r in TABLE if r.outcome("none") == A}


@pytest.mark.parametrize(
    ("row", "caller"), cells(), ids=[f"{r.operation} | {c}" for r, c in cells()]
)
def test_the_table_holds_through_the_gateway(demo_stack, demo_ids, login, row, caller):
    answer = _call(demo_stack.url(), row, caller, demo_ids, login)
    seen = f"{row.operation} as {caller}: {answer.status_code} {answer.text[:300]}"
    if row.outcome(caller) == A:
        assert answer.status_code not in (401, 403), seen
        assert answer.status_code < 500, seen
    else:
        assert answer.status_code == _expected_denial(caller), seen


SERVICE_ROWS = [row for row in TABLE if row.path.startswith(SERVICE_PREFIXES)]
# Past the gateway: the callers refused for their role or for whose record it is.
DIRECT_CALLERS = ("none", "employee-other", "supervisor-other", "ops", "superior")


@pytest.mark.parametrize("row", SERVICE_ROWS, ids=[r.operation for r in SERVICE_ROWS])
def test_each_service_refuses_on_its_own(demo_stack, demo_ids, login, row):
    """The same denials when the service is called directly, bypassing the gateway."""
    denied = [c for c in DIRECT_CALLERS if row.outcome(c) == D]
    assert denied
    seen = {}
    for caller in denied:
        answer = _call(demo_stack.url(row.service), row, caller, demo_ids, login, direct=True)
        seen[caller] = answer.status_code
    assert seen == {caller: _expected_denial(caller) for caller in denied}


def test_the_table_has_a_column_for_every_caller_and_walks_both_outcomes():
    """A table that allowed everything, or denied everything, would prove little."""
    for caller in CALLERS:
        outcomes = {row.outcome(caller) for row in TABLE}
        assert D in outcomes, caller
        assert caller == "none" or A in outcomes, caller


def test_bulk_verification_refuses_entries_outside_the_team(demo_stack, demo_ids, login):
    """The bulk call answers 200 with a refusal per entry: the supervisor's own entry and,
    for the superior, an entry of someone who does not report to her directly."""
    gateway = demo_stack.url()
    for username, entry in (
        ("demo-supervisor", "budi_withdrawn_entry"),
        (RAHMA, "rudi_pending_entry"),
    ):
        answer = requests.post(
            f"{gateway}/api/v1/logs/entries/verify",
            json={"entry_ids": [demo_ids[entry]]},
            headers=login(username),
            timeout=10,
        )
        assert answer.status_code == 200, answer.text
        assert answer.json()["verified"] == []
        assert "direct supervisor" in answer.json()["refused"][demo_ids[entry]]
    still = _entries(gateway, login("demo-hr"), RUDI, "pending")
    assert demo_ids["rudi_pending_entry"] in {e["id"] for e in still}


def test_an_employee_imports_only_their_own_entries(demo_stack, login):
    row = f"{WULAN},2099-01-05,agenda-surat,Uji otorisasi impor untuk rekan kerja,1,30\n"
    answer = requests.post(
        f"{demo_stack.url()}/api/v1/logs/imports",
        files={"file": ("uji.csv", "nip,date,activity_id,description,quantity,minutes\n" + row)},
        headers=login("demo-employee"),
        timeout=10,
    )
    assert answer.status_code == 200, answer.text
    report = answer.json()
    assert report["written"] == 0
    assert report["rejected"] == [
        {"row": 2, "key": WULAN, "fields": {"nip": ["you import your own entries only"]}}
    ]


def test_a_supervisor_sees_only_his_reports_in_lists(demo_stack, login):
    """Role-level lists filter by team: the scores list and the round's completion."""
    gateway = demo_stack.url()
    team = {
        e["nip"]
        for e in requests.get(
            f"{gateway}/api/v1/directory/employees",
            params={"supervisor_nip": BUDI, "per_page": 100},
            headers=login("demo-hr"),
            timeout=10,
        ).json()["items"]
    }
    assert RUDI in team and RAHMA not in team
    scores = requests.get(
        f"{gateway}/api/v1/appraisal/cycles/2025/scores", headers=login(RAHMA), timeout=10
    )
    assert scores.status_code == 200
    assert {s["nip"] for s in scores.json()} == {BUDI}  # the Sekretaris's one report
    completion = requests.get(
        f"{gateway}/api/v1/feedback/rounds/{OPEN_ROUND}/completion",
        headers=login("demo-supervisor"),
        timeout=10,
    ).json()
    assert {r["key"] for r in completion["by_ratee"]} <= team
