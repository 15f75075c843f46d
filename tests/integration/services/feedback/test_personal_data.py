"""The feedback service's part of the subject-access export and its retention purge:
results about the employee in aggregate only, their own answers and assignments, and
closed rounds' raw answers purged with the aggregates kept."""

from __future__ import annotations

import json

from kinerja import audit
from tests.integration.services.feedback.conftest import BOSS, HEAD, STAFF, assignment, scores


def submit(client, as_, rater, ratee, value, comment="", round_id="r1"):
    mine = client.get(f"/api/v1/rounds/{round_id}/my-assignments", headers=as_(rater)).json
    a = next(a for a in mine if a["ratee"] == ratee)
    answer = client.post(
        f"/api/v1/rounds/{round_id}/assignments/{a['id']}/submit",
        json={"scores": scores(value, ratee == BOSS), "comment": comment},
        headers=as_(rater),
    )
    assert answer.status_code == 200, answer.json


def test_the_export_shows_results_about_me_only_as_anonymity_allows(client, as_, open_round):
    """Rater anonymity in the export: with raters below the floor (two subordinates) the
    ratee's export holds the group's count only, never a rater's identity, answer or
    comment; it holds what the ratee answered as a rater, and nothing of a colleague."""
    submit(client, as_, STAFF[0], BOSS, 40, "Kurang komunikatif")
    submit(client, as_, STAFF[1], BOSS, 90)
    submit(client, as_, HEAD, BOSS, 80)
    mine = assignment(client, as_, BOSS, STAFF[0])
    answer = client.post(
        f"/api/v1/rounds/r1/assignments/{mine['id']}/submit",
        json={"scores": scores(70)},
        headers=as_(BOSS),
    )
    assert answer.status_code == 200, answer.json
    assert client.post("/api/v1/rounds/r1/close", headers=as_("hr")).status_code == 200

    export = client.get(f"/api/v1/personal-data/{BOSS}", headers=as_(BOSS))

    assert export.status_code == 200, export.json
    records = export.json["records"]
    (about,) = records["results_about_me"]
    subordinates = next(g for g in about["groups"] if g["group"] == "subordinate")
    assert (subordinates["responses"], subordinates["shown"]) == (2, False)
    assert subordinates["mean_by_dimension"] == {} and subordinates["comments"] == []
    assert "Kurang komunikatif" not in json.dumps(export.json)
    about_me = json.dumps([records["results_about_me"], records["nominations"]])
    assert not any(rater in about_me for rater in (STAFF[0], STAFF[1], HEAD))
    written = records["assignments_as_rater"]
    assert {(w["rater"], w["ratee"]) for w in written} >= {(BOSS, STAFF[0])}
    assert all(w["rater"] == BOSS for w in written)
    assert client.get(f"/api/v1/personal-data/{BOSS}", headers=as_(HEAD)).status_code == 403


def test_the_purge_keeps_the_closed_rounds_aggregates_and_spares_open_rounds(
    app, client, as_, open_round
):
    """Retention: a dry run counts and deletes nothing; the purge deletes the raw answers
    of closed rounds of ended cycles only (an open round stays, whatever its cycle), the
    results read the same aggregates afterwards, and the purge is audited."""
    for rater, value in zip((STAFF[0], STAFF[1], STAFF[2], HEAD), (60, 70, 80, 90), strict=True):
        submit(client, as_, rater, BOSS, value)
    assert client.post("/api/v1/rounds/r1/close", headers=as_("hr")).status_code == 200
    still_open = {"id": "r0", "cycle": "2025", "deadline": "2026-11-25", "peers_per_ratee": 2}
    assert client.post("/api/v1/rounds", json=still_open, headers=as_("hr")).status_code == 201
    before = client.get(f"/api/v1/rounds/r1/results/{BOSS}", headers=as_(BOSS)).json
    db = app.extensions["kinerja"].db
    held = {r: db["responses"].count_documents({"round_id": r}) for r in ("r0", "r1")}
    body = {"cut_off": "2027-02-01", "dry_run": True}

    dry = client.post("/api/v1/retention/purge", json=body, headers=as_("hr"))

    assert dry.status_code == 200, dry.json
    assert dry.json["counts"] == {"responses": held["r1"], "rounds": 1}
    assert db["responses"].count_documents({"round_id": "r1"}) == held["r1"]
    done = client.post(
        "/api/v1/retention/purge", json={**body, "dry_run": False}, headers=as_("hr")
    )

    assert done.status_code == 200, done.json
    assert done.json["counts"]["responses"] == held["r1"] and done.json["cycles"] == ["2026"]
    assert db["responses"].count_documents({"round_id": "r1"}) == 0
    assert db["responses"].count_documents({"round_id": "r0"}) == held["r0"] > 0
    after = client.get(f"/api/v1/rounds/r1/results/{BOSS}", headers=as_(BOSS))
    assert after.status_code == 200, after.json
    assert after.json == before
    assert db["outbox"].count_documents({"type": {"$regex": "withdrawn"}}) == 0
    (record,) = audit.history(db, "retention", "responses")
    assert record["actor"] == "hr" and record["after"]["rounds"] == ["r1"]
