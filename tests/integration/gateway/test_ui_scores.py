"""The supervisor's score pages during the year: a pro-rated SKP is labelled with its date, a
missing one says "belum dapat dinilai", and no predicate appears before the final score."""

from __future__ import annotations

import re

import pytest

from gateway.directory.domain import Employee
from gateway.ui.views.supervisor import team_rows, team_totals
from kinerja.config import Settings
from tests.integration.gateway.conftest import BOSS, STAFF, ui_session
from tests.integration.gateway.test_ui_employee import SERVICES, StandIn, text
from tests.support import bus_env, serve

CYCLE = "2026"


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


@pytest.fixture
def kasubag(gateway_app, client, directory_seed):
    """The test client, logged in to the UI as the supervisor (Budi)."""
    return ui_session(gateway_app, client, "kasubag")


def score(**changes) -> dict:
    return {
        "nip": STAFF,
        "cycle": CYCLE,
        "name": "Dewi Lestari",
        "unit_id": "umpeg",
        "skp_score": 92.0,
        "skp_complete": False,
        "skp_prorated_to": f"{CYCLE}-06-30",
        "skp_share": 0.6,
        "behaviour_score": 80.0,
        "dimensions": {},
        "groups": {},
        "reliability": None,
        "standard_error": None,
        "effective_raters": None,
        "flags": ["skp_incomplete"],
        "final_score": None,
        "predicate": None,
        "provisional_final_score": 87.2,
        "scheme": "default@v2",
        "code_version": "combination-2",
        "pending": False,
        "computed_at": None,
        "finalized": None,
        **changes,
    }


def test_the_team_s_scores_label_a_pro_rated_skp_and_show_no_predicate(kasubag, services):
    services.on("GET", f"/cycles/{CYCLE}/scores", [score()])
    page = text(kasubag.get(f"/team/scores?cycle={CYCLE}"))
    assert "92.00" in page and "sementara, pro-rata s.d. 30 Jun 2026" in page
    assert "87.20" in page and "sementara, tanpa predikat" in page
    assert "Baik" not in page


def test_a_score_without_an_skp_score_is_not_assessable_and_cannot_be_finalized(kasubag, services):
    # the tester's case: no realization yet must not read as 0.6 × 0 + 0.4 × 84 = "Buruk"
    waiting = score(
        skp_score=None,
        behaviour_score=84.0,
        provisional_final_score=None,
        flags=["skp_incomplete", "skp_not_assessable"],
    )
    services.on("GET", f"/cycles/{CYCLE}/scores/{STAFF}", waiting)
    page = text(kasubag.get(f"/team/scores/{CYCLE}/{STAFF}"))
    assert page.count("belum dapat dinilai") >= 2  # the SKP score and the final score
    assert "33.60" not in page and "Buruk" not in page
    assert "Nilai dapat difinalisasi setelah semua masukan lengkap" in page
    assert "Finalisasi nilai</a>" not in page


def test_a_complete_score_is_final_with_its_predicate(kasubag, services):
    done = score(
        skp_complete=True,
        skp_prorated_to=None,
        final_score=87.2,
        predicate="Baik",
        provisional_final_score=None,
        flags=[],
    )
    services.on("GET", f"/cycles/{CYCLE}/scores/{STAFF}", done)
    page = text(kasubag.get(f"/team/scores/{CYCLE}/{STAFF}"))
    assert "87.20" in page and "Baik" in page and "sementara, tanpa predikat" not in page
    assert "Finalisasi nilai</a>" in page


@pytest.fixture
def hr(gateway_app, client, directory_seed):
    return ui_session(gateway_app, client, "hr-admin")


def test_calibration_lists_an_incomplete_score_without_number_or_predicate(hr, services):
    member = {
        "nip": STAFF,
        "name": "Dewi Lestari",
        "final_score": None,
        "predicate": None,
        "finalized": False,
        "reliability": None,
        "flags": ["skp_incomplete", "skp_not_assessable"],
    }
    distribution = {
        "unit_id": "umpeg",
        "cycle": CYCLE,
        "employees": 1,
        "scored": 0,
        "mean": None,
        "sd": None,
        "predicates": {},
        "histogram": [{"from": start, "count": 0} for start in range(0, 110, 10)],
        "members": [member],
    }
    services.on("GET", f"/units/umpeg/cycles/{CYCLE}/distribution", distribution)
    page = text(hr.get(f"/hr/calibration?unit_id=umpeg&cycle={CYCLE}"))
    row = page.split("Dewi Lestari", 1)[1].split("</tr>", 1)[0]
    assert "belum dapat dinilai" in row and "belum ada: nilai belum final" in row
    assert "nilai SKP belum dapat dinilai" in row
    assert "Hanya nilai akhir yang lengkap" in page


def test_the_team_overview_links_a_provisional_figure_without_a_predicate():
    member = Employee(
        STAFF, "Dewi Lestari", "Pengadministrasi Umum", "umpeg", "II/c", "functional", "SMA"
    )
    (row,) = team_rows([member], [], [], {}, None, [score()])
    assert (row.final_score, row.predicate, row.provisional_final_score) == (None, None, 87.2)
    assert team_totals([row], None)["scores_to_finalize"] == 0  # nothing complete to finalize


def test_the_score_page_shows_each_group_s_policy_weight_beside_its_real_share(kasubag, services):
    """HR's 50 : 30 renormalized reads 62 % for one superior among four raters; where the
    groups' views do not really differ, the score rests on the four alike (25 % / 75 %)."""
    groups = {
        "superior": {
            "raters": 1,
            "counted": True,
            "weight": 0.625,
            "effective_weight": 0.25,
            "mean_raw": 81.6,
            "mean_adjusted": 81.38,
        },
        "peer": {
            "raters": 3,
            "counted": True,
            "weight": 0.375,
            "effective_weight": 0.75,
            "mean_raw": 83.4,
            "mean_adjusted": 82.5,
        },
    }
    services.on("GET", f"/cycles/{CYCLE}/scores/{STAFF}", score(groups=groups))
    page = text(kasubag.get(f"/team/scores/{CYCLE}/{STAFF}"))
    cells = " ".join(re.sub(r"<[^>]+>", " ", page).split())
    assert "Bobot kebijakan Bobot efektif" in cells
    assert "Atasan 1 ya 62 % 25 %" in cells
    assert "Rekan kerja 3 ya 38 % 75 %" in cells


def test_a_supervisor_opening_their_own_score_or_skp_as_a_team_page_lands_on_their_own(
    kasubag, services
):
    # the team pages act as the appraiser: none of their actions may fall on myself
    for path, mine in (
        (f"/team/scores/{CYCLE}/{BOSS}", "/results"),
        (f"/team/skp/{BOSS}/{CYCLE}", "/skp"),
    ):
        answer = kasubag.get(path)
        assert answer.status_code == 302
        assert answer.headers["Location"] == f"{mine}?cycle={CYCLE}"
    assert services.sent == []  # nothing asked of the services for myself
