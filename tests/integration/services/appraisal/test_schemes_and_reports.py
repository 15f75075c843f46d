"""HR's weighting schemes (preview, save, versions, audit), the recompute that follows,
and the reports read from the stored scores, against a real MongoDB-compatible server."""

from __future__ import annotations

import csv
import io
import random
import threading
from dataclasses import asdict
from decimal import Decimal
from types import SimpleNamespace

import pytest

from kinerja.config import Settings
from services.appraisal import recompute, store
from services.appraisal.app import create_app
from tests.integration.services.appraisal.support import (
    DIMENSIONS,
    add_employee,
    open_round,
    rate,
    recompute_now,
    skp,
)
from tests.support import bus_env, token, wait_for

HEAD = "196001011985031001"
UNITS = {
    "umpeg": ("197001012000031002", [f"1980010120050120{n:02d}" for n in range(1, 5)]),
    "keu": ("197101012000031003", [f"1981010120050120{n:02d}" for n in range(1, 5)]),
}
EVERYONE = [HEAD] + [nip for boss, staff in UNITS.values() for nip in (boss, *staff)]
UMPEG_BOSS, UMPEG_STAFF = UNITS["umpeg"]
KEU_BOSS, KEU_STAFF = UNITS["keu"]


def inputs() -> list[tuple]:
    """The cycle's events as (function, args): directory, round, SKP scores, responses.

    Each staff member is rated by their head, the three other staff of the unit (peers)
    and themselves; heads by their staff (subordinates) and the head of the office.
    """
    rng = random.Random(7)
    steps = [(add_employee, (HEAD, None, "kantor"), {"position_kind": "structural"})]
    for unit, (boss, staff) in UNITS.items():
        steps.append((add_employee, (boss, HEAD, unit), {"position_kind": "structural"}))
        steps += [(add_employee, (nip, boss, unit), {}) for nip in staff]
    steps.append((open_round, (), {}))
    for nip in EVERYONE:
        steps.append((skp, (nip, round(rng.uniform(75, 100), 2)), {}))
    for boss, staff in UNITS.values():
        for ratee in staff:
            steps.append((rate, (boss, ratee, "superior", _scores(rng)), {}))
            steps.append((rate, (ratee, ratee, "self", _scores(rng, 8)), {}))
            steps += [
                (rate, (peer, ratee, "peer", _scores(rng)), {}) for peer in staff if peer != ratee
            ]
        steps.append((rate, (HEAD, boss, "superior", _scores(rng)), {}))
        steps += [(rate, (s, boss, "subordinate", _scores(rng)), {}) for s in staff]
    return steps


def _scores(rng: random.Random, lift: float = 0.0) -> dict[str, int]:
    return {d: min(100, round(rng.uniform(60, 92) + lift)) for d in DIMENSIONS}


def make_app(mongo_url: str, namespace: str):
    settings = Settings.from_env("appraisal", bus_env(mongo_url, "memory://", namespace))
    app = create_app(settings)
    app.token_settings = settings
    return app


def feed(app, steps) -> None:
    for function, args, kwargs in steps:
        function(app, *args, **kwargs)


@pytest.fixture
def app(mongo_url, namespace):
    app = make_app(mongo_url, namespace)
    feed(app, inputs())
    recompute_now(app)
    yield app
    app.extensions["kinerja"].client.drop_database(app.token_settings.mongo_db)


def call(app, method: str, path: str, who: str = "hr-1", *roles: str, **kwargs):
    headers = token(app.token_settings, who, *(roles or ("hr",)))
    return app.test_client().open(f"/api/v1{path}", method=method, headers=headers, **kwargs)


SUPERIOR_ONLY = {
    "version": 0,
    "name": "Keuangan: atasan saja",
    "weights": {"superior": 1.0},
    "bias_correction": False,
    "unit_ids": ["keu"],
}


def scores_by_nip(app) -> dict[str, dict]:
    return {s["nip"]: s for s in call(app, "GET", "/cycles/2026/scores").json}


def test_the_preview_shows_the_moves_and_saving_applies_exactly_them(app):
    before = scores_by_nip(app)
    preview = call(app, "POST", "/schemes/keuangan/preview?cycle=2026", json=SUPERIOR_ONLY)
    assert preview.status_code == 200, preview.json
    moved = {m["nip"]: m for m in preview.json["moves"]}
    assert set(moved) == {KEU_BOSS, *KEU_STAFF}  # the other unit is untouched
    assert preview.json["summary"]["predicates_changed"] == sum(
        1 for m in moved.values() if m["predicate_before"] != m["predicate_after"]
    )
    weights = preview.json["effective_weights"]
    assert weights.pop("superior") == 1.0 and set(weights.values()) == {0.0}
    assert scores_by_nip(app) == before  # a preview saves nothing
    assert [s["id"] for s in call(app, "GET", "/schemes").json] == ["default"]

    saved = call(app, "PUT", "/schemes/keuangan", json=SUPERIOR_ONLY)
    assert (saved.status_code, saved.json["ref"]) == (200, "keuangan@v1"), saved.json
    assert scores_by_nip(app)[KEU_STAFF[0]]["pending"] is True  # until the job has run
    recompute_now(app)
    after = scores_by_nip(app)
    for nip in KEU_STAFF:
        score = after[nip]
        assert score["scheme"] == "keuangan@v1" and score["skp_share"] == 0.6
        assert score["groups"]["superior"]["weight"] == 1.0
        assert score["final_score"] == pytest.approx(moved[nip]["final_after"])
        expected = 0.6 * score["skp_score"] + 0.4 * score["behaviour_score"]
        assert score["final_score"] == pytest.approx(expected)
    assert {n: after[n] for n in (UMPEG_BOSS, *UMPEG_STAFF)} == {
        n: {**before[n], "computed_at": after[n]["computed_at"]} for n in (UMPEG_BOSS, *UMPEG_STAFF)
    }


def test_a_recompute_after_a_scheme_change_equals_a_recompute_from_scratch(
    app, mongo_url, namespace
):
    assert call(app, "PUT", "/schemes/keuangan", json=SUPERIOR_ONLY).status_code == 200
    changed_default = {
        "version": 0,
        "name": "Bawaan 2027",
        "weights": {"superior": 0.4, "peer": 0.4, "subordinate": 0.2},
        "min_raters": {"peer": 3, "subordinate": 4},
    }
    assert call(app, "PUT", "/schemes/default", json=changed_default).status_code == 200
    recompute_now(app)

    fresh = make_app(mongo_url, namespace + "-fresh")
    try:
        # the schemes first, then the same inputs in another order, one recompute
        assert call(fresh, "PUT", "/schemes/default", json=changed_default).status_code == 200
        assert call(fresh, "PUT", "/schemes/keuangan", json=SUPERIOR_ONLY).status_code == 200
        steps = inputs()
        directory, rest = steps[:11], steps[11:]
        random.Random(3).shuffle(rest)
        feed(fresh, directory + rest)
        recompute_now(fresh)

        def stored(a) -> list[dict]:
            return [asdict(s) for s in store.scores_of(a.extensions["kinerja"].db, "2026")]

        assert len(stored(app)) == len(EVERYONE)
        assert stored(fresh) == stored(app)
    finally:
        fresh.extensions["kinerja"].client.drop_database(fresh.token_settings.mongo_db)


def test_scheme_rules_name_the_field_and_nothing_is_saved(app):
    bad = call(app, "PUT", "/schemes/default", json=SUPERIOR_ONLY)
    assert bad.status_code == 422 and set(bad.json["error"]["fields"]) == {"unit_ids"}
    self_weight = {**SUPERIOR_ONLY, "weights": {"superior": 0.5, "self": 0.5}}
    answer = call(app, "PUT", "/schemes/keuangan", json=self_weight)
    assert answer.status_code == 422 and "weights.self" in answer.json["error"]["fields"]
    two_peers = {**SUPERIOR_ONLY, "min_raters": {"peer": 2}}
    answer = call(app, "PUT", "/schemes/keuangan", json=two_peers)
    assert answer.status_code == 422 and "min_raters.peer" in answer.json["error"]["fields"]
    for share in (1.5, 0.7):  # PP 46/2011 fixes it at 0.6: not an edit HR makes
        answer = call(app, "PUT", "/schemes/keuangan", json={**SUPERIOR_ONLY, "skp_share": share})
        assert answer.status_code == 422 and set(answer.json["error"]["fields"]) == {"skp_share"}
    no_superior = {**SUPERIOR_ONLY, "weights": {"superior": 0, "peer": 0.5, "subordinate": 0.5}}
    answer = call(app, "PUT", "/schemes/keuangan", json=no_superior)
    assert answer.status_code == 422
    assert set(answer.json["error"]["fields"]) == {"weights.superior"}
    assert (
        call(app, "PUT", "/schemes/keuangan", "e1", "employee", json=SUPERIOR_ONLY).status_code
        == 403
    )
    db = app.extensions["kinerja"].db
    assert store.schemes(db) == [] and db["audit"].count_documents({}) == 0


def test_versions_are_kept_audited_and_a_stale_edit_is_refused(app):
    assert call(app, "PUT", "/schemes/keuangan", json=SUPERIOR_ONLY).status_code == 200
    renamed = {**SUPERIOR_ONLY, "name": "Keuangan: atasan saja (2)"}
    stale = call(app, "PUT", "/schemes/keuangan", json=renamed)
    assert (stale.status_code, stale.json["error"]["code"]) == (409, "stale_version")
    second = call(app, "PUT", "/schemes/keuangan", json={**renamed, "version": 1})
    assert second.json["version"] == 2
    overlap = call(app, "PUT", "/schemes/other", json={**SUPERIOR_ONLY, "name": "Lain"})
    assert (overlap.status_code, overlap.json["error"]["code"]) == (409, "scheme_overlap")
    history = call(app, "GET", "/schemes/keuangan/versions").json
    assert [(v["version"], v["name"]) for v in history] == [
        (2, renamed["name"]),
        (1, SUPERIOR_ONLY["name"]),
    ]
    db = app.extensions["kinerja"].db
    entries = list(db["audit"].find({"entity": "weighting_scheme"}).sort("at", 1))
    assert [e["action"] for e in entries] == ["scheme.saved", "scheme.saved"]
    assert entries[1]["before"]["name"] == SUPERIOR_ONLY["name"]
    assert entries[1]["after"]["skp_share"] == Decimal("0.6")
    assert entries[1]["actor"] == "hr-1"

    assert call(app, "DELETE", "/schemes/keuangan?version=1").status_code == 409
    assert call(app, "DELETE", "/schemes/keuangan?version=2").status_code == 204
    recompute_now(app)
    assert scores_by_nip(app)[KEU_STAFF[0]]["scheme"] == "default@v0"
    assert call(app, "DELETE", "/schemes/default?version=1").status_code == 409

    # each change is announced, so the feedback service's results keep HR's floors
    announced = [
        d["envelope"]["data"]
        for d in db["outbox"]
        .find({"envelope.type": "appraisal.scheme.changed"})
        .sort("created_at", 1)
    ]
    assert [(a["id"], a["version"], a["retired"]) for a in announced] == [
        ("keuangan", 1, False),
        ("keuangan", 2, False),
        ("keuangan", 2, True),
    ]
    assert announced[0]["min_raters"]["peer"] >= 3
    assert announced[0]["unit_ids"] == SUPERIOR_ONLY["unit_ids"]


def test_the_employee_report_waits_for_the_round_to_close_and_hides_small_groups(app):
    ratee = UMPEG_STAFF[0]
    early = call(app, "GET", f"/cycles/2026/scores/{ratee}/report", ratee, "employee")
    assert (early.status_code, early.json["error"]["code"]) == (409, "round_open")
    open_round(app, status="closed")
    recompute_now(app)
    report = call(app, "GET", f"/cycles/2026/scores/{ratee}/report", ratee, "employee")
    assert report.status_code == 200, report.json
    body = report.json
    assert set(body["groups"]) == {"superior", "peer"}  # three peers: at the threshold
    assert set(body["self"]) == set(DIMENSIONS) == set(body["others"])
    for dimension in DIMENSIONS:
        assert body["self_gap"][dimension] == pytest.approx(
            body["self"][dimension] - body["others"][dimension], abs=0.011
        )
    assert len(body["strengths"]) == 2
    assert all(body["self_gap"][d] >= 5 for d in body["blind_spots"])
    colleague = call(app, "GET", f"/cycles/2026/scores/{ratee}/report", UMPEG_STAFF[1], "employee")
    assert colleague.status_code == 403
    # a head with four subordinates: shown; a second round is still open: nothing shown
    boss = call(app, "GET", f"/cycles/2026/scores/{UMPEG_BOSS}/report", UMPEG_BOSS, "employee")
    assert set(boss.json["groups"]) == {"superior", "subordinate"}
    open_round(app, round_id="r2")
    again = call(app, "GET", f"/cycles/2026/scores/{ratee}/report", ratee, "employee")
    assert again.status_code == 409


def test_unit_distribution_export_and_cycle_reliability(app):
    dist = call(app, "GET", "/units/umpeg/cycles/2026/distribution").json
    assert dist["employees"] == 5 and dist["scored"] == 5
    assert sum(dist["predicates"].values()) == 5
    assert sum(b["count"] for b in dist["histogram"]) == 5
    assert {m["nip"] for m in dist["members"]} == {UMPEG_BOSS, *UMPEG_STAFF}
    head = call(app, "GET", "/units/umpeg/cycles/2026/distribution", UMPEG_BOSS, "supervisor")
    assert head.status_code == 200
    other = call(app, "GET", "/units/keu/cycles/2026/distribution", UMPEG_BOSS, "supervisor")
    assert other.status_code == 403

    export = call(app, "GET", "/cycles/2026/export.csv")
    assert export.status_code == 200 and export.mimetype == "text/csv"
    rows = list(csv.DictReader(io.StringIO(export.get_data(as_text=True))))
    scores = scores_by_nip(app)
    assert {r["nip"] for r in rows} == set(EVERYONE)
    for row in rows:
        final = scores[row["nip"]]["final_score"]
        if final is None:  # the head of the office: an SKP score, nobody to rate them
            assert row["final_score"] == row["predicate"] == ""
            continue
        assert float(row["final_score"]) == pytest.approx(final, abs=0.005)
        assert row["predicate"] == scores[row["nip"]]["predicate"]
    assert call(app, "GET", "/cycles/2026/export.csv", UMPEG_BOSS, "supervisor").status_code == 403

    figures = call(app, "GET", "/cycles/2026/reliability").json
    assert figures["ratees"] == len(EVERYONE) - 1  # the head of the office has no raters
    assert -1 <= figures["icc1_raw"] <= 1 and figures["alpha_raw"] <= 1
    assert figures["predicates_changed"] >= 0 and 0 <= figures["leniency_share"] <= 1


def test_a_supervisor_lists_only_their_reports_scores(app):
    mine = call(app, "GET", "/cycles/2026/scores", UMPEG_BOSS, "supervisor").json
    assert {s["nip"] for s in mine} == set(UMPEG_STAFF)
    assert call(app, "GET", "/cycles/2026/scores", UMPEG_STAFF[0], "employee").status_code == 403


def test_the_worker_job_keeps_scores_current_and_one_replica_recomputes_at_a_time(app):
    db = app.extensions["kinerja"].db
    stop = threading.Event()
    replicas = [
        threading.Thread(target=recompute.run, args=(SimpleNamespace(db=db), stop))
        for _ in range(2)
    ]
    for replica in replicas:
        replica.start()
    try:
        ratee = UMPEG_STAFF[0]
        before = store.find_score(db, ratee, "2026").behaviour_score
        rate(app, UMPEG_BOSS, ratee, "superior", 40, revision=2)
        wait_for(
            lambda: (
                store.find_score(db, ratee, "2026").behaviour_score < before
                and not store.cycle_state(db, "2026")["dirty"]
            ),
            message="the lower superior rating in the stored score",
        )
        assert db["leases"].count_documents({"_id": "appraisal-recompute"}) == 1
    finally:
        stop.set()
        for replica in replicas:
            replica.join(timeout=10)


def test_re_creating_a_retired_scheme_is_refused_by_name(mongo_url, namespace):
    """A retired scheme's versions stay the record of the scores computed with them, so
    its id is not reused: a 409 naming the id, not a duplicate key's 500."""
    app = make_app(mongo_url, namespace)
    try:
        assert call(app, "PUT", "/schemes/keuangan", json=SUPERIOR_ONLY).status_code == 200
        assert call(app, "DELETE", "/schemes/keuangan?version=1").status_code == 204
        again = call(app, "PUT", "/schemes/keuangan", json=SUPERIOR_ONLY)
        assert (again.status_code, again.json["error"]["code"]) == (409, "retired_id")
        assert "id" in again.json["error"]["fields"]
        other = call(app, "PUT", "/schemes/keuangan-baru", json=SUPERIOR_ONLY)
        assert other.status_code == 200, other.json
    finally:
        app.extensions["kinerja"].client.drop_database(app.token_settings.mongo_db)
