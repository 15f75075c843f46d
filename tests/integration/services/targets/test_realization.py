"""No realization counts on the employee's word alone: pending, confirmed, rejected, bounded."""

from __future__ import annotations

from datetime import date

import pytest

from kinerja.config import Settings
from services.targets import commands
from tests.integration.services.targets.conftest import BOSS, skp_url
from tests.support import bus_env

URL = f"{skp_url()}/activities/agenda-surat/realization"


def outbox_types(client) -> list[str]:
    db = client.application.extensions["kinerja"].db
    return [d["envelope"]["type"] for d in db["outbox"].find().sort("created_at", 1)]


def skp_doc(client) -> dict:
    return client.application.extensions["kinerja"].db["skps"].find_one({}, {"_id": 0})


def audit_actions(client) -> list[str]:
    db = client.application.extensions["kinerja"].db
    return [d["action"] for d in db["audit"].find().sort("at", 1)]


def score(client, people) -> float:
    return client.get(f"{skp_url()}/score", headers=people.staff).json["skp_score"]


def test_the_employees_realization_waits_for_the_supervisor(client, people, approved):
    before, published = score(client, people), outbox_types(client)
    answer = client.patch(URL, json={"quantity": 10**12}, headers=people.staff)
    assert answer.status_code == 200, answer.json
    assert answer.json["realization"] == {}
    waiting = answer.json["pending_realization"]["agenda-surat"]
    assert waiting["status"] == "pending" and waiting["quantity"] == 10**12
    assert score(client, people) == before
    assert outbox_types(client) == published  # no score event: nothing moved
    team = client.get("/api/v1/teams/" + BOSS + "/skps?cycle=2026", headers=people.boss).json
    assert [row["pending_realizations"] for row in team if row["status"] != "not_started"] == [1]


def test_confirming_counts_it_once_audited_and_published(client, people, approved, monkeypatch):
    # after the year, so the whole target counts (during it, the target due to date would)
    monkeypatch.setattr(commands, "today", lambda: date(2027, 1, 15))
    client.patch(URL, json={"quantity": 9, "months": 12}, headers=people.staff)
    by_other = client.post(f"{URL}/confirm", json={}, headers=people.head)
    assert by_other.status_code == 403
    answer = client.post(f"{URL}/confirm", json={}, headers=people.boss)
    assert answer.status_code == 200, answer.json
    assert answer.json["pending_realization"] == {}
    assert answer.json["realization"]["agenda-surat"]["quantity"] == 9
    scored = client.get(f"{skp_url()}/score", headers=people.staff).json
    assert scored["activities"][0]["score"]["quantity"] == 75
    assert outbox_types(client)[-2:] == ["targets.realization.updated", "targets.score.updated"]
    assert audit_actions(client) == ["realization.confirmed"]
    again = client.post(f"{URL}/confirm", json={}, headers=people.boss)
    assert again.status_code == 409


def test_rejecting_says_why_and_counts_nothing(client, people, approved):
    client.patch(URL, json={"quantity": 9}, headers=people.staff)
    before = skp_doc(client)
    blank = client.post(f"{URL}/reject", json={"reason": ""}, headers=people.boss)
    assert blank.status_code == 422 and "reason" in blank.json["error"]["fields"]
    assert skp_doc(client) == before
    answer = client.post(f"{URL}/reject", json={"reason": "Tanpa bukti"}, headers=people.boss)
    assert answer.status_code == 200
    rejected = answer.json["pending_realization"]["agenda-surat"]
    assert (rejected["status"], rejected["reason"], rejected["decided_by"]) == (
        "rejected",
        "Tanpa bukti",
        BOSS,
    )
    assert answer.json["realization"] == {}
    assert audit_actions(client) == ["realization.rejected"]


def test_above_the_bound_the_supervisor_gives_a_written_reason(client, people, approved):
    client.patch(URL, json={"quantity": 25}, headers=people.staff)  # target 12, bound 2x
    before = skp_doc(client)
    bare = client.post(f"{URL}/confirm", json={}, headers=people.boss)
    assert bare.status_code == 422
    assert "quantity_above_bound" in bare.json["error"]["fields"]["reason"][0]
    assert skp_doc(client) == before
    reason = "Limpahan surat dari bidang perencanaan"
    answer = client.post(f"{URL}/confirm", json={"reason": reason}, headers=people.boss)
    assert answer.status_code == 200
    assert answer.json["realization"]["agenda-surat"]["reason"] == reason
    direct = client.patch(URL, json={"quantity": 30}, headers=people.boss)
    assert direct.status_code == 422 and "reason" in direct.json["error"]["fields"]
    own_reason = client.patch(URL, json={"months": 10, "reason": "x"}, headers=people.staff)
    assert "reason" in own_reason.json["error"]["fields"]


@pytest.mark.parametrize(("field", "value"), [("months", 0), ("months", -2), ("cost", 0)])
def test_time_and_cost_at_or_below_zero_name_the_field(client, people, approved, field, value):
    url = f"{skp_url()}/activities/anggaran/realization"
    before = skp_doc(client)
    for who in (people.staff, people.boss):
        answer = client.patch(url, json={field: value}, headers=who)
        assert answer.status_code == 422
        assert list(answer.json["error"]["fields"]) == [field]
    assert skp_doc(client) == before


def test_the_bound_is_read_from_the_environment(mongo_url, namespace):
    env = bus_env(mongo_url, "memory://", namespace)
    assert Settings.from_env("targets", env).realization_bound == 2
    wider = Settings.from_env("targets", {**env, "REALIZATION_BOUND_MULTIPLE": "3.5"})
    assert wider.realization_bound == pytest.approx(3.5)


def test_the_supervisor_sees_the_bound_in_force(client, people, approved):
    answer = client.get(skp_url(), headers=people.boss)
    assert answer.json["realization_bound"] == 2
