"""The supervisor's behaviour decision and HR's report of decisions, against stand-in
services: what each form sends, and how the appraisal service's answers come back."""

from __future__ import annotations

import pytest

from kinerja.config import Settings
from tests.integration.gateway.conftest import BOSS, STAFF, ui_session
from tests.integration.gateway.test_ui_employee import (
    SERVICES,
    StandIn,
    field_html,
    post,
    text,
)
from tests.support import bus_env, serve

SCORE = f"/cycles/2026/scores/{STAFF}"
PAGE = f"/team/scores/2026/{STAFF}/decision"
DIMENSIONS = {"integritas": 82.0, "kerja_sama": 78.0}


@pytest.fixture
def services():
    stand_in = StandIn()
    with serve(stand_in.app) as url:
        stand_in.url = url
        yield stand_in


@pytest.fixture
def gateway_settings(mongo_url, namespace, services) -> Settings:
    env = bus_env(mongo_url, "memory://", namespace)
    env.update({f"{name.upper()}_URL": services.url for name in SERVICES})
    return Settings.from_env("gateway", env)


def score(decision: dict | None = None) -> dict:
    return {
        "nip": STAFF,
        "cycle": "2026",
        "behaviour_score": 80.0,
        "dimensions": DIMENSIONS,
        "standard_error": 2.0,
        "finalized": None,
        "decision": decision,
    }


@pytest.fixture
def kasubag(gateway_app, client, directory_seed):
    return ui_session(gateway_app, client, "kasubag")


def test_the_page_shows_the_proposal_with_its_band(kasubag, services):
    services.on("GET", SCORE, score())
    page = text(kasubag.get(PAGE))
    assert "Belum diputuskan" in page
    assert "± 3.92" in page  # 1.96 x the standard error
    assert "74.08 – 81.92" in page  # kerja sama's band
    assert 'value="78"' in field_html(page, "scores.kerja_sama")


def test_a_proposal_of_many_places_starts_the_form_at_two(kasubag, services):
    """A decided score takes two places (kinerja/fields.py): the form starts from the
    proposal rounded so, else changing one aspect would refuse the others as they stood."""
    services.on(
        "GET", SCORE, {**score(), "dimensions": {"integritas": 82.45678, "kerja_sama": 78.0}}
    )
    page = text(kasubag.get(PAGE))
    assert 'value="82.46"' in field_html(page, "scores.integritas")


def test_an_own_score_without_a_reason_comes_back_beside_the_reason(kasubag, services):
    services.on("GET", SCORE, score())
    reason = "departure_needs_reason: kerja_sama moved more than 1.96 x SE = 3.92"
    services.refuse("PUT", f"{SCORE}/decision", 422, "validation_failed", {"reason": [reason]})
    answer = post(
        kasubag,
        PAGE,
        {"action": "own", "scores.integritas": "82", "scores.kerja_sama": "60,5", "reason": ""},
    )
    assert answer.status_code == 422
    assert services.bodies("PUT", f"{SCORE}/decision") == [
        {"kind": "own_scores", "scores": {"integritas": 82, "kerja_sama": 60.5}, "reason": None}
    ]
    page = text(answer)
    assert "tuliskan alasan paling sedikit 20 karakter" in field_html(page, "reason")
    assert 'value="60,5"' in field_html(page, "scores.kerja_sama")  # as typed


def test_adopting_sends_only_the_kind_and_the_page_shows_the_decision(kasubag, services):
    decided = {
        "kind": "adopted",
        "proposed_score": 80.0,
        "behaviour_score": 80.0,
        "departure": 0.0,
        "dimensions": DIMENSIONS,
        "reason": None,
        "decided_by": BOSS,
        "decided_at": "2026-12-01T08:00:00+00:00",
        "current": True,
    }
    services.on("GET", SCORE, score(decided))
    services.on("PUT", f"{SCORE}/decision", decided)
    answer = post(kasubag, PAGE, {"action": "adopt"})
    assert answer.status_code == 302
    assert services.bodies("PUT", f"{SCORE}/decision") == [{"kind": "adopted"}]
    page = text(kasubag.get(PAGE))
    assert "Usulan diterima" in page and "Budi Santoso" in page


def test_hr_reads_the_decisions_per_supervisor(gateway_app, client, directory_seed, services):
    hr = ui_session(gateway_app, client, "hr-admin")
    services.on("GET", "/rounds", [])
    row = {
        "supervisor": BOSS,
        "name": "Budi Santoso",
        "decisions": 3,
        "adopted": 2,
        "own_scores": 1,
        "beyond_uncertainty": 1,
        "raised": 0,
        "lowered": 1,
        "mean_change": -4.0,
        "mean_absolute_change": 4.0,
        "largest_change": -12.0,
    }
    services.on("GET", "/cycles/2026/supervisor-decisions", {"cycle": "2026", "supervisors": [row]})
    page = text(hr.get("/hr/decisions?cycle=2026"))
    assert "Budi Santoso" in page and "-12.00" in page and "-4.00" in page


def test_the_scheme_editor_shows_the_split_and_sends_none(
    gateway_app, client, directory_seed, services
):
    hr = ui_session(gateway_app, client, "hr-admin")
    scheme = {
        "id": "default",
        "ref": "default@v1",
        "version": 1,
        "name": "Bawaan",
        "weights": {"superior": 0.5, "peer": 0.25, "subordinate": 0.25, "self": 0.0},
        "min_raters": {"superior": 1, "peer": 3, "subordinate": 3},
        "bias_correction": True,
        "skp_share": 0.6,
        "unit_ids": [],
        "position_kinds": [],
    }
    services.on("GET", "/schemes", [scheme])
    services.on("GET", "/schemes/default/versions", [scheme])
    services.on("GET", "/rounds", [])
    services.on("PUT", "/schemes/default", {**scheme, "version": 2})
    page = text(hr.get("/hr/schemes/default"))
    assert 'id="f-skp_share"' not in page and "60% SKP dan 40% perilaku" in page
    post(hr, "/hr/schemes/default", {"action": "save", "version": "1", "name": "Bawaan"})
    (sent,) = services.bodies("PUT", "/schemes/default")
    assert "skp_share" not in sent
