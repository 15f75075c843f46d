"""The employee's results page shows the supervisor's decision on the behaviour proposal,
against the real appraisal service: awaiting it, adopted, or the supervisor's own scores
beside the proposal with the reason, who decided and when; no rater's data."""

from __future__ import annotations

from datetime import date

import pytest
from flask_babel import force_locale

from gateway.ui.formatting import amount, day
from kinerja.config import Settings
from services.appraisal import api as appraisal_api
from services.appraisal.app import create_app as create_appraisal
from tests.integration.gateway.conftest import BOSS, STAFF, ui_session
from tests.integration.gateway.test_ui_employee import text
from tests.integration.services.appraisal.support import (
    add_employee,
    open_round,
    rate,
    recompute_now,
    skp,
)
from tests.support import bus_env, serve, token

CYCLE = "2026"  # the support's cycle
PAGE = f"/results?cycle={CYCLE}"
SCORE = f"/api/v1/cycles/{CYCLE}/scores/{STAFF}"
REASON = "Kepanitiaan pengadaan tiga bulan tidak terlihat oleh rekan kerja."
RATED = {
    "orientasi_pelayanan": 80,
    "integritas": 74,
    "komitmen": 78,
    "disiplin": 70,
    "kerja_sama": 76,
}


@pytest.fixture
def appraisal(mongo_url, namespace):
    """The appraisal service on a port of its own: Dewi's SKP score and Budi's rating of her
    in an open round, her behaviour proposal computed."""
    settings = Settings.from_env("appraisal", bus_env(mongo_url, "memory://", namespace))
    app = create_appraisal(settings)
    add_employee(app, BOSS, None, "umpeg", name="Budi Santoso", position_kind="structural")
    add_employee(app, STAFF, BOSS, "umpeg", name="Dewi Lestari")
    open_round(app)
    skp(app, STAFF, 90.0)
    rate(app, BOSS, STAFF, "superior", RATED)
    recompute_now(app)
    app.boss = token(settings, BOSS, "employee", "supervisor")
    with serve(app) as url:
        app.url = url
        yield app
    app.extensions["kinerja"].client.drop_database(settings.mongo_db)


@pytest.fixture
def gateway_settings(mongo_url, namespace, appraisal) -> Settings:
    env = bus_env(mongo_url, "memory://", namespace)
    env["APPRAISAL_URL"] = appraisal.url
    return Settings.from_env("gateway", env)


@pytest.fixture
def staff(gateway_app, client, directory_seed):
    return ui_session(gateway_app, client, "dewi")


def decide(appraisal, body: dict) -> dict:
    answer = appraisal.test_client().put(f"{SCORE}/decision", json=body, headers=appraisal.boss)
    assert answer.status_code == 200, answer.json
    return answer.json


def panel(page: str) -> str:
    start = page.index('aria-labelledby="decision-title"')
    return page[start : page.index("</section>", start)]


def indonesian(gateway_app, value: float | str, kind: str = "number") -> str:
    """A number or a date as the page writes it in Indonesian (formatting.py)."""
    with gateway_app.test_request_context(), force_locale("id"):
        return day(value) if kind == "date" else amount(value)


def test_before_a_decision_the_proposal_awaits_the_supervisor(gateway_app, staff, appraisal):
    answer = staff.get(PAGE)
    assert answer.status_code == 200
    shown = panel(text(answer))
    assert "Keputusan atasan atas nilai perilaku" in shown
    assert "Belum diputuskan" in shown and "menunggu keputusan atasan Anda" in shown
    proposed = appraisal.test_client().get(SCORE, headers=appraisal.boss).json["behaviour_score"]
    assert f"Usulan nilai perilaku {indonesian(gateway_app, proposed)} " in shown


def test_adopted_the_proposal_and_the_decision_are_the_same(gateway_app, staff, appraisal):
    decision = decide(appraisal, {"kind": "adopted"})
    shown = panel(text(staff.get(PAGE)))
    assert "Usulan diterima" in shown and "menerima usulan nilai perilaku gabungan" in shown
    score = indonesian(gateway_app, decision["behaviour_score"])
    assert shown.count(f"<strong>{score}</strong>") == 2  # the proposal and the decision
    assert "Alasan atasan" not in shown
    when = indonesian(gateway_app, decision["decided_at"], "date")
    assert f"Diputuskan oleh Budi Santoso pada {when}." in shown


def test_own_scores_beside_the_proposal_with_the_reason(gateway_app, staff, appraisal):
    proposed = appraisal.test_client().get(SCORE, headers=appraisal.boss).json["dimensions"]
    own = {aspect: round(value + 15, 2) for aspect, value in proposed.items()}
    decision = decide(appraisal, {"kind": "own_scores", "scores": own, "reason": REASON})
    page = text(staff.get(PAGE))
    shown = panel(page)
    assert "Nilai ditetapkan sendiri" in shown and "menetapkan nilai perilaku sendiri" in shown
    assert "Usulan dan keputusan atasan per aspek" in shown
    integrity = shown[shown.index('<th scope="row">Integritas</th>') :].split("</tr>")[0]
    assert indonesian(gateway_app, proposed["integritas"]) in integrity
    assert indonesian(gateway_app, own["integritas"]) in integrity
    total = shown[shown.index("<tfoot>") :]
    assert indonesian(gateway_app, decision["proposed_score"]) in total
    assert indonesian(gateway_app, decision["behaviour_score"]) in total
    assert REASON in shown
    assert "Diputuskan oleh Budi Santoso pada" in shown
    # nothing of the raters: no group, no standard error, no rater's NIP
    assert "galat baku" not in page and "Atasan</th>" not in page and BOSS not in page


def test_finalizing_without_a_decision_shows_the_adoption_it_recorded(
    gateway_app, staff, appraisal, monkeypatch
):
    monkeypatch.setattr(appraisal_api, "today", lambda: date(2027, 1, 10))
    finalized = appraisal.test_client().post(f"{SCORE}/finalize", headers=appraisal.boss)
    assert finalized.status_code == 200, finalized.json
    shown = panel(text(staff.get(PAGE)))
    assert "Usulan diterima" in shown and "menunggu keputusan" not in shown

    # a score locked before decisions were kept: the proposal was used as it stood
    appraisal.extensions["kinerja"].db["behaviour_decisions"].delete_many({})
    shown = panel(text(staff.get(PAGE)))
    assert "tanpa keputusan tersendiri: usulan nilai perilaku dipakai apa adanya" in shown
    assert "menunggu keputusan" not in shown


def test_in_english_the_decision_reads_in_english(gateway_app, staff, appraisal):
    decision = decide(appraisal, {"kind": "own_scores", "scores": RATED, "reason": REASON})
    staff.get("/lang/en?next=/results")
    shown = panel(text(staff.get(PAGE)))
    assert "Your supervisor's decision on the behaviour score" in shown
    assert "Own scores set" in shown and "Your supervisor's reason:" in shown
    with gateway_app.test_request_context(), force_locale("en"):
        when = day(decision["decided_at"])
    assert f"Decided by Budi Santoso on {when}." in shown
