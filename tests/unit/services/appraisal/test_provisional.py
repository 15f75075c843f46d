"""Provisional scores of a cycle: behaviour from the 360 combination under each employee's
scheme, the SKP/behaviour split, the predicate, and HR's preview of a scheme change.

Exact numbers come from schemes without bias correction, computed by hand from SCORING.md
step 3: per dimension the weighted mean of the counted groups' means, weights renormalized
over the groups that reach their minimum raters, then the mean over dimensions."""

import random
from decimal import Decimal

import pytest

from services.appraisal.combination import Rating
from services.appraisal.provisional import (
    CycleInputs,
    Move,
    ProvisionalScore,
    SkpInput,
    effective_weights,
    moves,
    score_cycle,
    summarize_moves,
)
from services.appraisal.schemes import BUILT_IN_DEFAULT, WeightingScheme

CYCLE = "2026"
STANDARD_WEIGHTS = {"superior": 0.5, "peer": 0.25, "subordinate": 0.25, "self": 0.0}
SUPERIOR_ONLY = {"superior": 1.0, "peer": 0.0, "subordinate": 0.0, "self": 0.0}
MIN_RATERS = {"superior": 1, "peer": 3, "subordinate": 3}


def weighting(
    scheme_id: str = "default",
    *,
    weights: dict | None = None,
    skp_share: str = "0.6",
    bias_correction: bool = False,
    unit_ids: tuple[str, ...] = (),
    position_kinds: tuple[str, ...] = (),
    version: int = 2,
) -> WeightingScheme:
    return WeightingScheme(
        id=scheme_id,
        name=scheme_id,
        weights=dict(STANDARD_WEIGHTS if weights is None else weights),
        min_raters=dict(MIN_RATERS),
        bias_correction=bias_correction,
        skp_share=Decimal(skp_share),
        unit_ids=unit_ids,
        position_kinds=position_kinds,
        version=version,
    )


def form(rater: str, ratee: str, group: str, scores: dict[str, float]) -> list[Rating]:
    return [Rating(rater, ratee, group, dimension, s) for dimension, s in scores.items()]


def e1_ratings() -> list[Rating]:
    """One superior, three peers (counted), two subordinates (below 3, not counted), self."""
    return [
        *form("boss1", "e1", "superior", {"integritas": 80, "kerjasama": 70}),
        *form("p1", "e1", "peer", {"integritas": 70, "kerjasama": 60}),
        *form("p2", "e1", "peer", {"integritas": 72, "kerjasama": 62}),
        *form("p3", "e1", "peer", {"integritas": 74, "kerjasama": 64}),
        *form("s1", "e1", "subordinate", {"integritas": 95, "kerjasama": 90}),
        *form("s2", "e1", "subordinate", {"integritas": 85, "kerjasama": 80}),
        *form("e1", "e1", "self", {"integritas": 90, "kerjasama": 88}),
    ]


def inputs(
    ratings,
    skp=None,
    employees=None,
    schemes=None,
) -> CycleInputs:
    return CycleInputs(
        cycle=CYCLE,
        ratings=list(ratings),
        skp_scores=skp or {},
        employees=employees or {},
        schemes=[weighting()] if schemes is None else schemes,
    )


# --- score_cycle -----------------------------------------------------------------------------


def test_behaviour_and_final_score_follow_the_hand_computed_combination():
    # Counted: superior (0.5) and peers (0.25), renormalized to 2/3 and 1/3.
    # integritas = 2/3·80 + 1/3·72 = 77.333…, kerjasama = 2/3·70 + 1/3·62 = 67.333…
    # behaviour = 72.333… → 72.33; final = 0.6·90 + 0.4·72.33 = 82.932 → Baik
    result = score_cycle(inputs(e1_ratings(), skp={"e1": (Decimal(90), True)}))
    score = result.scores["e1"]
    assert score.behaviour_score == Decimal("72.33")
    assert score.final_score == Decimal("82.932")
    assert score.predicate == "Baik"
    assert score.skp_score == Decimal(90)
    assert score.skp_complete is True
    assert score.skp_share == Decimal("0.6")
    assert score.scheme == "default@v2"
    assert score.cycle == CYCLE
    assert score.dimensions == {"integritas": 77.33, "kerjasama": 67.33}


def test_groups_report_raters_and_the_renormalized_weights():
    score = score_cycle(inputs(e1_ratings())).scores["e1"]
    assert score.groups["superior"]["weight"] == 0.667
    assert score.groups["peer"]["weight"] == 0.333
    assert score.groups["subordinate"]["counted"] is False
    assert score.groups["subordinate"]["weight"] == 0.0
    assert score.groups["subordinate"]["raters"] == 2
    assert score.groups["peer"]["raters"] == 3
    assert score.groups["peer"]["mean_raw"] == 67.0  # (65 + 67 + 69) / 3
    # self never enters the score: 89 − 72.333… = 16.67
    assert score.self_gap == 16.67


def test_behaviour_is_rounded_half_up_to_cents():
    # superior-only: behaviour is the superior's mean over dimensions, (80 + 80.25) / 2
    ratings = form("boss1", "e1", "superior", {"integritas": 80.0, "kerjasama": 80.25})
    scheme = weighting(weights=SUPERIOR_ONLY)
    score = score_cycle(inputs(ratings, schemes=[scheme])).scores["e1"]
    assert score.behaviour_score == Decimal("80.13")


def test_the_predicate_bands_the_unrounded_final_score():
    # final = 0.6·100 + 0.4·77.4 = 90.96: Baik, not Sangat Baik (91 only if rounded first)
    ratings = form("boss1", "e1", "superior", {"integritas": 77.4, "kerjasama": 77.4})
    scheme = weighting(weights=SUPERIOR_ONLY)
    score = score_cycle(inputs(ratings, skp={"e1": (Decimal(100), True)}, schemes=[scheme])).scores[
        "e1"
    ]
    assert score.final_score == Decimal("90.96")
    assert score.predicate == "Baik"


@pytest.mark.parametrize(
    ("skp", "predicate"),
    [("100", "Sangat Baik"), ("70", "Baik"), ("50", "Cukup"), ("30", "Kurang"), ("20", "Buruk")],
)
def test_each_predicate_band_is_reached(skp, predicate):
    # behaviour = 90 from a superior-only scheme; final = 0.6·skp + 36: 96, 78, 66, 54, 48
    ratings = form("boss1", "e1", "superior", {"integritas": 90, "kerjasama": 90})
    scheme = weighting(weights=SUPERIOR_ONLY)
    score = score_cycle(inputs(ratings, skp={"e1": (Decimal(skp), True)}, schemes=[scheme])).scores[
        "e1"
    ]
    assert score.final_score == Decimal("0.6") * Decimal(skp) + Decimal(36)
    assert score.predicate == predicate


def test_an_employee_in_a_unit_with_its_own_scheme_gets_its_weights_and_share():
    keuangan = weighting(
        "keuangan", weights=SUPERIOR_ONLY, skp_share="0.7", unit_ids=("unit-keu",), version=3
    )
    e2_ratings = [
        *form("boss2", "e2", "superior", {"integritas": 84, "kerjasama": 76}),
        *form("q1", "e2", "peer", {"integritas": 50, "kerjasama": 52}),
        *form("q2", "e2", "peer", {"integritas": 55, "kerjasama": 57}),
        *form("q3", "e2", "peer", {"integritas": 58, "kerjasama": 54}),
    ]
    employees = {"e1": {"unit_id": "unit-umum"}, "e2": {"unit_id": "unit-keu"}}
    skp = {"e1": (Decimal(90), True), "e2": (Decimal(90), False)}
    result = score_cycle(
        inputs(e1_ratings() + e2_ratings, skp, employees, schemes=[weighting(), keuangan])
    )
    e2 = result.scores["e2"]
    # peers carry no weight: behaviour is the superior's mean, (84 + 76) / 2
    assert e2.behaviour_score == Decimal("80.00")
    # the SKP is not complete: the scheme's shares give a provisional figure, no final score
    assert e2.provisional_final_score == Decimal("87.0")  # 0.7·90 + 0.3·80
    assert (e2.final_score, e2.predicate) == (None, None)
    assert e2.scheme == "keuangan@v3"
    assert e2.skp_share == Decimal("0.7")
    assert e2.unit_id == "unit-keu"
    assert e2.skp_complete is False
    assert e2.groups["peer"]["weight"] == 0.0
    # the colleague in another unit keeps the default scheme
    e1 = result.scores["e1"]
    assert (e1.scheme, e1.skp_share, e1.behaviour_score) == (
        "default@v2",
        Decimal("0.6"),
        Decimal("72.33"),
    )


def test_a_position_kind_scheme_applies_when_no_unit_scheme_names_the_employee():
    functional = weighting(
        "fungsional", weights=SUPERIOR_ONLY, skp_share="0.5", position_kinds=("functional",)
    )
    employees = {"e1": {"unit_id": "unit-umum", "position_kind": "functional"}}
    score = score_cycle(
        inputs(
            e1_ratings(),
            skp={"e1": (Decimal(80), True)},
            employees=employees,
            schemes=[weighting(), functional],
        )
    ).scores["e1"]
    # superior-only: behaviour = (80 + 70) / 2 = 75; final = 0.5·80 + 0.5·75
    assert score.behaviour_score == Decimal("75.00")
    assert score.final_score == Decimal("77.5")
    assert score.scheme == "fungsional@v2"


def test_the_built_in_default_applies_when_hr_saved_no_scheme():
    result = score_cycle(inputs(e1_ratings(), skp={"e1": (Decimal(90), True)}, schemes=[]))
    score = result.scores["e1"]
    assert score.scheme == "default@v0"
    assert score.skp_share == BUILT_IN_DEFAULT.skp_share
    assert score.final_score == Decimal("0.6") * 90 + Decimal("0.4") * score.behaviour_score


def test_an_employee_with_only_an_skp_score_has_no_behaviour_and_no_final():
    result = score_cycle(
        inputs(e1_ratings(), skp={"e1": (Decimal(90), True), "e9": (Decimal(85), False)})
    )
    score = result.scores["e9"]
    assert score.skp_score == Decimal(85)
    assert score.skp_complete is False
    assert score.behaviour_score is None
    assert score.final_score is None
    assert score.predicate is None
    assert score.groups == {}
    assert score.dimensions == {}
    assert score.scheme == "default@v2"


def test_an_employee_with_only_ratings_has_behaviour_but_no_final():
    score = score_cycle(inputs(e1_ratings())).scores["e1"]
    assert score.behaviour_score == Decimal("72.33")
    assert score.skp_score is None
    assert score.skp_complete is False
    assert score.final_score is None
    assert score.predicate is None


def test_self_ratings_alone_give_no_behaviour_and_so_no_final():
    ratings = form("e3", "e3", "self", {"integritas": 95, "kerjasama": 95})
    score = score_cycle(inputs(ratings, skp={"e3": (Decimal(90), True)})).scores["e3"]
    assert score.behaviour_score is None
    assert score.final_score is None


def test_a_cycle_without_ratings_scores_skp_only():
    result = score_cycle(inputs([], skp={"e1": (Decimal(90), True)}))
    assert result.combination is None
    assert set(result.scores) == {"e1"}
    assert result.scores["e1"].behaviour_score is None


def cycle_of_five() -> list[Rating]:
    """Five ratees rated by overlapping raters with varied scores, so the model has work."""
    rng = random.Random(7)
    ratings = []
    for n in range(1, 6):
        ratee = f"e{n}"
        ratings += form(f"boss{n % 2}", ratee, "superior", {"a": 60 + 5 * n, "b": 70 + n})
        for peer in range(4):
            rater = f"p{(n + peer) % 6}"
            ratings += form(
                rater, ratee, "peer", {"a": rng.randint(50, 95), "b": rng.randint(50, 95)}
            )
        ratings += form(ratee, ratee, "self", {"a": 90, "b": 85})
    return ratings


@pytest.mark.parametrize("bias_correction", [False, True])
def test_the_scores_do_not_depend_on_the_order_of_the_ratings(bias_correction):
    ratings = cycle_of_five()
    skp = {f"e{n}": (Decimal(70 + 5 * n), True) for n in range(1, 6)}
    schemes = [weighting(bias_correction=bias_correction)]
    expected = score_cycle(inputs(ratings, skp, schemes=schemes)).scores
    assert all(s.behaviour_score is not None for s in expected.values())
    for seed in range(5):
        shuffled = list(ratings)
        random.Random(seed).shuffle(shuffled)
        assert score_cycle(inputs(shuffled, skp, schemes=schemes)).scores == expected


def test_a_bias_corrected_final_score_is_still_the_share_weighted_sum():
    ratings = cycle_of_five()
    skp = {f"e{n}": (Decimal(70 + 5 * n), True) for n in range(1, 6)}
    scores = score_cycle(inputs(ratings, skp, schemes=[weighting(bias_correction=True)])).scores
    for nip, score in scores.items():
        behaviour = score.behaviour_score
        assert behaviour == behaviour.quantize(Decimal("0.01"))
        assert score.final_score == Decimal("0.6") * skp[nip][0] + Decimal("0.4") * behaviour
        assert score.scheme == "default@v2"


# --- HR's preview: moves and their summary ----------------------------------------------------


def provisional(
    nip: str, final: str | None, predicate: str | None, scheme: str = "default@v1", groups=None
) -> ProvisionalScore:
    return ProvisionalScore(
        nip=nip,
        cycle=CYCLE,
        unit_id="unit-umum",
        scheme=scheme,
        skp_share=Decimal("0.6"),
        skp_score=Decimal(80) if final is not None else None,
        skp_complete=True,
        behaviour_score=Decimal(70) if final is not None else None,
        final_score=None if final is None else Decimal(final),
        predicate=predicate,
        dimensions={},
        groups=groups or {},
        group_dimensions={},
        reliability=None,
        standard_error=None,
        effective_raters=None,
        self_gap=None,
        flags=[],
    )


def test_moves_lists_only_employees_whose_scheme_score_or_predicate_changes():
    before = {
        "same": provisional("same", "80", "Baik"),
        "score": provisional("score", "80", "Baik"),
        "scheme": provisional("scheme", "80", "Baik"),
        "band": provisional("band", "77", "Baik"),
        "unscored": provisional("unscored", None, None),
    }
    after = {
        "same": provisional("same", "80.00", "Baik"),
        "score": provisional("score", "82.5", "Baik"),
        "scheme": provisional("scheme", "80", "Baik", scheme="keuangan@v1"),
        "band": provisional("band", "74", "Cukup"),
        "unscored": provisional("unscored", None, None),
    }
    result = {m.nip: m for m in moves(before, after)}
    assert set(result) == {"score", "scheme", "band"}
    assert result["score"].change == Decimal("2.5")
    assert result["scheme"].change == 0
    assert (result["scheme"].scheme_before, result["scheme"].scheme_after) == (
        "default@v1",
        "keuangan@v1",
    )
    assert result["band"].change == Decimal(-3)
    assert (result["band"].predicate_before, result["band"].predicate_after) == ("Baik", "Cukup")
    assert not any(m.locked for m in result.values())


def test_moves_marks_finalized_employees_as_locked():
    before = {"a": provisional("a", "80", "Baik"), "b": provisional("b", "70", "Cukup")}
    after = {"a": provisional("a", "90", "Baik"), "b": provisional("b", "60", "Kurang")}
    result = {m.nip: m.locked for m in moves(before, after, locked=["a"])}
    assert result == {"a": True, "b": False}


def test_an_employee_scored_only_after_the_change_is_a_move_without_a_change():
    after = {"new": provisional("new", "85", "Baik")}
    [move] = moves({}, after)
    assert (move.nip, move.scheme_before, move.scheme_after) == ("new", "", "default@v1")
    assert move.final_before is None
    assert move.change is None


def move(nip, before, after, pred_before="Baik", pred_after="Baik", locked=False) -> Move:
    return Move(
        nip=nip,
        scheme_before="default@v1",
        scheme_after="default@v2",
        final_before=None if before is None else Decimal(before),
        final_after=None if after is None else Decimal(after),
        predicate_before=pred_before,
        predicate_after=pred_after,
        locked=locked,
    )


def test_summarize_moves_counts_changes_and_leaves_locked_scores_out():
    all_moves = [
        move("up", "80", "82.5"),
        move("down", "77", "71", "Baik", "Cukup"),
        move("scheme-only", "80", "80"),
        move("locked", "60", "90", "Cukup", "Baik", locked=True),
    ]
    summary = summarize_moves(all_moves, employees=12)
    assert summary["employees"] == 12
    assert summary["scores_changed"] == 2  # up and down; the locked 30-point move is left out
    assert summary["predicates_changed"] == 1  # down; the locked one is left out
    assert summary["largest_change"] == Decimal(6)  # |71 − 77|, not the locked 30
    assert summary["locked"] == 1


def test_summarize_no_moves():
    summary = summarize_moves([], employees=3)
    assert summary == {
        "employees": 3,
        "scores_changed": 0,
        "predicates_changed": 0,
        "largest_change": Decimal(0),
        "locked": 0,
    }


def test_a_preview_of_a_unit_scheme_moves_only_that_unit():
    employees = {"e1": {"unit_id": "unit-keu"}, "e9": {"unit_id": "unit-umum"}}
    skp = {"e1": (Decimal(90), True), "e9": (Decimal(85), True)}
    before_schemes = [weighting()]
    after_schemes = [
        weighting(),
        weighting("keuangan", weights=SUPERIOR_ONLY, unit_ids=("unit-keu",)),
    ]
    before = score_cycle(inputs(e1_ratings(), skp, employees, before_schemes)).scores
    after = score_cycle(inputs(e1_ratings(), skp, employees, after_schemes)).scores
    [only] = moves(before, after)
    assert only.nip == "e1"
    assert (only.scheme_before, only.scheme_after) == ("default@v2", "keuangan@v2")
    # superior-only: behaviour 75; final 0.6·90 + 0.4·75 = 84 (was 82.932)
    assert only.final_after == Decimal("84.0")
    assert only.change == Decimal("1.068")


# --- effective weights ---------------------------------------------------------------------


def test_effective_weights_average_each_groups_renormalized_weight():
    superior_only = {"superior": {"weight": 1.0}, "self": {"weight": 0.0}}
    all_three = {
        "superior": {"weight": 0.5},
        "peer": {"weight": 0.25},
        "subordinate": {"weight": 0.25},
    }
    scores = [
        provisional("a", "80", "Baik", groups=superior_only),
        provisional("b", "80", "Baik", groups=all_three),
        provisional("skp-only", "80", "Baik"),  # no groups: not in the average
    ]
    assert effective_weights(scores) == {
        "peer": 0.125,
        "self": 0.0,
        "subordinate": 0.125,
        "superior": 0.75,
    }


def test_effective_weights_of_a_computed_cycle_show_the_uncounted_group_at_zero():
    scores = score_cycle(inputs(e1_ratings())).scores.values()
    weights = effective_weights(scores)
    assert weights["superior"] == pytest.approx(2 / 3, abs=1e-3)
    assert weights["peer"] == pytest.approx(1 / 3, abs=1e-3)
    assert weights["subordinate"] == 0.0
    assert effective_weights([]) == {}


# --- provisional SKP scores: no final score, no predicate, never a 0 ------------------------


def test_a_provisional_skp_gives_a_provisional_figure_without_a_predicate():
    skp = {"e1": SkpInput(Decimal(90), False, "2026-06-30")}
    score = score_cycle(inputs(e1_ratings(), skp=skp)).scores["e1"]
    assert score.skp_prorated_to == "2026-06-30"
    assert score.provisional_final_score == Decimal("82.932")  # 0.6·90 + 0.4·72.33
    assert (score.final_score, score.predicate) == (None, None)
    assert "skp_incomplete" in score.flags


def test_an_skp_not_yet_assessable_gives_no_figure_at_all():
    # the unit's head without realization: not 0.6·0 + 0.4·behaviour = "Buruk"
    skp = {"e1": SkpInput(None, False, "2026-06-30")}
    score = score_cycle(inputs(e1_ratings(), skp=skp)).scores["e1"]
    assert score.skp_score is None and score.behaviour_score == Decimal("72.33")
    assert (score.final_score, score.provisional_final_score, score.predicate) == (None,) * 3
    assert {"skp_incomplete", "skp_not_assessable"} <= set(score.flags)


def test_a_complete_skp_is_not_pro_rated_and_makes_the_final_score():
    score = score_cycle(inputs(e1_ratings(), skp={"e1": SkpInput(Decimal(90), True)})).scores["e1"]
    assert (score.final_score, score.predicate) == (Decimal("82.932"), "Baik")
    assert (score.provisional_final_score, score.skp_prorated_to) == (None, None)


def test_without_behaviour_there_is_no_figure_even_with_a_complete_skp():
    score = score_cycle(inputs([], skp={"e9": SkpInput(Decimal(90), True)})).scores["e9"]
    assert (score.final_score, score.provisional_final_score, score.predicate) == (None,) * 3
