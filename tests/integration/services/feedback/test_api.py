"""360 rounds through the feedback service's API, and attempts to see one person's answer."""

from __future__ import annotations

import pytest

from tests.integration.services.feedback.conftest import (
    BOSS,
    HEAD,
    STAFF,
    assignment,
    scores,
)


def outbox(client) -> list[dict]:
    db = client.application.extensions["kinerja"].db
    return [d["envelope"] for d in db["outbox"].find().sort("created_at", 1)]


def submit(client, as_, rater, ratee, value, comment=""):
    a = assignment(client, as_, rater, ratee)
    return client.post(
        f"/api/v1/rounds/r1/assignments/{a['id']}/submit",
        json={"scores": scores(value, ratee == BOSS), "comment": comment},
        headers=as_(rater),
    )


def test_opening_a_round_assigns_from_the_org_chart(client, as_, open_round):
    assignments = client.get("/api/v1/rounds/r1/assignments", headers=as_("hr")).json
    of_boss = {(a["rater"], a["group"]) for a in assignments if a["ratee"] == BOSS}
    assert of_boss == {(HEAD, "superior"), (BOSS, "self")} | {(s, "subordinate") for s in STAFF}
    peers = [a for a in assignments if a["ratee"] == STAFF[0] and a["group"] == "peer"]
    assert len(peers) == 2 and all(a["rater"] in STAFF[1:] for a in peers)
    pairs = [(a["rater"], a["ratee"]) for a in assignments]
    assert len(pairs) == len(set(pairs))
    assert outbox(client)[0]["type"] == "feedback.round.opened"
    assert client.get("/api/v1/rounds/r1/assignments", headers=as_(STAFF[0])).status_code == 403


def test_a_rater_drafts_submits_revises_and_the_events_carry_the_rater(client, as_, open_round):
    a = assignment(client, as_, STAFF[0], BOSS)
    assert [d["key"] for d in a["dimensions"]][-1] == "kepemimpinan"  # BOSS is structural
    base = f"/api/v1/rounds/r1/assignments/{a['id']}"
    draft = client.put(f"{base}/draft", json={"scores": {"integritas": 70}}, headers=as_(STAFF[0]))
    assert draft.json["status"] == "draft"
    incomplete = client.post(
        f"{base}/submit", json={"scores": {"integritas": 70}}, headers=as_(STAFF[0])
    )
    assert incomplete.status_code == 422
    assert submit(client, as_, STAFF[0], BOSS, 80).json["status"] == "submitted"
    again = submit(client, as_, STAFF[0], BOSS, 81)
    assert (again.status_code, again.json["error"]["code"]) == (409, "already_submitted")
    revised = client.put(
        f"{base}/response", json={"scores": scores(85, True)}, headers=as_(STAFF[0])
    )
    assert revised.status_code == 200
    events = [e for e in outbox(client) if e["type"].startswith("feedback.response")]
    assert [e["type"] for e in events] == [
        "feedback.response.submitted",
        "feedback.response.revised",
    ]
    assert events[-1]["data"]["rater_id"] == STAFF[0]
    assert events[-1]["data"]["revision"] == 2


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"scores": {**scores(80, True), "integritas": 101}}, "scores.integritas"),
        ({"scores": {**scores(80, True), "kreativitas": 80}}, "scores.kreativitas"),
    ],
)
def test_bad_answers_are_refused_and_nothing_changes(client, as_, open_round, body, field):
    a = assignment(client, as_, STAFF[0], BOSS)
    answer = client.post(
        f"/api/v1/rounds/r1/assignments/{a['id']}/submit", json=body, headers=as_(STAFF[0])
    )
    assert field in answer.json["error"]["fields"]
    assert assignment(client, as_, STAFF[0], BOSS)["status"] == "pending"
    assert not [e for e in outbox(client) if e["type"].startswith("feedback.response")]


def test_nobody_answers_someone_elses_assignment_or_a_closed_round(client, as_, open_round):
    a = assignment(client, as_, STAFF[0], BOSS)
    url = f"/api/v1/rounds/r1/assignments/{a['id']}/submit"
    body = {"scores": scores(80, True)}
    assert client.post(url, json=body, headers=as_(STAFF[1])).status_code == 403
    client.post("/api/v1/rounds/r1/close", headers=as_("hr"))
    closed = client.post(url, json=body, headers=as_(STAFF[0]))
    assert (closed.status_code, closed.json["error"]["code"]) == (409, "round_closed")


def test_declining_withdraws_a_submitted_response(client, as_, open_round):
    submit(client, as_, STAFF[0], BOSS, 80)
    a = assignment(client, as_, STAFF[0], BOSS)
    declined = client.post(
        f"/api/v1/rounds/r1/assignments/{a['id']}/decline",
        json={"reason": "Konflik kepentingan"},
        headers=as_(STAFF[0]),
    )
    assert declined.json["status"] == "declined"
    assert outbox(client)[-1]["type"] == "feedback.response.withdrawn"


def test_hr_adds_and_removes_assignments_and_duplicates_are_refused(client, as_, open_round):
    hr = as_("hr")
    twice = client.post(
        "/api/v1/rounds/r1/assignments",
        json={"rater": HEAD, "ratee": BOSS, "group": "peer"},
        headers=hr,
    )
    assert twice.status_code == 409
    self_peer = client.post(
        "/api/v1/rounds/r1/assignments",
        json={"rater": HEAD, "ratee": HEAD, "group": "peer"},
        headers=hr,
    )
    assert self_peer.status_code == 422
    added = client.post(
        "/api/v1/rounds/r1/assignments",
        json={"rater": STAFF[3], "ratee": HEAD, "group": "subordinate"},
        headers=hr,
    )
    assert added.status_code == 201
    removed = client.delete(f"/api/v1/rounds/r1/assignments/{added.json['id']}", headers=hr)
    assert removed.json["state"] == "removed"


def test_a_nominated_peer_rates_once_the_supervisor_approves(client, as_, settings, open_round):
    nominated = client.post(
        "/api/v1/rounds/r1/nominations", json={"peer": HEAD}, headers=as_(STAFF[0])
    )
    assert nominated.status_code == 201
    mine = client.get("/api/v1/rounds/r1/my-assignments", headers=as_(HEAD)).json
    assert STAFF[0] not in [a["ratee"] for a in mine]
    decision = f"/api/v1/rounds/r1/nominations/{nominated.json['id']}/decision"
    assert client.post(decision, json={"approve": True}, headers=as_(HEAD)).status_code == 403
    assert client.post(decision, json={"approve": True}, headers=as_(BOSS)).status_code == 200
    mine = client.get("/api/v1/rounds/r1/my-assignments", headers=as_(HEAD)).json
    assert STAFF[0] in [a["ratee"] for a in mine]


def test_completion_and_reminders(client, as_, open_round):
    submit(client, as_, STAFF[0], BOSS, 80)
    done = client.get("/api/v1/rounds/r1/completion", headers=as_("hr")).json
    assert done["round"]["submitted"] == 1
    boss_rate = next(r for r in done["by_ratee"] if r["key"] == BOSS)
    assert (boss_rate["submitted"], boss_rate["assigned"]) == (1, 6)
    team_view = client.get("/api/v1/rounds/r1/completion", headers=as_(BOSS)).json
    assert {r["key"] for r in team_view["by_ratee"]} == set(STAFF)
    reminders = client.get("/api/v1/rounds/r1/reminders", headers=as_("hr")).json
    assert reminders and all(r["days_left"] == 2 for r in reminders)
    assert STAFF[0] in {r["rater"] for r in reminders}  # still owes their peers and self
    assert client.get("/api/v1/rounds/r1/reminders?within_days=1", headers=as_("hr")).json == []


def test_hr_versions_a_custom_framework(client, as_):
    body = {
        "id": "kepemimpinan_baru",
        "name": "Kepemimpinan",
        "scale_min": 1,
        "scale_max": 5,
        "dimensions": [{"key": "visi", "name": "Visi", "description": "Memberi arah"}],
    }
    first = client.post("/api/v1/frameworks", json=body, headers=as_("hr")).json
    second = client.post("/api/v1/frameworks", json=body, headers=as_("hr")).json
    assert (first["version"], second["version"]) == (1, 2)
    bad = client.post("/api/v1/frameworks", json={**body, "scale_max": 7}, headers=as_("hr"))
    assert "scale" in bad.json["error"]["fields"]
    ids = [f["id"] for f in client.get("/api/v1/frameworks", headers=as_(STAFF[0])).json]
    assert {"pp46", "berakhlak", "kepemimpinan_baru"} <= set(ids)
