"""The appraiser decides: the direct supervisor adopts the behaviour proposal or sets own
aspect scores, finalization takes the decision, HR reads how supervisors depart; against a
real MongoDB-compatible server."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

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
REASON = "Kepanitiaan pengadaan tiga bulan tidak terlihat oleh rekan kerja."


@pytest.fixture
def app(mongo_url, namespace, monkeypatch):
    settings = Settings.from_env("appraisal", bus_env(mongo_url, "memory://", namespace))
    app = create_app(settings)
    add_employee(app, HEAD, None, "kantor", position_kind="structural")
    add_employee(app, BOSS, HEAD, "umpeg", position_kind="structural")
    for nip in STAFF:
        add_employee(app, nip, BOSS, "umpeg")
    open_round(app)
    for number, nip in enumerate(STAFF):
        skp(app, nip, 90.0)
        rate(app, BOSS, nip, "superior", 70 + 4 * number)
    recompute_now(app)
    monkeypatch.setattr(api, "today", lambda: date(2027, 1, 10))
    app.token_settings = settings
    yield app
    app.extensions["kinerja"].client.drop_database(settings.mongo_db)


def call(app, method: str, path: str, who: str, *roles: str, **kwargs):
    headers = token(app.token_settings, who, *roles)
    return app.test_client().open(f"/api/v1{path}", method=method, headers=headers, **kwargs)


def score_path(nip: str = STAFF[0]) -> str:
    return f"/cycles/2026/scores/{nip}"


def decide(app, body: dict, who: str = BOSS, nip: str = STAFF[0]):
    return call(app, "PUT", f"{score_path(nip)}/decision", who, "employee", "supervisor", json=body)


def proposal(app, nip: str = STAFF[0]) -> dict:
    return call(app, "GET", score_path(nip), BOSS, "employee", "supervisor").json


def test_the_supervisor_adopts_and_the_employee_reads_the_decision(app):
    proposed = proposal(app)
    adopted = decide(app, {"kind": "adopted"})
    assert adopted.status_code == 200, adopted.json
    body = adopted.json
    assert body["kind"] == "adopted" and body["current"] is True
    assert body["behaviour_score"] == body["proposed_score"] == proposed["behaviour_score"]
    assert body["dimensions"] == proposed["dimensions"] and body["decided_by"] == BOSS
    own = call(app, "GET", f"{score_path()}/decision", STAFF[0], "employee")
    assert own.status_code == 200 and own.json["kind"] == "adopted"
    assert call(app, "GET", f"{score_path()}/decision", STAFF[1], "employee").status_code == 403
    assert proposal(app)["decision"]["kind"] == "adopted"
    assert (
        call(app, "GET", f"{score_path(STAFF[1])}/decision", BOSS, "supervisor").status_code == 404
    )


def test_only_the_direct_supervisor_decides(app):
    assert decide(app, {"kind": "adopted"}, who=HEAD).status_code == 403
    assert decide(app, {"kind": "adopted"}, who=STAFF[1]).status_code == 403
    employee = call(app, "PUT", f"{score_path()}/decision", STAFF[0], "employee", json={})
    assert employee.status_code == 403


def test_a_departure_beyond_the_uncertainty_needs_a_reason_and_is_kept(app):
    proposed = proposal(app)
    lowered = {aspect: round(value - 15, 2) for aspect, value in proposed["dimensions"].items()}
    refused = decide(app, {"kind": "own_scores", "scores": lowered})
    assert refused.status_code == 422
    assert refused.json["error"]["fields"]["reason"][0].startswith("departure_needs_reason")
    db = app.extensions["kinerja"].db
    assert store.find_decision(db, STAFF[0], "2026") is None

    decided = decide(app, {"kind": "own_scores", "scores": lowered, "reason": REASON})
    assert decided.status_code == 200, decided.json
    body = decided.json
    assert body["kind"] == "own_scores" and body["reason"] == REASON
    assert body["proposed_score"] == proposed["behaviour_score"]
    assert body["departure"] == pytest.approx(-15, abs=0.02)
    assert "behaviour_score" in body["beyond_uncertainty"]

    # audited with both numbers, published without the reason's text
    entry = db["audit"].find_one({"entity": "behaviour_decision"})
    assert entry["actor"] == BOSS and entry["after"]["reason"] == REASON
    assert entry["after"]["proposed_score"] == Decimal(str(proposed["behaviour_score"]))
    event = db["outbox"].find_one({"envelope.type": "appraisal.behaviour.decided"})
    assert event["envelope"]["data"]["kind"] == "own_scores"
    assert event["envelope"]["data"]["with_reason"] is True
    assert "reason" not in event["envelope"]["data"]


def test_aspect_scores_are_checked_by_field(app):
    dims = proposal(app)["dimensions"]
    off_scale = decide(app, {"kind": "own_scores", "scores": {**dims, "integritas": 150}})
    assert off_scale.status_code == 422
    assert "scores.integritas" in str(off_scale.json["error"]["fields"])
    huge = decide(app, {"kind": "own_scores", "scores": {**dims, "integritas": "1E+300"}})
    assert huge.status_code == 422
    missing = dict(dims)
    missing.pop("integritas")
    assert (
        "scores.integritas"
        in decide(app, {"kind": "own_scores", "scores": missing, "reason": REASON}).json["error"][
            "fields"
        ]
    )
    assert decide(app, {"kind": "own_scores"}).status_code == 422
    assert decide(app, {"kind": "maybe"}).status_code == 422


def test_finalization_takes_the_decision_and_locks_it(app):
    proposed = proposal(app)
    raised = {
        aspect: min(100, round(value + 10, 2)) for aspect, value in proposed["dimensions"].items()
    }
    decided = decide(app, {"kind": "own_scores", "scores": raised, "reason": REASON}).json
    # the final score the decision gives, before finalizing: the one finalization locks
    assert decided["final_score"] == pytest.approx(0.6 * 90 + 0.4 * decided["behaviour_score"])
    again = decide(app, {"kind": "own_scores", "scores": raised, "reason": REASON})
    assert again.status_code == 200  # changeable until finalization
    final = call(app, "POST", f"{score_path()}/finalize", BOSS, "employee", "supervisor")
    assert final.status_code == 200, final.json
    assert final.json["behaviour_score"] == decided["behaviour_score"]
    assert final.json["final_score"] == pytest.approx(decided["final_score"])
    late = decide(app, {"kind": "adopted"})
    assert (late.status_code, late.json["error"]["code"]) == (409, "finalized")
    db = app.extensions["kinerja"].db
    assert db["audit"].count_documents({"entity": "behaviour_decision"}) == 2


def test_a_decision_on_a_proposal_that_moved_is_made_again(app):
    decide(app, {"kind": "adopted"})
    rate(app, BOSS, STAFF[0], "superior", 95, revision=2)
    recompute_now(app)
    assert proposal(app)["decision"]["current"] is False
    stale = call(app, "POST", f"{score_path()}/finalize", BOSS, "employee", "supervisor")
    assert (stale.status_code, stale.json["error"]["code"]) == (409, "proposal_changed")
    decide(app, {"kind": "adopted"})
    final = call(app, "POST", f"{score_path()}/finalize", BOSS, "employee", "supervisor")
    assert final.status_code == 200
    assert final.json["behaviour_score"] == proposal(app)["behaviour_score"]


def test_without_a_proposal_there_is_nothing_to_decide(app):
    add_employee(app, "199001012015011001", BOSS, "umpeg")
    skp(app, "199001012015011001", 80.0)
    recompute_now(app)
    answer = decide(app, {"kind": "adopted"}, nip="199001012015011001")
    assert (answer.status_code, answer.json["error"]["code"]) == (409, "no_proposal")


def test_hr_reads_how_each_supervisor_departs(app):
    decide(app, {"kind": "adopted"})
    dims = proposal(app, STAFF[1])["dimensions"]
    lowered = {aspect: round(value - 20, 2) for aspect, value in dims.items()}
    decide(app, {"kind": "own_scores", "scores": lowered, "reason": REASON}, nip=STAFF[1])
    report = call(app, "GET", "/cycles/2026/supervisor-decisions", "hr-1", "hr")
    assert report.status_code == 200
    (row,) = report.json["supervisors"]
    assert (row["supervisor"], row["decisions"], row["adopted"], row["own_scores"]) == (
        BOSS,
        2,
        1,
        1,
    )
    assert (row["lowered"], row["raised"], row["beyond_uncertainty"]) == (1, 0, 1)
    assert row["largest_change"] == pytest.approx(-20, abs=0.02)
    assert (
        call(app, "GET", "/cycles/2026/supervisor-decisions", BOSS, "supervisor").status_code == 403
    )


def test_an_objection_decision_is_bounded_by_the_scale(app):
    call(app, "POST", f"{score_path()}/finalize", BOSS, "employee", "supervisor")
    reason = "Nilai perilaku tidak mencerminkan kerja saya selama setahun."
    call(app, "POST", f"{score_path()}/objection", STAFF[0], "employee", json={"reason": reason})
    why = "Bukti kinerja tambahan diterima dan diverifikasi oleh atasan."
    for bad in ("1E+300", -50, 100.5):
        answer = call(
            app,
            "POST",
            f"{score_path()}/objection/decision",
            HEAD,
            "employee",
            "supervisor",
            json={"final_score": bad, "reason": why},
        )
        assert answer.status_code == 422 and "final_score" in answer.json["error"]["fields"]
    db = app.extensions["kinerja"].db
    assert "outcome" not in store.find_final(db, STAFF[0], "2026").objection
    ok = call(
        app,
        "POST",
        f"{score_path()}/objection/decision",
        HEAD,
        "employee",
        "supervisor",
        json={"final_score": 100, "reason": why},
    )
    assert ok.status_code == 200


def test_a_stored_out_of_range_score_does_not_break_the_calibration(app):
    call(app, "POST", f"{score_path()}/finalize", BOSS, "employee", "supervisor")
    db = app.extensions["kinerja"].db
    # as the tester's objection decisions left it before the scale was enforced
    db["final_scores"].update_one(
        {"_id": f"{STAFF[0]}:2026"}, {"$set": {"final_score": Decimal("1E+300")}}
    )
    answer = call(app, "GET", "/units/umpeg/cycles/2026/distribution", "hr-1", "hr")
    assert answer.status_code == 200
    assert sum(b["count"] for b in answer.json["histogram"]) == len(STAFF)


def test_an_objection_whose_supervisor_has_no_superior_is_decided_by_hr(app):
    """Routing, not a stuck state: BOSS's supervisor HEAD is at the top of the chain, so HR
    decides BOSS's objection in the superior's place (recorded as such); where a superior
    exists (STAFF's, HEAD) HR may not take the decision from them."""
    skp(app, BOSS, 90.0)
    rate(app, HEAD, BOSS, "superior", 80)
    recompute_now(app)
    assert call(app, "POST", f"{score_path(BOSS)}/finalize", HEAD, "supervisor").status_code == 200
    reason = "Nilai perilaku tidak mencerminkan kerja saya selama setahun."
    filed = call(
        app, "POST", f"{score_path(BOSS)}/objection", BOSS, "employee", json={"reason": reason}
    )
    assert filed.status_code == 200, filed.json
    why = "Bukti kinerja tambahan diterima dan diverifikasi oleh bagian kepegawaian."
    body = {"final_score": 88, "reason": why}
    path = f"{score_path(BOSS)}/objection/decision"
    assert call(app, "POST", path, HEAD, "supervisor", json=body).status_code == 403
    decided = call(app, "POST", path, "hr-1", "hr", json=body)
    assert decided.status_code == 200, decided.json
    objection = decided.json["objection"]
    assert objection["decided_by"] == "hr-1" and objection["in_place_of_superior"] is True
    assert decided.json["final_score"] == pytest.approx(88)

    call(app, "POST", f"{score_path()}/finalize", BOSS, "employee", "supervisor")
    call(app, "POST", f"{score_path()}/objection", STAFF[0], "employee", json={"reason": reason})
    refused = call(app, "POST", f"{score_path()}/objection/decision", "hr-1", "hr", json=body)
    assert refused.status_code == 403
