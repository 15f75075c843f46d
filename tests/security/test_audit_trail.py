"""Every finalization and configuration change leaves an audit record: who, when, what,
before and after (kinerja/audit.py, written in the change's own transaction).

Only the directory has an API for it (`GET /api/v1/directory/employees/{nip}/audit`);
everything else is read from each service's own `audit` collection in the stack's
MongoDB (MONGO_URL in DATA_DIR/stack.json). The demo's own history (finalizations, an
objection, rounds, schemes, the directory import, the accounts) is checked as it is; the
changes the demo never makes are made here on things no other test reads (a 2099 round,
a scheme governing a unit with no people, a unit and an employee of their own).
"""

from __future__ import annotations

import json
import uuid

import pytest
import requests
from bson import Decimal128
from pymongo import DESCENDING, MongoClient

from kinerja.config import Settings
from kinerja360.demo.gateway import nip
from tests.security.authorization_table import RAHMA

HENDRA = nip(0)  # the Kepala Bappeda: Rahmawati Sari's supervisor
DEWI = nip(3)
NEW_EMPLOYEE = "199001012015011099"


@pytest.fixture(scope="module")
def databases(demo_stack):
    """databases(service) -> that service's own database on the stack's MongoDB."""
    env = json.loads((demo_stack.data_dir / "stack.json").read_text())["env"]
    client = MongoClient(env["MONGO_URL"], serverSelectionTimeoutMS=10_000)

    def database(service: str):
        return client[Settings.from_env(service, {**env, "JWT_SECRET": "unused"}).mongo_db]

    yield database
    client.close()


@pytest.fixture(scope="module")
def audit_of(databases):
    return lambda service: databases(service)["audit"]


def number(value) -> float:
    return round(float(value.to_decimal() if isinstance(value, Decimal128) else value), 6)


def latest(collection, **query) -> dict:
    record = collection.find_one(query, sort=[("at", DESCENDING), ("_id", DESCENDING)])
    assert record is not None, f"no audit record {query}"
    return record


def test_the_demo_finalizations_and_objections_are_audited(databases, audit_of):
    appraisal, audit = databases("appraisal"), audit_of("appraisal")
    finals = list(appraisal["final_scores"].find())
    assert len(finals) >= 20  # the demo's 2025 cycle
    for final in finals:
        record = latest(audit, action="score.finalized", entity_id=final["_id"])
        assert (record["entity"], record["actor"]) == ("final_score", final["finalized_by"])
        assert record["after"]["nip"] == final["nip"] and record["before"] is None
        objection = final["objection"]
        if objection:
            filed = latest(audit, action="objection.filed", entity_id=final["_id"])
            assert filed["actor"] == final["nip"]
            assert filed["after"]["reason"] == objection["reason"]
        if objection and objection.get("outcome"):
            decided = latest(audit, action="objection.decided", entity_id=final["_id"])
            assert decided["actor"] == objection["decided_by"]
            assert number(decided["before"]["final_score"]) == number(
                objection["previous_final_score"]
            )
    assert any(f["objection"] for f in finals)  # the demo's decided objection is among them


def test_the_demo_behaviour_decisions_are_audited(databases, audit_of):
    """Every supervisor's decision on a behaviour proposal: who, both numbers, the reason."""
    appraisal, audit = databases("appraisal"), audit_of("appraisal")
    decisions = list(appraisal["behaviour_decisions"].find())
    assert any(d["kind"] == "own_scores" and d["reason"] for d in decisions)  # the demo's
    for decision in decisions:
        record = latest(audit, action="behaviour.decided", entity_id=decision["_id"])
        assert (record["entity"], record["actor"]) == (
            "behaviour_decision",
            decision["decided_by"],
        )
        after = record["after"]
        assert number(after["proposed_score"]) == number(decision["proposed_score"])
        assert number(after["behaviour_score"]) == number(decision["behaviour_score"])
        assert after["reason"] == decision["reason"]


def test_the_demo_configuration_history_is_audited(databases, audit_of):
    """Rounds opened and closed, every saved scheme version, the imported directory and
    every account: each with its record, and no password or hash in any of them."""
    for round_ in databases("feedback")["rounds"].find():
        opened = latest(audit_of("feedback"), action="round.opened", entity_id=round_["_id"])
        assert opened["actor"] == "demo-hr"
        if round_["status"] == "closed":
            latest(audit_of("feedback"), action="round.closed", entity_id=round_["_id"])
    versions: dict[str, int] = {}
    for version in databases("appraisal")["scheme_versions"].find():
        versions[version["id"]] = versions.get(version["id"], 0) + 1
    assert versions  # the demo saved the default scheme twice and a structural one
    for scheme_id, count in versions.items():
        saved = audit_of("appraisal").count_documents(
            {"action": "scheme.saved", "entity_id": scheme_id}
        )
        assert saved == count, scheme_id
    gateway, audit = databases("gateway"), audit_of("gateway")
    for kind in ("employee", "unit"):
        for record in gateway[f"{kind}s"].find({}, {"_id": 1}):
            latest(audit, entity=kind, entity_id=record["_id"])
    for account in gateway["accounts"].find({}, {"_id": 1}):
        created = latest(audit, action="account.created", entity_id=account["_id"])
        assert set(created["after"]) == {"username", "roles", "nip", "email"}
    for service in ("gateway", "targets", "logs", "feedback", "appraisal"):
        for record in audit_of(service).find({}, {"_id": 0}):
            assert "password" not in json.dumps(record, default=str).lower(), record


def _send(demo_stack, headers, method: str, path: str, expect: int, **kwargs) -> dict | None:
    answer = requests.request(
        method, f"{demo_stack.url()}{path}", headers=headers, timeout=60, **kwargs
    )
    assert answer.status_code == expect, f"{method} {path}: {answer.status_code} {answer.text}"
    return answer.json() if answer.content else None


def test_log_rules_and_workload_settings_changes_are_audited(demo_stack, login, audit_of):
    hr, audit = login("demo-hr"), audit_of("logs")
    for path, action, entity_id in (
        ("/api/v1/logs/rules", "log_rules.changed", "log_rules"),
        ("/api/v1/logs/workload/settings", "workload_settings.changed", "workload"),
    ):
        current = _send(demo_stack, hr, "GET", path, 200)
        _send(demo_stack, hr, "PUT", path, 200, json=current)  # the same values again
        record = latest(audit, action=action, entity_id=entity_id)
        assert record["actor"] == "demo-hr"
        assert {k: number(record["after"][k]) for k in current} == {
            k: number(v) for k, v in current.items()
        }


def test_rounds_assignments_nominations_and_frameworks_are_audited(demo_stack, login, audit_of):
    hr, audit = login("demo-hr"), audit_of("feedback")
    base = "/api/v1/feedback"
    framework = _send(demo_stack, hr, "GET", f"{base}/frameworks", 200)[0]
    _send(
        demo_stack,
        hr,
        "POST",
        f"{base}/frameworks",
        201,
        json={
            "id": "uji_audit",
            "name": "Uji audit",
            "scale_min": framework["scale_min"],
            "scale_max": framework["scale_max"],
            "dimensions": framework["dimensions"][:1],
        },
    )
    assert latest(audit, action="framework.saved", entity_id="uji_audit")["actor"] == "demo-hr"

    round_id = f"uji-audit-{uuid.uuid4().hex[:6]}"
    _send(
        demo_stack,
        hr,
        "POST",
        f"{base}/rounds",
        201,
        json={
            "id": round_id,
            "cycle": "2099",
            "framework_id": "pp46",
            "deadline": "2099-12-31",
            "unit_id": "sekretariat",
        },
    )
    assert latest(audit, action="round.opened", entity_id=round_id)["actor"] == "demo-hr"
    # the Sekretaris, rated in the round (her unit's), nominates a peer; her supervisor,
    # the Kepala, approves
    nominated = _send(
        demo_stack,
        login(RAHMA),
        "POST",
        f"{base}/rounds/{round_id}/nominations",
        201,
        json={"peer": DEWI},
    )
    added = latest(audit, action="assignment.added", entity_id=nominated["id"])
    assert (added["actor"], added["after"]["state"]) == (RAHMA, "nominated")
    _send(
        demo_stack,
        login(HENDRA),
        "POST",
        f"{base}/rounds/{round_id}/nominations/{nominated['id']}/decision",
        200,
        json={"approve": True},
    )
    decided = latest(audit, action="nomination.approved", entity_id=nominated["id"])
    assert (decided["actor"], decided["after"]) == (HENDRA, {"state": "active"})
    # HR adds an assignment and takes it away again
    assignment = _send(
        demo_stack,
        hr,
        "POST",
        f"{base}/rounds/{round_id}/assignments",
        201,
        json={"rater": RAHMA, "ratee": HENDRA, "group": "subordinate"},
    )
    latest(audit, action="assignment.added", entity_id=assignment["id"], actor="demo-hr")
    _send(demo_stack, hr, "DELETE", f"{base}/rounds/{round_id}/assignments/{assignment['id']}", 200)
    latest(audit, action="assignment.removed", entity_id=assignment["id"], actor="demo-hr")
    _send(demo_stack, hr, "POST", f"{base}/rounds/{round_id}/close", 200)
    assert latest(audit, action="round.closed", entity_id=round_id)["actor"] == "demo-hr"


def test_scheme_saves_and_retirements_are_audited(demo_stack, login, audit_of):
    hr, audit = login("demo-hr"), audit_of("appraisal")
    scheme_id = f"uji-audit-{uuid.uuid4().hex[:6]}"
    path = f"/api/v1/appraisal/schemes/{scheme_id}"
    body = {
        "version": 0,
        "name": "Uji audit",
        "weights": {"superior": 0.6, "peer": 0.2, "subordinate": 0.2, "self": 0},
        "unit_ids": [f"{scheme_id}-unit"],  # a unit with nobody in it: no score moves
    }
    _send(demo_stack, hr, "PUT", path, 200, json=body)
    saved = latest(audit, action="scheme.saved", entity_id=scheme_id)
    assert (saved["actor"], saved["before"], saved["after"]["version"]) == ("demo-hr", None, 1)
    _send(demo_stack, hr, "DELETE", path, 204, params={"version": 1})
    retired = latest(audit, action="scheme.retired", entity_id=scheme_id)
    assert (retired["actor"], retired["before"]["name"], retired["after"]) == (
        "demo-hr",
        "Uji audit",
        None,
    )


def test_directory_and_account_changes_are_audited(demo_stack, login, audit_of):
    hr, audit = login("demo-hr"), audit_of("gateway")
    directory = "/api/v1/directory"
    _send(
        demo_stack,
        hr,
        "POST",
        f"{directory}/units",
        201,
        json={"id": "uji-audit", "name": "Unit Uji Audit", "parent_id": "bappeda-kaltim"},
    )
    unit = latest(audit, entity="unit", entity_id="uji-audit")
    assert (unit["action"], unit["actor"], unit["before"]) == ("unit.created", "demo-hr", None)
    _send(
        demo_stack,
        hr,
        "POST",
        f"{directory}/imports",
        200,
        files={"file": ("units.csv", "id,name,parent_id\nuji-audit-impor,Unit Impor,uji-audit\n")},
    )
    assert latest(audit, entity="unit", entity_id="uji-audit-impor")["action"] == "unit.imported"
    person = {
        "nip": NEW_EMPLOYEE,
        "name": "Uji Audit",
        "position": "Pengadministrasi Umum",
        "unit_id": "uji-audit",
        "golongan": "II/c",
        "position_kind": "functional",
        "education": "SMA",
    }
    _send(demo_stack, hr, "POST", f"{directory}/employees", 201, json=person)
    employee = f"{directory}/employees/{NEW_EMPLOYEE}"
    _send(demo_stack, hr, "PATCH", employee, 200, json={"name": "Uji Audit Diubah"})
    _send(demo_stack, hr, "POST", f"{employee}/deactivate", 200)
    history = _send(demo_stack, hr, "GET", f"{employee}/audit", 200)  # the directory's API
    assert [e["action"] for e in history] == [
        "employee.deactivated",
        "employee.updated",
        "employee.created",
    ]
    assert {e["actor"] for e in history} == {"demo-hr"}
    assert (history[1]["before"]["name"], history[1]["after"]["name"]) == (
        "Uji Audit",
        "Uji Audit Diubah",
    )
    _send(
        demo_stack,
        hr,
        "POST",
        "/api/v1/auth/accounts",
        201,
        json={"username": "uji-audit-ops", "password": "Sandi-Uji-Audit-4821", "roles": ["ops"]},
    )
    account = latest(audit, action="account.created", entity_id="uji-audit-ops")
    assert account["actor"] == "demo-hr" and account["after"]["roles"] == ["ops"]
    assert "Sandi-Uji-Audit-4821" not in json.dumps(account, default=str)
