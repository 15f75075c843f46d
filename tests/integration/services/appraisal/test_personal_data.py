"""What the appraisal service tells the employee about their score and exports about
them, and its retention purge; against a real MongoDB-compatible server."""

from __future__ import annotations

import json
from datetime import date

import pytest

from kinerja import audit
from kinerja.config import Settings
from services.appraisal import api, store
from services.appraisal.app import create_app
from tests.integration.services.appraisal.support import (
    add_employee,
    open_round,
    rate,
    recompute_now,
    skp,
)
from tests.support import bus_env, token

HEAD = "196001011985031001"
BOSS = "197001012000031002"
STAFF = ["198001012005012002", "198102022006011003", "198203032007012004", "198304042008011005"]
LENIENCY = {STAFF[0]: 0, STAFF[1]: 12, STAFF[2]: -10, STAFF[3]: 5}


@pytest.fixture
def app(mongo_url, namespace, monkeypatch):
    """Four staff rating each other as peers, each with their own leniency, and their
    supervisor: a closed round the bias correction has something to correct in."""
    settings = Settings.from_env("appraisal", bus_env(mongo_url, "memory://", namespace))
    app = create_app(settings)
    add_employee(app, HEAD, None, "kantor", position_kind="structural")
    add_employee(app, BOSS, HEAD, "umpeg", position_kind="structural")
    for nip in STAFF:
        add_employee(app, nip, BOSS, "umpeg")
    open_round(app)
    for number, ratee in enumerate(STAFF):
        skp(app, ratee, 90.0)
        rate(app, BOSS, ratee, "superior", 70 + 4 * number)
        for rater in STAFF:
            if rater != ratee:
                rate(app, rater, ratee, "peer", 66 + 4 * number + LENIENCY[rater])
    open_round(app, status="closed")
    open_round(app, "r2", "2026")  # a later round of the cycle, still open
    rate(app, BOSS, STAFF[0], "superior", 75, round_id="r2")
    recompute_now(app)
    monkeypatch.setattr(api, "today", lambda: date(2027, 1, 10))
    app.token_settings = settings
    yield app
    app.extensions["kinerja"].client.drop_database(settings.mongo_db)


def call(app, method: str, path: str, who: str, *roles: str, **kwargs):
    headers = token(app.token_settings, who, *roles)
    return app.test_client().open(f"/api/v1{path}", method=method, headers=headers, **kwargs)


def test_the_employee_sees_what_the_correction_did_beside_who_decided(app):
    """No decision on automated processing alone (UU 27/2022 Pasal 10): the employee reads
    the unadjusted combination, the corrected value, their difference and the method, and
    the human decision beside it: "not yet" until the supervisor decides, then who, when."""
    path = f"/cycles/2026/scores/{STAFF[0]}/adjustment"

    before = call(app, "GET", path, STAFF[0], "employee")

    assert before.status_code == 200, before.json
    body = before.json
    assert body["method"] == "bias_corrected"
    unadjusted = body["unadjusted_behaviour_score"]
    adjusted = body["adjusted_behaviour_score"]
    assert body["difference"] == pytest.approx(adjusted - unadjusted, abs=0.005)
    score = store.find_score(app.extensions["kinerja"].db, STAFF[0], "2026")
    assert adjusted == pytest.approx(float(score.behaviour_score))
    assert body["decision"] is None and body["finalized"] is None
    decided = call(
        app, "PUT", f"/cycles/2026/scores/{STAFF[0]}/decision", BOSS, "employee", "supervisor",
        json={"kind": "adopted"},
    )  # fmt: skip
    assert decided.status_code == 200, decided.json

    after = call(app, "GET", path, STAFF[0], "employee").json

    assert after["decision"]["decided_by"] == BOSS and after["decision"]["kind"] == "adopted"
    assert after["decision"]["decided_at"]
    assert call(app, "GET", path, STAFF[1], "employee").status_code == 403


def test_the_export_holds_my_scores_without_any_raters_answers(app):
    """Subject access within anonymity: scores, adjustments and decisions of mine, never a
    rater's identity or answer, never the breakdown an employee may not see; a read by my
    supervisor's superior is recorded; a colleague is refused."""
    assert (
        call(app, "GET", f"/cycles/2026/scores/{STAFF[0]}", HEAD, "supervisor").status_code == 200
    )

    export = call(app, "GET", f"/personal-data/{STAFF[0]}", STAFF[0], "employee")

    assert export.status_code == 200, export.json
    records = export.json["records"]
    assert [s["nip"] for s in records["scores"]] == [STAFF[0]]
    assert records["scores"][0]["groups"] == {} and records["scores"][0]["flags"] == []
    assert records["adjustments"][0]["method"] == "bias_corrected"
    text = json.dumps(records)
    assert not any(rater in text for rater in STAFF[1:])
    reads = export.json["record_reads"]
    assert [(r["reader"], r["relations"]) for r in reads] == [(HEAD, ["supervisors_superior"])]
    refused = call(app, "GET", f"/personal-data/{STAFF[0]}", STAFF[1], "employee")
    assert refused.status_code == 403


def test_the_purge_deletes_closed_rounds_ratings_and_keeps_the_scores(app):
    """Retention: a dry run counts and changes nothing; the purge deletes the raw ratings
    of closed rounds of ended cycles only (the open round's stay), leaves every score as
    it was, marks no cycle dirty, publishes nothing and is audited."""
    db = app.extensions["kinerja"].db
    scores = {s.nip: s for s in store.scores_of(db, "2026")}
    body = {"cut_off": "2027-03-01", "dry_run": True}

    dry = call(app, "POST", "/retention/purge", "hr-1", "hr", json=body)

    assert dry.status_code == 200, dry.json
    assert dry.json["counts"] == {"ratings": 16, "rounds": 1}
    assert db["ratings"].count_documents({"round_id": "r1"}) == 16
    assert call(app, "POST", "/retention/purge", BOSS, "supervisor", json=body).status_code == 403

    done = call(app, "POST", "/retention/purge", "hr-1", "hr", json={**body, "dry_run": False})

    assert done.status_code == 200, done.json
    assert done.json["counts"] == {"ratings": 16, "rounds": 1}
    assert db["ratings"].count_documents({"round_id": "r1"}) == 0
    assert db["ratings"].count_documents({"round_id": "r2"}) == 1
    assert {s.nip: s for s in store.scores_of(db, "2026")} == scores
    state = store.cycle_state(db, "2026")
    assert state["dirty"] is False and state["inputs_purged_before"] == "2027-03-01"
    assert db["outbox"].count_documents({}) == 0
    (record,) = audit.history(db, "retention", "ratings")
    assert record["actor"] == "hr-1" and record["after"]["counts"]["ratings"] == 16


def test_a_purged_cycle_keeps_its_scores_through_a_later_recompute(app):
    """A scheme change after the purge marks every cycle dirty: the recompute must not
    re-score the purged cycle from what is left (one rating of the open round), and must
    leave it clean so that it can still be finalized."""
    db = app.extensions["kinerja"].db
    scores = {s.nip: s for s in store.scores_of(db, "2026")}
    body = {"cut_off": "2027-03-01", "dry_run": False}
    assert call(app, "POST", "/retention/purge", "hr-1", "hr", json=body).status_code == 200

    app.extensions["kinerja"].uow(store.mark_every_cycle_dirty)
    recompute_now(app)

    assert {s.nip: s for s in store.scores_of(db, "2026")} == scores
    assert store.cycle_state(db, "2026")["dirty"] is False
