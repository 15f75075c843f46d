"""The SKP's life through the targets service's HTTP API, on a real database."""

from __future__ import annotations

from datetime import date

import pytest

from services.targets import commands
from tests.integration.services.targets.conftest import (
    ACTIVITIES,
    BOSS,
    CYCLE,
    OTHER,
    STAFF,
    skp_url,
)


def outbox(client) -> list[dict]:
    db = client.application.extensions["kinerja"].db
    return [d["envelope"] for d in db["outbox"].find().sort("created_at", 1)]


def stored(client) -> list:
    db = client.application.extensions["kinerja"].db
    return list(db["skps"].find({}, {"_id": 0})) + [len(outbox(client))]


def test_draft_submit_approve_publishes_each_step(client, people, approved):
    assert approved["status"] == "approved"
    assert approved["contract"]["number"] == 1
    types = [e["type"] for e in outbox(client)]
    assert types == ["targets.skp.submitted", "targets.skp.approved", "targets.score.updated"]
    decided = outbox(client)[1]["data"]
    assert decided["decided_by"] == BOSS
    assert [a["id"] for a in decided["activities"]] == ["agenda-surat", "anggaran"]


def test_a_returned_skp_goes_back_with_notes_and_can_be_resubmitted(client, people):
    client.post(
        "/api/v1/skps", json={"cycle": CYCLE, "activities": ACTIVITIES}, headers=people.staff
    )
    client.post(f"{skp_url()}/submit", headers=people.staff)
    without_notes = client.post(f"{skp_url()}/return", json={"notes": " "}, headers=people.boss)
    assert without_notes.status_code == 422
    returned = client.post(
        f"{skp_url()}/return", json={"notes": "Tambah kualitas"}, headers=people.boss
    )
    assert (returned.json["status"], returned.json["current"]["notes"]) == (
        "returned",
        "Tambah kualitas",
    )
    edited = client.put(
        f"{skp_url()}/draft", json={"activities": ACTIVITIES[:1]}, headers=people.staff
    )
    assert edited.status_code == 200
    assert client.post(f"{skp_url()}/submit", headers=people.staff).json["status"] == "submitted"
    assert outbox(client)[1]["type"] == "targets.skp.returned"


@pytest.mark.parametrize("who", ["other", "head", "staff"])
def test_only_the_direct_supervisor_approves(client, people, who):
    client.post(
        "/api/v1/skps", json={"cycle": CYCLE, "activities": ACTIVITIES}, headers=people.staff
    )
    client.post(f"{skp_url()}/submit", headers=people.staff)
    before = stored(client)
    answer = client.post(f"{skp_url()}/approve", headers=getattr(people, who))
    assert answer.status_code == 403
    assert stored(client) == before


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"quantity": 0}, "activities[0].quantity"),
        ({"quantity": -3}, "activities[0].quantity"),
        ({"months": 0}, "activities[0].months"),
        ({"months": 13}, "activities[0].months"),
        ({"quality": 120}, "activities[0].quality"),
    ],
)
def test_bad_targets_name_the_field_and_store_nothing(client, people, change, field):
    activity = {**ACTIVITIES[0], **change}
    answer = client.post(
        "/api/v1/skps", json={"cycle": CYCLE, "activities": [activity]}, headers=people.staff
    )
    assert answer.status_code == 422
    assert field in answer.json["error"]["fields"]
    assert stored(client) == [0]


def test_an_approved_skp_changes_only_through_a_new_version(client, people, approved):
    in_place = client.put(
        f"{skp_url()}/draft", json={"activities": ACTIVITIES[:1]}, headers=people.staff
    )
    assert (in_place.status_code, in_place.json["error"]["code"]) == (409, "not_editable")
    revision = client.post(f"{skp_url()}/revisions", headers=people.staff).json
    assert (revision["current"]["number"], revision["current"]["status"]) == (2, "draft")
    assert revision["contract"]["number"] == 1  # the approved version stays in force
    client.put(f"{skp_url()}/draft", json={"activities": ACTIVITIES[:1]}, headers=people.staff)
    client.post(f"{skp_url()}/submit", headers=people.staff)
    client.post(f"{skp_url()}/approve", headers=people.boss)
    versions = client.get(f"{skp_url()}/versions", headers=people.staff).json
    assert [(v["number"], v["status"]) for v in versions] == [
        (1, "superseded"),
        (2, "approved"),
    ]


def test_realization_and_the_exact_score(client, people, approved, monkeypatch):
    url = f"{skp_url()}/activities/agenda-surat/realization"
    employee_quality = client.patch(url, json={"quality": 90}, headers=people.staff)
    assert "quality" in employee_quality.json["error"]["fields"]
    assert client.patch(url, json={"quality": 90}, headers=people.boss).status_code == 200
    assert (
        client.patch(url, json={"quantity": 12, "months": 10}, headers=people.staff).status_code
        == 200
    )
    # the employee's own figures count once the supervisor confirms them
    assert client.post(f"{url}/confirm", json={}, headers=people.boss).status_code == 200
    over = client.patch(url, json={"quality": 101}, headers=people.boss)
    assert over.status_code == 422
    unknown = client.patch(
        f"{skp_url()}/activities/nope/realization", json={"months": 3}, headers=people.staff
    )
    assert unknown.status_code == 404

    monkeypatch.setattr(commands, "today", lambda: date(2026, 6, 30))
    score = client.get(f"{skp_url()}/score", headers=people.staff).json
    first = score["activities"][0]
    assert round(first["score"]["score"], 2) == 94.22  # DOMAIN.md's worked example
    assert (first["assumed"], first["share"]) == ([], 1)  # realized in full: the whole target
    second = score["activities"][1]
    # nothing realized yet during the year: not assessable, no number, not a 0 in the mean
    assert (second["score"], second["assessable"]) == (None, False)
    assert second["target"]["quantity"] == pytest.approx(ACTIVITIES[1]["quantity"] / 2)
    assert score["skp_score"] == pytest.approx(first["score"]["score"])
    assert (score["complete"], score["provisional"], score["prorated"]) == (False, True, True)
    assert score["as_of"] == "2026-06-30"

    monkeypatch.setattr(commands, "today", lambda: date(2027, 1, 10))
    score = client.get(f"{skp_url()}/score", headers=people.staff).json
    first, second = score["activities"]
    assert second["score"]["score"] == 0  # the year is over: not carried out, 0 and in the mean
    assert second["assumed"] == ["quality", "months", "cost"]
    assert score["skp_score"] == pytest.approx((first["score"]["score"] + 0) / 2)
    assert (score["complete"], score["provisional"], score["prorated"]) == (False, True, False)


def test_what_if_answers_without_storing(client, people, approved):
    before = stored(client)
    answer = client.post(
        f"{skp_url()}/what-if",
        json={
            "activities": {"agenda-surat": {"quantity": 12, "quality": 90, "months": 10}},
            "extra_tasks": 4,
        },
        headers=people.staff,
    )
    assert answer.status_code == 200
    assert round(answer.json["activities"][0]["score"]["score"], 2) == 94.22
    assert answer.json["extra_tasks_points"] == 2
    assert stored(client) == before


def test_extra_tasks_count_once_the_supervisor_approves(client, people, approved):
    task = {"id": "panitia-hut", "description": "Panitia HUT RI", "evidence": "SK 12/2026"}
    assert (
        client.post(f"{skp_url()}/extra-tasks", json=task, headers=people.staff).status_code == 201
    )
    assert client.get(f"{skp_url()}/score", headers=people.staff).json["extra_tasks"] == 0
    decision = f"{skp_url()}/achievements/panitia-hut/decision"
    assert client.post(decision, json={"approve": True}, headers=people.other).status_code == 403
    assert client.post(decision, json={"approve": True}, headers=people.boss).status_code == 200
    score = client.get(f"{skp_url()}/score", headers=people.staff).json
    assert (score["extra_tasks"], score["extra_tasks_points"]) == (1, 1)
    bad_level = client.post(
        f"{skp_url()}/creativity",
        json={"id": "aplikasi", "description": "Aplikasi arsip", "evidence": "x", "level": "moon"},
        headers=people.staff,
    )
    assert bad_level.status_code == 422


def test_who_may_see_an_skp(client, people, approved):
    for allowed in (people.staff, people.boss, people.head, people.hr):
        assert client.get(skp_url(), headers=allowed).status_code == 200
    assert client.get(skp_url(), headers=people.other).status_code == 403


def test_the_supervisor_sees_the_team_at_a_glance(client, people, approved):
    team = client.get(f"/api/v1/teams/{BOSS}/skps?cycle={CYCLE}", headers=people.boss).json
    assert {(m["nip"], m["status"]) for m in team} == {(STAFF, "approved"), (OTHER, "not_started")}
    refused = client.get(f"/api/v1/teams/{BOSS}/skps?cycle={CYCLE}", headers=people.other)
    assert refused.status_code == 403


def test_the_preview_endpoint_scores_the_contract_document(client, people):
    document = {
        "activities": [
            {
                "target": {"quantity": 12, "quality": 100, "months": 12, "cost": 0},
                "realization": {"quantity": 12, "quality": 90, "months": 10, "cost": 0},
            }
        ],
        "extra_tasks": 2,
        "creativity": None,
    }
    answer = client.post("/api/v1/score-preview", json=document, headers=people.staff)
    assert answer.status_code == 200
    assert answer.json["activities"][0]["cost"] is None
    assert answer.json["skp_score"] == pytest.approx(95.2222222222)
    bad = client.post(
        "/api/v1/score-preview",
        json={**document, "activities": [{"target": {"quantity": 0}}]},
        headers=people.staff,
    )
    assert bad.status_code == 422


def test_the_score_event_says_provisional_pro_rated_and_as_of_when(
    client, people, approved, monkeypatch
):
    monkeypatch.setattr(commands, "today", lambda: date(2026, 3, 31))
    url = f"{skp_url()}/activities/agenda-surat/realization"
    client.patch(url, json={"quantity": 3}, headers=people.boss)  # the employee's would wait
    event = [e for e in outbox(client) if e["type"] == "targets.score.updated"][-1]["data"]
    # 3 of the 3 due by March, quality and time at target: (100 + 100 + 76) / 3; the other
    # activity, without output, is not in the mean
    assert event["skp_score"] == "92.00"  # exact, as a decimal string
    assert (event["provisional"], event["prorated"], event["as_of"]) == (True, True, "2026-03-31")


def test_an_skp_without_output_publishes_no_score_during_the_year(client, people, monkeypatch):
    monkeypatch.setattr(commands, "today", lambda: date(2026, 6, 30))
    client.post(
        "/api/v1/skps", json={"cycle": CYCLE, "activities": ACTIVITIES}, headers=people.staff
    )
    client.post(f"{skp_url()}/submit", headers=people.staff)
    client.post(f"{skp_url()}/approve", headers=people.boss)
    event = [e for e in outbox(client) if e["type"] == "targets.score.updated"][-1]["data"]
    assert (event["skp_score"], event["provisional"]) == (None, True)
    score = client.get(f"{skp_url()}/score", headers=people.staff).json
    assert score["skp_score"] is None
    assert [a["assessable"] for a in score["activities"]] == [False, False]
