"""`kinerja up` end to end: every process started, ready within 60 s, the thin path
through HTTP and the bus, metrics summed across gunicorn workers, clean stop, persistence."""

from __future__ import annotations

from datetime import date

import pytest
import requests

from gateway.upstream import SERVICES
from kinerja360.harness import Stack, clean_env
from tests.support import JWT_SECRET, delete_queues, token, wait_for

BOSS, STAFF = "197001012000031002", "198001012005012002"
EMPLOYEE = {
    "unit_id": "umpeg",
    "golongan": "III/a",
    "position_kind": "functional",
    "education": "S-1",
    "position": "Staf",
    "name": "Pegawai",
}
ACTIVITY = {
    "id": "surat",
    "name": "Mengagendakan surat",
    "quantity": 12,
    "unit": "laporan",
    "months": 12,
}


def events_flow_through_the_stack(stack: Stack) -> None:
    """The directory reaches targets (an approval needs the org chart), and the approved
    SKP reaches logs (an entry needs the approved activity): two hops over the bus."""
    settings = stack.settings()
    hr = token(settings, "hr-1", "hr")
    staff = token(settings, STAFF, "employee")
    boss = token(settings, BOSS, "employee", "supervisor")
    gateway = stack.url()
    for path, body in (
        ("/api/v1/directory/units", {"id": "umpeg", "name": "Umum dan Kepegawaian"}),
        ("/api/v1/directory/employees", {**EMPLOYEE, "nip": BOSS}),
        ("/api/v1/directory/employees", {**EMPLOYEE, "nip": STAFF, "supervisor_nip": BOSS}),
    ):
        answer = requests.post(gateway + path, json=body, headers=hr, timeout=10)
        assert answer.status_code == 201, answer.text
    skp = f"{gateway}/api/v1/targets/skps/{STAFF}/2026"
    requests.post(
        f"{gateway}/api/v1/targets/skps",
        headers=staff,
        timeout=10,
        json={"cycle": "2026", "activities": [ACTIVITY]},
    )
    requests.post(f"{skp}/submit", headers=staff, timeout=10)
    wait_for(
        lambda: requests.post(f"{skp}/approve", headers=boss, timeout=10).ok,
        timeout=30,
        message="targets to learn the org chart",
    )
    entry = {
        "date": date.today().isoformat(),
        "activity_id": "surat",
        "completes_output": True,
        "quantity": 1,
        "description": "Mengagendakan surat masuk hari ini",
        "minutes": 60,
    }
    wait_for(
        lambda: (
            requests.post(
                f"{gateway}/api/v1/logs/entries", json=entry, headers=staff, timeout=10
            ).status_code
            == 201
        ),
        timeout=30,
        message="logs to learn the approved SKP",
    )


def requests_counted(metrics_text: str, route: str) -> float:
    return sum(
        float(line.rsplit(" ", 1)[1])
        for line in metrics_text.splitlines()
        if line.startswith("kinerja_http_requests_total{") and f'endpoint="{route}"' in line
    )


def test_embedded_stack_serves_everything_and_keeps_its_data(tmp_path):
    stack = Stack(tmp_path / "data", clean_env())
    took = stack.start()
    try:
        assert took < 60
        body = requests.get(f"{stack.url()}/readyz", timeout=5).json()
        assert body["status"] == "ready"
        assert {name: body["checks"][name] for name in SERVICES} == dict.fromkeys(SERVICES, "ok")
        for name in SERVICES:
            assert requests.get(f"{stack.url(name)}/readyz", timeout=5).status_code == 200

        events_flow_through_the_stack(stack)
        settings = stack.settings()
        for _ in range(20):  # spread over both gunicorn workers
            requests.get(
                f"{stack.url('targets')}/api/v1/skps/{STAFF}/2026/versions",
                headers=token(settings, "hr1", "hr"),
                timeout=5,
            )
        metrics = requests.get(f"{stack.url('targets')}/metrics", timeout=5).text
        route = "/api/v1/skps/<string:nip>/<string:cycle>/versions"
        assert requests_counted(metrics, route) == 20
        # the worker process writes into the same multiprocess folder
        assert 'kinerja_events_consumed_total{outcome="applied"' in metrics
    finally:
        assert stack.stop() == 0
    assert "Stopped." in stack.output.read_text()
    with pytest.raises(requests.ConnectionError):
        requests.get(f"{stack.url('feedback')}/healthz", timeout=2)

    again = Stack(tmp_path / "data", clean_env())
    again.port = stack.port
    again.start()
    try:
        kept = requests.get(
            f"{again.url('targets')}/api/v1/skps/{STAFF}/2026",
            headers=token(again.settings(), "hr1", "hr"),
            timeout=5,
        )
        assert kept.json()["status"] == "approved"
    finally:
        again.stop()


def test_stack_uses_the_servers_named_by_urls(tmp_path, mongo_url, amqp_url, namespace):
    env = clean_env(
        MONGO_URL=mongo_url,
        BROKER_URL=amqp_url,
        JWT_SECRET=JWT_SECRET,
        BUS_NAMESPACE=namespace,
        MONGO_DB_PREFIX=namespace,
    )
    stack = Stack(tmp_path / "data", env)
    stack.start()
    try:
        assert not (tmp_path / "data" / "mongodb").exists()
        events_flow_through_the_stack(stack)
    finally:
        stack.stop()
        delete_queues(env, SERVICES)


DEMO_ROLES = {
    "demo-employee": ["employee"],
    "demo-supervisor": ["employee", "supervisor"],
    "demo-hr": ["hr"],
    "demo-ops": ["ops"],
}


def test_demo_accounts_log_in_and_reach_the_services_through_the_gateway(tmp_path):
    from kinerja360.demo.gateway import nip

    stack = Stack(tmp_path / "data", clean_env())
    stack.start("--demo")
    try:
        tokens = {}
        for username, roles in DEMO_ROLES.items():
            answer = requests.post(
                f"{stack.url()}/api/v1/auth/login",
                json={"username": username, "password": "demo1234"},
                timeout=10,
            )
            assert answer.status_code == 200, answer.text
            tokens[username] = {"Authorization": f"Bearer {answer.json()['access_token']}"}
            me = requests.get(f"{stack.url()}/api/v1/auth/me", headers=tokens[username], timeout=5)
            assert me.json()["roles"] == roles
        staff = requests.get(
            f"{stack.url()}/api/v1/directory/employees?per_page=100",
            headers=tokens["demo-employee"],
            timeout=5,
        ).json()
        assert staff["total"] == 23

        def demo_ratings_applied() -> bool:
            answer = requests.get(
                f"{stack.url()}/api/v1/appraisal/rounds/2026-perilaku/ratees/{nip(2)}/ratings",
                headers=tokens["demo-hr"],
                timeout=5,
            )
            # the Kasubag: the Sekretaris, 18 of the 20 staff (two never answered), and self
            return answer.status_code == 200 and answer.json()["responses"] == 20

        wait_for(demo_ratings_applied, timeout=30, message="the demo responses in appraisal")
        team = requests.get(
            f"{stack.url()}/api/v1/targets/teams/{nip(2)}/skps?cycle=2026",
            headers=tokens["demo-supervisor"],
            timeout=5,
        ).json()
        statuses = sorted(member["status"] for member in team)
        assert statuses == ["approved"] * 18 + ["draft", "returned"]
        queue = requests.get(
            f"{stack.url()}/api/v1/logs/verification-queue",
            headers=tokens["demo-supervisor"],
            timeout=5,
        ).json()
        assert len(queue) == 3 * 18  # the newest three days wait for the supervisor
        spec = requests.get(f"{stack.url()}/api/openapi.json", timeout=10).json()
        assert "/api/v1/auth/login" in spec["paths"]
        assert "/api/v1/feedback/rounds/{round_id}/results/{ratee}" in spec["paths"]
        results = requests.get(
            f"{stack.url()}/api/v1/feedback/rounds/2026-perilaku/results/{nip(2)}",
            headers=tokens["demo-supervisor"],
            timeout=5,
        ).json()
        groups = {g["group"]: (g["responses"], g["shown"]) for g in results["groups"]}
        assert groups["subordinate"] == (18, True)

        def provisional_score(index: int = 8) -> dict:
            return requests.get(
                f"{stack.url()}/api/v1/appraisal/cycles/2026/scores/{nip(index)}",
                headers=tokens["demo-hr"],
                timeout=10,
            ).json()

        wait_for(
            lambda: provisional_score().get("provisional_final_score") is not None,
            timeout=30,
            message="a provisional final figure for demo-employee",
        )
        # during the year: the SKP pro-rated to today, no final score and no predicate yet
        during = provisional_score()
        assert (during["final_score"], during["predicate"]) == (None, None)
        assert during["skp_prorated_to"] and not during["skp_complete"]
        assert 50 < during["skp_score"] < 110  # the logs carry the output due to date
        # the Kasubag has no realization: not yet assessable, not 0.6 × 0 + 0.4 × behaviour
        head = provisional_score(2)
        assert head["skp_score"] is None and "skp_not_assessable" in head["flags"]
        assert head["final_score"] is head["provisional_final_score"] is head["predicate"] is None
        predicates = ("Sangat Baik", "Baik", "Cukup", "Kurang", "Buruk")

        # 2025, the past cycle: the demo waited for its scores before finalizing them
        team_2025 = requests.get(
            f"{stack.url()}/api/v1/appraisal/cycles/2025/scores",
            headers=tokens["demo-supervisor"],
            timeout=10,
        ).json()
        assert len(team_2025) == 20  # the Kasubag's direct reports
        finalized = [s for s in team_2025 if s["finalized"]]
        assert len(finalized) == 19  # one appraisal still waits
        assert all(s["predicate"] in predicates and not s["pending"] for s in finalized)
        assert {s["predicate"] for s in finalized} >= {"Sangat Baik", "Baik", "Cukup"}
        objections = [s["finalized"]["objection"] for s in finalized]
        decided = [o for o in objections if o is not None]
        assert [o["outcome"] for o in decided] == ["changed"]
        assert decided[0]["decided_by"] == nip(1)  # the Sekretaris, the Kasubag's superior
        schemes = requests.get(
            f"{stack.url()}/api/v1/appraisal/schemes", headers=tokens["demo-hr"], timeout=10
        ).json()
        structural = [s for s in schemes if s["position_kinds"] == ["structural"]]
        assert [s["weights"]["subordinate"] for s in structural] == [0.4]
        assert [s["version"] for s in schemes if s["id"] == "default"] == [2]
        report = requests.get(
            f"{stack.url()}/api/v1/appraisal/cycles/2025/scores/{nip(8)}/report",
            headers=tokens["demo-employee"],
            timeout=10,
        )
        assert report.status_code == 200, report.text  # the 2025 round is closed
        assert report.json()["nip"] == nip(8) and report.json()["groups"]
    finally:
        stack.stop()
