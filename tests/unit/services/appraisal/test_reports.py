"""What employees, unit heads and HR read out of the scores: anonymity of small rater groups,
self against others, a unit's distribution for calibration, and HR's CSV export."""

import csv
import io
from datetime import date
from decimal import Decimal

import pytest

from services.appraisal.domain import FinalScore
from services.appraisal.provisional import ProvisionalScore
from services.appraisal.reports import (
    employee_report,
    export_csv,
    unit_distribution,
    visible_groups,
)

FLOOR = {"peer": 3, "subordinate": 3}
SUPERIOR_MEANS = {"integritas": 80.0, "kerjasama": 70.0}
PEER_MEANS = {"integritas": 70.0, "kerjasama": 60.0}
SUBORDINATE_MEANS = {"integritas": 85.0, "kerjasama": 90.0}


def provisional(
    nip: str = "e1",
    *,
    raters: dict[str, int] | None = None,
    group_dimensions: dict[str, dict[str, float]] | None = None,
    dimensions: dict[str, float] | None = None,
    final: str | None = None,
    predicate: str | None = None,
    skp: str | None = None,
    behaviour: str | None = None,
    reliability: float | None = None,
    flags: list[str] | None = None,
    unit_id: str | None = "unit-umum",
    scheme: str = "default@v1",
) -> ProvisionalScore:
    raters = raters or {}
    return ProvisionalScore(
        nip=nip,
        cycle="2026",
        unit_id=unit_id,
        scheme=scheme,
        skp_share=Decimal("0.6"),
        skp_score=None if skp is None else Decimal(skp),
        skp_complete=skp is not None,
        behaviour_score=None if behaviour is None else Decimal(behaviour),
        final_score=None if final is None else Decimal(final),
        predicate=predicate,
        dimensions=dimensions or {},
        groups={g: {"raters": n, "weight": 0.0, "counted": False} for g, n in raters.items()},
        group_dimensions=group_dimensions or {},
        reliability=reliability,
        standard_error=None,
        effective_raters=None,
        self_gap=None,
        flags=flags or [],
    )


def rated_by(superior: int = 1, peer: int = 0, subordinate: int = 0) -> ProvisionalScore:
    raters = {"superior": superior, "peer": peer, "subordinate": subordinate}
    means = {"superior": SUPERIOR_MEANS, "peer": PEER_MEANS, "subordinate": SUBORDINATE_MEANS}
    present = {g: n for g, n in raters.items() if n}
    return provisional(raters=present, group_dimensions={g: means[g] for g in present})


def locked(nip: str, final: str, predicate: str, objection: dict | None = None) -> FinalScore:
    return FinalScore(
        nip=nip,
        cycle="2026",
        skp_score=Decimal("88"),
        behaviour_score=Decimal("77.5"),
        final_score=Decimal(final),
        predicate=predicate,
        finalized_by="atasan",
        finalized_on=date(2026, 1, 15),
        objection=objection,
    )


# --- anonymity: which rater groups may be shown -----------------------------------------------


def test_the_superior_group_is_always_shown():
    shown = visible_groups(rated_by(superior=1), FLOOR)
    assert shown == {"superior": SUPERIOR_MEANS}


def test_peer_and_subordinate_groups_at_their_threshold_are_shown_separately():
    shown = visible_groups(rated_by(peer=3, subordinate=4), FLOOR)
    assert shown == {
        "superior": SUPERIOR_MEANS,
        "peer": PEER_MEANS,
        "subordinate": SUBORDINATE_MEANS,
    }


def test_a_group_below_its_threshold_is_hidden_and_not_merged_when_the_other_is_shown():
    shown = visible_groups(rated_by(peer=3, subordinate=2), FLOOR)
    assert set(shown) == {"superior", "peer"}
    shown = visible_groups(rated_by(peer=1, subordinate=5), FLOOR)
    assert set(shown) == {"superior", "subordinate"}


def test_two_small_groups_reaching_the_threshold_together_show_only_merged():
    shown = visible_groups(rated_by(peer=2, subordinate=1), FLOOR)
    assert set(shown) == {"superior", "others"}
    # weighted by raters: integritas (2·70 + 1·85) / 3 = 75, kerjasama (2·60 + 1·90) / 3 = 70
    assert shown["others"] == {"integritas": 75.0, "kerjasama": 70.0}


def test_two_small_groups_short_of_the_threshold_together_are_not_shown():
    assert set(visible_groups(rated_by(peer=1, subordinate=1), FLOOR)) == {"superior"}


def test_a_lone_small_group_is_not_shown_as_others():
    assert set(visible_groups(rated_by(peer=2), FLOOR)) == {"superior"}
    assert set(visible_groups(rated_by(subordinate=2), FLOOR)) == {"superior"}


def test_thresholds_raised_by_the_scheme_apply():
    raised = {"peer": 5, "subordinate": 4}
    assert set(visible_groups(rated_by(peer=4, subordinate=4), raised)) == {
        "superior",
        "subordinate",
    }
    # each below, together 3 + 3 = 6 ≥ 5: merged
    assert set(visible_groups(rated_by(peer=3, subordinate=3), raised)) == {"superior", "others"}
    # each below, together 2 + 2 = 4 < 5: nothing
    assert set(visible_groups(rated_by(peer=2, subordinate=2), raised)) == {"superior"}


def test_the_merged_group_leaves_out_a_dimension_only_one_small_group_rated():
    score = provisional(
        raters={"peer": 2, "subordinate": 2},
        group_dimensions={
            "peer": {"integritas": 70.0, "inovasi": 50.0},
            "subordinate": {"integritas": 80.0},
        },
    )
    assert visible_groups(score, FLOOR) == {"others": {"integritas": 75.0}}


# --- the employee's report ---------------------------------------------------------------


def report_score(peers: int = 3) -> ProvisionalScore:
    others = {"integritas": 80.0, "kerjasama": 70.0, "orientasi": 60.0, "komitmen": 75.0}
    own = {"integritas": 85.0, "kerjasama": 74.99, "orientasi": 55.0, "komitmen": 70.01}
    return provisional(
        raters={"superior": 1, "peer": peers, "self": 1},
        group_dimensions={"superior": others, "peer": others, "self": own},
        dimensions=others,
    )


def test_blind_spots_and_hidden_strengths_start_at_a_five_point_gap():
    report = employee_report(report_score(), FLOOR)
    assert report["self_gap"] == {
        "integritas": 5.0,
        "kerjasama": 4.99,
        "komitmen": -4.99,
        "orientasi": -5.0,
    }
    assert report["blind_spots"] == ["integritas"]
    assert report["hidden_strengths"] == ["orientasi"]


def test_strengths_are_the_two_best_dimensions_by_others_score():
    report = employee_report(report_score(), FLOOR)
    assert report["strengths"] == ["integritas", "komitmen"]
    assert report["development_areas"] == ["orientasi", "kerjasama"]
    assert report["dimensions"] == ["integritas", "kerjasama", "komitmen", "orientasi"]


def test_the_report_shows_only_the_groups_anonymity_allows():
    assert set(employee_report(report_score(peers=3), FLOOR)["groups"]) == {"superior", "peer"}
    hidden = employee_report(report_score(peers=2), FLOOR)
    assert set(hidden["groups"]) == {"superior"}
    assert "self" not in hidden["groups"]


def test_without_self_ratings_there_are_no_gaps():
    others = {"integritas": 80.0, "kerjasama": 70.0}
    score = provisional(
        raters={"superior": 1}, group_dimensions={"superior": others}, dimensions=others
    )
    report = employee_report(score, FLOOR)
    assert report["self_gap"] == {}
    assert report["blind_spots"] == []
    assert report["hidden_strengths"] == []
    assert report["strengths"] == ["integritas", "kerjasama"]


def test_a_dimension_the_employee_did_not_rate_has_no_gap():
    others = {"integritas": 80.0, "kerjasama": 70.0}
    score = provisional(
        raters={"superior": 1, "self": 1},
        group_dimensions={"superior": others, "self": {"integritas": 90.0}},
        dimensions=others,
    )
    report = employee_report(score, FLOOR)
    assert report["self_gap"] == {"integritas": 10.0}
    assert report["blind_spots"] == ["integritas"]


# --- the unit's distribution --------------------------------------------------------------


def bins(counts_by_start: dict[int, int]) -> list[dict]:
    return [{"from": start, "count": counts_by_start.get(start, 0)} for start in range(50, 101, 5)]


def test_predicates_and_histogram_bins_of_five_points():
    finals = {
        "a": ("0", "Buruk"),
        "b": ("49.99", "Buruk"),
        "c": ("50", "Buruk"),
        "d": ("54.99", "Kurang"),
        "e": ("55", "Kurang"),
        "f": ("76", "Baik"),
        "g": ("79.99", "Baik"),
        "h": ("99.99", "Sangat Baik"),
        "i": ("100", "Sangat Baik"),
        "j": ("112.5", "Sangat Baik"),
    }
    scores = [provisional(nip, final=f, predicate=p) for nip, (f, p) in finals.items()]
    result = unit_distribution(scores, {}, {})
    assert result["predicates"] == {
        "Sangat Baik": 3,
        "Baik": 2,
        "Cukup": 0,
        "Kurang": 2,
        "Buruk": 3,
    }
    # below 50 counts in the first bin, 100 and above in the last
    assert result["histogram"] == bins({50: 4, 55: 1, 75: 2, 95: 1, 100: 2})
    assert result["employees"] == 10
    assert result["scored"] == 10


def test_a_finalized_score_overrides_the_provisional_one():
    scores = [
        provisional("a", final="70", predicate="Cukup"),
        provisional("b", final="90", predicate="Baik"),
    ]
    finals = {"a": locked("a", "80", "Baik")}
    result = unit_distribution(scores, finals, {"a": "Ani", "b": "Budi"})
    assert result["predicates"]["Baik"] == 2
    assert result["predicates"]["Cukup"] == 0
    assert result["histogram"] == bins({80: 1, 90: 1})
    assert result["mean"] == 85.0
    members = {m["nip"]: m for m in result["members"]}
    assert members["a"]["final_score"] == Decimal(80)
    assert members["a"]["predicate"] == "Baik"
    assert members["a"]["finalized"] is True
    assert members["b"]["finalized"] is False
    assert (members["a"]["name"], members["b"]["name"]) == ("Ani", "Budi")


def test_mean_and_sd_cover_only_scored_employees():
    scores = [
        provisional("a", final="60", predicate="Kurang"),
        provisional("b", final="70", predicate="Cukup"),
        provisional("c", final="80", predicate="Baik"),
        provisional("d", final="90", predicate="Baik"),
        provisional("e"),  # not scored yet
    ]
    result = unit_distribution(scores, {}, {})
    assert result["employees"] == 5
    assert result["scored"] == 4
    assert result["mean"] == 75.0
    # sample sd: sqrt((15² + 5² + 5² + 15²) / 3) = sqrt(166.67) = 12.91
    assert result["sd"] == 12.91
    unscored = next(m for m in result["members"] if m["nip"] == "e")
    assert (unscored["final_score"], unscored["predicate"], unscored["name"]) == (None, None, "")


def test_too_few_scores_give_no_mean_or_sd():
    empty = unit_distribution([], {}, {})
    assert (empty["mean"], empty["sd"], empty["scored"]) == (None, None, 0)
    assert empty["histogram"] == bins({})
    one = unit_distribution([provisional("a", final="77", predicate="Baik")], {}, {})
    assert (one["mean"], one["sd"]) == (77.0, None)


# --- HR's CSV export ---------------------------------------------------------------------


HEADER = [
    "nip",
    "name",
    "unit_id",
    "skp_score",
    "behaviour_score",
    "final_score",
    "predicate",
    "finalized",
    "objection",
    "reliability",
    "flags",
    "scheme",
]


def parsed(text: str) -> list[dict[str, str]]:
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[0] == HEADER
    assert all(len(row) == len(HEADER) for row in rows)
    return [dict(zip(HEADER, row, strict=True)) for row in rows[1:]]


def test_export_has_the_header_and_one_row_per_employee():
    scores = [
        provisional(
            "198001012005011001",
            final="82.932",
            predicate="Baik",
            skp="90",
            behaviour="72.33",
            reliability=0.812,
            flags=["few_raters", "thin_weight"],
            scheme="keuangan@v3",
            unit_id="unit-keu",
        ),
        provisional("198502022010012002", unit_id=None),
    ]
    rows = parsed(export_csv(scores, {}, {"198001012005011001": "Budi, S.E."}))
    assert rows == [
        {
            "nip": "198001012005011001",
            "name": "Budi, S.E.",
            "unit_id": "unit-keu",
            "skp_score": "90.00",
            "behaviour_score": "72.33",
            "final_score": "82.93",
            "predicate": "Baik",
            "finalized": "no",
            "objection": "",
            "reliability": "0.812",
            "flags": "few_raters thin_weight",
            "scheme": "keuangan@v3",
        },
        {
            "nip": "198502022010012002",
            "name": "",
            "unit_id": "",
            "skp_score": "",
            "behaviour_score": "",
            "final_score": "",
            "predicate": "",
            "finalized": "no",
            "objection": "",
            "reliability": "",
            "flags": "",
            "scheme": "default@v1",
        },
    ]


def test_export_uses_the_locked_values_of_a_finalized_score():
    score = provisional("a", final="70", predicate="Cukup", skp="80", behaviour="55")
    [row] = parsed(export_csv([score], {"a": locked("a", "83.5", "Baik")}, {}))
    assert row["skp_score"] == "88.00"
    assert row["behaviour_score"] == "77.50"
    assert row["final_score"] == "83.50"
    assert row["predicate"] == "Baik"
    assert row["finalized"] == "yes"


@pytest.mark.parametrize(
    ("objection", "shown"),
    [
        (None, ""),
        ({"reason": "nilai tidak sesuai bukti kerja", "filed_on": "2026-01-20"}, "filed"),
        ({"reason": "x" * 20, "filed_on": "2026-01-20", "outcome": "confirmed"}, "confirmed"),
        ({"reason": "x" * 20, "filed_on": "2026-01-20", "outcome": "changed"}, "changed"),
    ],
)
def test_export_shows_the_objection_outcome(objection, shown):
    score = provisional("a", final="70", predicate="Cukup")
    [row] = parsed(export_csv([score], {"a": locked("a", "70", "Cukup", objection)}, {}))
    assert row["objection"] == shown


@pytest.mark.parametrize(
    "name", ['=HYPERLINK("http://x")', "+62 812", "-1+1", "@SUM(A1:A2)", "=cmd|' /C calc'!A0"]
)
def test_export_defuses_names_that_a_spreadsheet_would_run_as_formulas(name):
    [row] = parsed(export_csv([provisional("a")], {}, {"a": name}))
    assert row["name"] == "'" + name


@pytest.mark.parametrize("name", ["Siti = Ani", "Drs. Made, M.Si.", 'Ketut "Kadek"'])
def test_export_keeps_ordinary_names_as_they_are(name):
    [row] = parsed(export_csv([provisional("a")], {}, {"a": name}))
    assert row["name"] == name
