"""The provisional final score from the SKP score and the cycle's 360 ratings, as the
events bring them, with the breakdown only for the supervisor and HR."""

from __future__ import annotations

from datetime import date

import pytest

from kinerja import directory_replica
from kinerja.config import Settings
from services.appraisal import api, handlers
from services.appraisal.app import create_app
from tests.integration.services.appraisal.support import DIMENSIONS, apply, rate, recompute_now
from tests.support import AT_ONCE, at_once, bus_env, token

BOSS = "197001012000031002"
STAFF = ["198001012005012002", "198102022006011003", "198203032007012004", "198304042008011005"]


@pytest.fixture
def app(mongo_url, namespace):
    settings = Settings.from_env("appraisal", bus_env(mongo_url, "memory://", namespace))
    app = create_app(settings)
    for nip, supervisor in [(BOSS, None)] + [(s, BOSS) for s in STAFF]:
        apply(
            app,
            directory_replica.apply_employee,
            "gateway.employee.upserted",
            {
                "nip": nip,
                "name": "P",
                "unit_id": "umpeg",
                "supervisor_nip": supervisor,
                "active": True,
                "version": 1,
            },
        )
    apply(
        app,
        handlers.record_round,
        "feedback.round.opened",
        {"round_id": "r1", "cycle": "2026", "framework_id": "pp46", "status": "open"},
    )
    apply(
        app,
        handlers.record_skp_score,
        "targets.score.updated",
        {"nip": STAFF[0], "cycle": "2026", "skp_score": 92.0, "complete": True},
    )
    app.settings_for_tokens = settings
    yield app
    app.extensions["kinerja"].client.drop_database(settings.mongo_db)


def view(app, viewer: str, *roles: str) -> dict:
    recompute_now(app)
    headers = token(app.settings_for_tokens, viewer, *(roles or ("employee",)))
    answer = app.test_client().get(f"/api/v1/cycles/2026/scores/{STAFF[0]}", headers=headers)
    return answer.status_code, answer.json


def test_skp_and_behaviour_make_the_final_score_and_predicate(app):
    rate(app, BOSS, STAFF[0], "superior", 80)
    status, score = view(app, BOSS, "employee", "supervisor")
    assert status == 200
    assert score["behaviour_score"] == pytest.approx(80)
    assert score["final_score"] == pytest.approx(0.6 * 92 + 0.4 * 80)
    assert score["predicate"] == "Baik"
    assert "few_raters" in score["flags"]


def test_a_small_peer_group_shows_its_size_but_never_its_means(app):
    rate(app, BOSS, STAFF[0], "superior", 80)
    rate(app, STAFF[1], STAFF[0], "peer", 40)
    rate(app, STAFF[2], STAFF[0], "peer", 90)
    # peers' ratings count once their round has closed (domain.publishable)
    round_closed = {"round_id": "r1", "cycle": "2026", "framework_id": "pp46", "status": "closed"}
    apply(app, handlers.record_round, "feedback.round.closed", round_closed)
    status, score = view(app, BOSS, "employee", "supervisor")
    peers = score["groups"]["peer"]
    assert (peers["raters"], peers["counted"], peers["mean_raw"]) == (2, False, None)
    assert score["behaviour_score"] == pytest.approx(80)  # peers do not count below three
    # the real shares: the superior's mean is the whole score, the hidden peers' no part
    assert (score["groups"]["superior"]["effective_weight"], peers["effective_weight"]) == (1, 0)


def test_the_employee_sees_the_scores_and_a_colleague_sees_nothing(app):
    rate(app, BOSS, STAFF[0], "superior", 80)
    status, mine = view(app, STAFF[0])
    assert status == 200 and mine["predicate"] == "Baik"
    assert mine["groups"] == {} and mine["flags"] == []
    assert view(app, STAFF[1])[0] == 403


def test_without_ratings_there_is_an_skp_score_but_no_final_yet(app):
    status, score = view(app, "hr-1", "hr")
    assert (score["skp_score"], score["behaviour_score"], score["final_score"]) == (92, None, None)


HEAD = "196505051990031001"


@pytest.fixture
def with_head(app, monkeypatch):
    """BOSS reports to HEAD, the atasan pejabat penilai who decides objections."""
    apply(
        app,
        directory_replica.apply_employee,
        "gateway.employee.upserted",
        {
            "nip": HEAD,
            "name": "H",
            "unit_id": "umpeg",
            "supervisor_nip": None,
            "active": True,
            "version": 1,
        },
    )
    apply(
        app,
        directory_replica.apply_employee,
        "gateway.employee.upserted",
        {
            "nip": BOSS,
            "name": "B",
            "unit_id": "umpeg",
            "supervisor_nip": HEAD,
            "active": True,
            "version": 2,
        },
    )
    days = {"today": date(2027, 1, 10)}
    monkeypatch.setattr(api, "today", lambda: days["today"])
    return days


def post(app, path: str, viewer: str, *roles: str, body: dict | None = None):
    recompute_now(app)
    headers = token(app.settings_for_tokens, viewer, *roles)
    return app.test_client().post(
        f"/api/v1/cycles/2026/scores/{STAFF[0]}{path}", json=body, headers=headers
    )


def test_finalize_locks_and_an_objection_is_decided_by_the_superiors_superior(app, with_head):
    rate(app, BOSS, STAFF[0], "superior", 80)
    assert post(app, "/finalize", STAFF[1], "employee", "supervisor").status_code == 403
    locked = post(app, "/finalize", BOSS, "employee", "supervisor")
    assert (locked.status_code, locked.json["predicate"]) == (200, "Baik")
    again = post(app, "/finalize", BOSS, "employee", "supervisor")
    assert (again.status_code, again.json["error"]["code"]) == (409, "finalized")
    rate(app, BOSS, STAFF[0], "superior", 40, revision=2)  # a later rating changes nothing
    assert view(app, BOSS, "employee", "supervisor")[1]["final_score"] == pytest.approx(87.2)

    too_short = post(app, "/objection", STAFF[0], "employee", body={"reason": "tidak adil"})
    assert too_short.status_code == 422
    reason = "Nilai perilaku tidak mencerminkan kerja saya selama setahun."
    filed = post(app, "/objection", STAFF[0], "employee", body={"reason": reason})
    assert filed.json["objection"]["reason"] == reason
    decision = {"final_score": 91, "reason": "Bukti kinerja tambahan diterima dan diverifikasi."}
    assert (
        post(app, "/objection/decision", BOSS, "employee", "supervisor", body=decision).status_code
        == 403
    )  # not the supervisor: their superior
    decided = post(app, "/objection/decision", HEAD, "employee", "supervisor", body=decision)
    assert (decided.json["final_score"], decided.json["predicate"]) == (91, "Sangat Baik")
    assert decided.json["objection"]["outcome"] == "changed"
    assert (
        post(app, "/objection/decision", HEAD, "employee", "supervisor", body=decision).status_code
        == 409
    )  # the decision is final
    with_head["today"] = date(2027, 2, 1)
    db = app.extensions["kinerja"].db
    assert db["audit"].count_documents({"entity_id": f"{STAFF[0]}:2026"}) == 4
    # finalizing without a decision adopted the proposal: recorded as the supervisor's
    assert db["audit"].count_documents({"entity": "behaviour_decision"}) == 1
    published = [d["envelope"]["type"] for d in db["outbox"].find()]
    assert published == [
        "appraisal.behaviour.decided",
        "appraisal.score.finalized",
        "appraisal.objection.decided",
    ]


def test_an_objection_after_14_days_is_refused(app, with_head):
    rate(app, BOSS, STAFF[0], "superior", 80)
    post(app, "/finalize", BOSS, "employee", "supervisor")
    with_head["today"] = date(2027, 1, 25)
    late = post(
        app,
        "/objection",
        STAFF[0],
        "employee",
        body={"reason": "Nilai perilaku tidak mencerminkan kerja saya selama setahun."},
    )
    assert (late.status_code, late.json["error"]["code"]) == (409, "objection_too_late")


def test_an_older_skp_score_or_a_late_opening_changes_nothing(app):
    """Events of one SKP or round may arrive out of order with competing consumers."""
    for revision, score in ((7, 95.0), (6, 40.0)):  # the newer one first
        apply(
            app,
            handlers.record_skp_score,
            "targets.score.updated",
            {
                "nip": STAFF[1],
                "cycle": "2026",
                "skp_score": score,
                "complete": True,
                "revision": revision,
            },
        )
    rate(app, BOSS, STAFF[1], "superior", 80)
    status, score = view_of(app, STAFF[1])
    assert score["skp_score"] == 95.0
    round_event = {"round_id": "r1", "cycle": "2026", "framework_id": "pp46"}
    apply(app, handlers.record_round, "feedback.round.closed", {**round_event, "status": "closed"})
    apply(app, handlers.record_round, "feedback.round.opened", {**round_event, "status": "open"})
    db = app.extensions["kinerja"].db
    assert db["rounds"].find_one({"_id": "r1"})["status"] == "closed"


def view_of(app, nip: str):
    recompute_now(app)
    headers = token(app.settings_for_tokens, "hr-1", "hr")
    answer = app.test_client().get(f"/api/v1/cycles/2026/scores/{nip}", headers=headers)
    return answer.status_code, answer.json


def test_only_a_rating_that_can_move_a_score_costs_a_recompute(app):
    """An anonymous rating in an open round waits for the close, so it leaves the cycle's
    scores as they are; the superior's counts at once, and so does the close."""
    recompute_now(app)
    cycles = app.extensions["kinerja"].db["cycles"]

    def dirty() -> bool:
        return cycles.find_one({"_id": "2026"})["dirty"]

    for peer in STAFF[1:]:
        rate(app, peer, STAFF[0], "peer", 70)
    assert not dirty()
    rate(app, BOSS, STAFF[0], "superior", 80)
    assert dirty()
    recompute_now(app)
    closed = {"round_id": "r1", "cycle": "2026", "framework_id": "pp46", "status": "closed"}
    apply(app, handlers.record_round, "feedback.round.closed", closed)
    assert dirty()
    status, score = view(app, BOSS, "employee", "supervisor")
    assert score["groups"]["peer"]["raters"] == 3  # all three, now the round has closed


def test_a_recompute_rewrites_only_the_scores_that_changed(app):
    """Each stored score carries a digest of its content; an unchanged score is left as it
    is, a changed one (or one without a digest) is rewritten."""
    for n, nip in enumerate(STAFF):  # varied, or the superior is screened as a straight-liner
        rate(app, BOSS, nip, "superior", {d: 70 + n + 2 * k for k, d in enumerate(DIMENSIONS)})
    recompute_now(app)
    scores = app.extensions["kinerja"].db["scores"]
    # a field the recompute never writes: it survives exactly where no rewrite happened
    scores.update_many({"cycle": "2026"}, {"$set": {"untouched": True}})
    scores.update_one({"_id": f"{STAFF[3]}:2026"}, {"$unset": {"digest": ""}})
    apply(
        app,
        handlers.record_skp_score,
        "targets.score.updated",
        {"nip": STAFF[1], "cycle": "2026", "skp_score": 70.0, "complete": True},
    )
    recompute_now(app)
    untouched = {d["nip"] for d in scores.find({"cycle": "2026", "untouched": True})}
    assert untouched == {STAFF[0], STAFF[2]}
    scores.update_many({}, {"$unset": {"untouched": ""}})
    status, score = view_of(app, STAFF[1])
    assert status == 200
    assert score["skp_score"] == 70.0
    assert score["final_score"] == pytest.approx(0.6 * 70 + 0.4 * score["behaviour_score"])
    assert "digest" not in score


def provisional_skp(app, nip: str, score: float | None, revision: int = 5) -> None:
    """The targets service's score during the year: pro-rated to a date, not complete."""
    apply(
        app,
        handlers.record_skp_score,
        "targets.score.updated",
        {
            "nip": nip,
            "cycle": "2026",
            "skp_score": score,
            "complete": False,
            "provisional": True,
            "prorated": True,
            "as_of": "2026-06-30",
            "revision": revision,
        },
    )


def test_a_pro_rated_skp_gives_a_provisional_figure_without_final_or_predicate(app):
    provisional_skp(app, STAFF[0], 92.0)
    rate(app, BOSS, STAFF[0], "superior", 80)
    status, score = view(app, BOSS, "employee", "supervisor")
    assert score["skp_prorated_to"] == "2026-06-30"
    assert score["provisional_final_score"] == pytest.approx(0.6 * 92 + 0.4 * 80)
    assert (score["final_score"], score["predicate"]) == (None, None)
    refused = app.test_client().post(
        f"/api/v1/cycles/2026/scores/{STAFF[0]}/finalize",
        headers=token(app.settings_for_tokens, BOSS, "employee", "supervisor"),
    )
    assert (refused.status_code, refused.json["error"]["code"]) == (409, "incomplete")
    assert "skp_score" in refused.json["error"]["fields"]


def test_an_skp_not_yet_assessable_is_no_0_in_the_final_score(app):
    # the tester's case: the unit's head without realization read 33.56 "Buruk"
    provisional_skp(app, STAFF[0], None)
    rate(app, BOSS, STAFF[0], "superior", 84)
    status, score = view(app, "hr-1", "hr")
    assert (score["skp_score"], score["behaviour_score"]) == (None, pytest.approx(84))
    assert score["final_score"] is None and score["provisional_final_score"] is None
    assert score["predicate"] is None
    assert "skp_not_assessable" in score["flags"]


def test_twenty_finalizations_at_once_lock_once_and_publish_once(app, with_head):
    """As one after another: the first locks the appraisal, the rest are told it is."""
    rate(app, BOSS, STAFF[0], "superior", 80)
    recompute_now(app)
    url = f"/api/v1/cycles/2026/scores/{STAFF[0]}/finalize"
    headers = token(app.settings_for_tokens, BOSS, "employee", "supervisor")
    answers = at_once(app, "POST", url, headers)
    codes = sorted(answer.status_code for answer in answers)
    assert codes == [200] + [409] * (AT_ONCE - 1), codes
    assert {a.json["error"]["code"] for a in answers if a.status_code == 409} == {"finalized"}
    db = app.extensions["kinerja"].db
    assert db["outbox"].count_documents({"envelope.type": "appraisal.score.finalized"}) == 1


def withdraw(app, rater: str, ratee: str, revision: int) -> None:
    apply(
        app,
        handlers.forget_response,
        "feedback.response.withdrawn",
        {
            "response_id": f"{rater}-{ratee}",
            "round_id": "r1",
            "rater_id": rater,
            "ratee_id": ratee,
            "rater_group": "superior",
            "scores": dict.fromkeys(DIMENSIONS, 80),
            "revision": revision,
        },
    )


def test_a_withdrawal_is_not_undone_by_an_older_submission_arriving_later(app):
    """Competing consumers may deliver a withdrawal before the submission it withdraws,
    or an older revision after it: neither stores the rating; a newer answer still does."""
    held = app.extensions["kinerja"].db["ratings"]
    withdraw(app, BOSS, STAFF[0], revision=3)  # before its submission arrived
    rate(app, BOSS, STAFF[0], "superior", 80, revision=1)
    rate(app, BOSS, STAFF[0], "superior", 85, revision=2)
    assert held.count_documents({"ratee_id": STAFF[0]}) == 0
    rate(app, BOSS, STAFF[0], "superior", 90, revision=4)  # answered again, later
    assert held.find_one({"ratee_id": STAFF[0]})["revision"] == 4
    rate(app, BOSS, STAFF[1], "superior", 70, revision=1)
    withdraw(app, BOSS, STAFF[1], revision=2)
    rate(app, BOSS, STAFF[1], "superior", 70, revision=1)  # redelivered late, by another id
    assert held.count_documents({"ratee_id": STAFF[1]}) == 0
