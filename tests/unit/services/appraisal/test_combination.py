import numpy as np
import pytest

from kinerja.errors import ValidationFailed
from services.appraisal.combination import (
    Rating,
    Scheme,
    combine_document,
    combine_ratings,
    find_straight_liners,
    renormalize_weights,
)

WEIGHTS = {"superior": 0.5, "peer": 0.3, "subordinate": 0.2, "self": 0.0}


def form(rater: str, ratee: str, group: str, scores: dict[str, float]) -> list[Rating]:
    return [Rating(rater, ratee, group, dim, score) for dim, score in scores.items()]


def small_case() -> list[Rating]:
    """One superior, two peers (below the threshold of 3), three subordinates, one self."""
    return [
        *form("boss", "e1", "superior", {"integritas": 80, "kerjasama": 70}),
        *form("p1", "e1", "peer", {"integritas": 60, "kerjasama": 60}),
        *form("p2", "e1", "peer", {"integritas": 62, "kerjasama": 64}),
        *form("s1", "e1", "subordinate", {"integritas": 90, "kerjasama": 80}),
        *form("s2", "e1", "subordinate", {"integritas": 85, "kerjasama": 75}),
        *form("s3", "e1", "subordinate", {"integritas": 95, "kerjasama": 85}),
        *form("e1", "e1", "self", {"integritas": 100, "kerjasama": 100}),
    ]


def test_weights_renormalize_over_the_groups_that_count():
    assert renormalize_weights(WEIGHTS, ["superior", "subordinate", "self"]) == pytest.approx(
        {"superior": 0.5 / 0.7, "subordinate": 0.2 / 0.7}
    )


def test_small_case_without_bias_correction_is_checkable_by_hand():
    result = combine_ratings(small_case(), Scheme(WEIGHTS, bias_correction=False)).ratees["e1"]
    groups = result.groups
    assert not groups["peer"].counted and groups["peer"].weight == 0
    assert groups["superior"].weight == pytest.approx(0.5 / 0.7)
    assert groups["subordinate"].weight == pytest.approx(0.2 / 0.7)
    # integritas: (.5·80 + .2·90)/.7 ; kerjasama: (.5·70 + .2·80)/.7
    assert result.dimensions["integritas"] == pytest.approx((40 + 18) / 0.7)
    assert result.dimensions["kerjasama"] == pytest.approx((35 + 16) / 0.7)
    assert result.score == pytest.approx(((40 + 18) / 0.7 + (35 + 16) / 0.7) / 2)
    assert groups["peer"].mean_raw == pytest.approx(61.5)
    assert groups["peer"].mean_adjusted == groups["peer"].mean_raw
    # 1 superior at .714 and 3 subordinates at .095 each: Kish's n_eff
    shares = [0.5 / 0.7] + [0.2 / 0.7 / 3] * 3
    assert result.effective_raters == pytest.approx(1 / sum(a * a for a in shares))


def test_self_ratings_never_enter_the_score_and_show_as_the_gap():
    with_self = combine_ratings(small_case(), Scheme(WEIGHTS, bias_correction=False))
    without = combine_ratings(
        [r for r in small_case() if r.group != "self"], Scheme(WEIGHTS, bias_correction=False)
    )
    score = with_self.ratees["e1"].score
    assert score == pytest.approx(without.ratees["e1"].score)
    assert with_self.ratees["e1"].self_gap == pytest.approx(100 - score)
    assert without.ratees["e1"].self_gap is None
    assert "e1" not in with_self.model.rater_effects  # self is kept out of the model
    # a large self weight changes nothing either
    heavy_self = combine_ratings(
        small_case(), Scheme({**WEIGHTS, "self": 5.0}, bias_correction=False)
    )
    assert heavy_self.ratees["e1"].score == pytest.approx(score)


def ranks(values: np.ndarray) -> np.ndarray:
    return np.argsort(np.argsort(values)).astype(float)


def simulate_leniency(seed: int, n_ratees: int = 30, n_raters: int = 12, per_ratee: int = 4):
    """Raters with a constant leniency each, randomly assigned (so the design is connected)."""
    rng = np.random.default_rng(seed)
    theta = rng.normal(70, 6, n_ratees)
    leniency = rng.normal(0, 8, n_raters)
    ratings = []
    for i in range(n_ratees):
        for j in rng.choice(n_raters, per_ratee, replace=False):
            for dim in ("integritas", "kerjasama", "disiplin"):
                score = theta[i] + leniency[j] + rng.normal(0, 2)
                ratings.append(Rating(f"r{j}", f"e{i}", "peer", dim, float(score)))
    return theta, ratings


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_bias_correction_removes_constant_leniency(seed):
    theta, ratings = simulate_leniency(seed)
    names = [f"e{i}" for i in range(len(theta))]

    def scores(bias_correction: bool) -> np.ndarray:
        scheme = Scheme({"peer": 1.0}, bias_correction=bias_correction)
        combination = combine_ratings(ratings, scheme)
        assert combination.model.components == 1
        return np.array([combination.ratees[n].score for n in names])

    raw, corrected = scores(False), scores(True)

    def spearman(estimate: np.ndarray) -> float:
        return float(np.corrcoef(ranks(estimate), ranks(theta))[0, 1])

    def rmse(estimate: np.ndarray, centred: bool = False) -> float:
        error = estimate - theta
        # The raters' average leniency cannot be told from the ratees' average level, so the
        # common offset is also shown removed.
        return float(np.sqrt(np.mean((error - (error.mean() if centred else 0)) ** 2)))

    assert spearman(corrected) > spearman(raw) + 0.05
    assert spearman(corrected) > 0.95
    assert rmse(corrected) < 0.9 * rmse(raw)
    assert rmse(corrected, centred=True) < 0.4 * rmse(raw, centred=True)


def test_a_straight_liner_is_excluded_and_flagged():
    ratings = []
    for i in range(5):
        for j in range(4):
            ratings += form(f"r{j}", f"e{i}", "peer", {"a": 60 + i + j, "b": 62 + i - j})
        ratings += form("lazy", f"e{i}", "peer", {"a": 80, "b": 80})
    assert find_straight_liners(ratings) == ["lazy"]
    combination = combine_ratings(ratings, Scheme({"peer": 1.0}))
    assert combination.excluded_raters == ["lazy"]
    assert "lazy" not in combination.model.rater_effects
    for i in range(5):
        result = combination.ratees[f"e{i}"]
        assert "straight_liner:lazy" in result.flags
        assert result.groups["peer"].raters == 4


def test_eight_identical_items_on_one_form_make_a_straight_liner():
    items = {f"item{k}": 70 for k in range(8)}
    assert find_straight_liners(form("r", "e", "peer", items)) == ["r"]
    assert find_straight_liners(form("r", "e", "peer", dict(list(items.items())[:7]))) == []


def test_two_disconnected_teams_are_two_components():
    ratings = []
    for team in ("a", "b"):
        for i in range(3):
            for j in range(3):
                ratings += form(f"{team}r{j}", f"{team}e{i}", "peer", {"x": 60 + 3 * i + j})
    combination = combine_ratings(ratings, Scheme({"peer": 1.0}))
    assert combination.model.components == 2
    # leniency is centred within each team, not across the two
    for team in ("a", "b"):
        effects = [v for r, v in combination.model.rater_effects.items() if r.startswith(team)]
        assert sum(effects) == pytest.approx(0, abs=1e-9)


def reliability_case() -> list[Rating]:
    """Ten ratees with six peers each, and one with a single peer and a superior."""
    rng = np.random.default_rng(7)
    ratings = []
    for i in range(10):
        level = 60 + 1.2 * i
        for j in rng.choice(12, 6, replace=False):
            ratings += form(f"r{j}", f"e{i}", "peer", {"x": float(level + rng.normal(0, 5))})
    ratings += form("r0", "thin", "peer", {"x": float(70 + rng.normal(0, 5))})
    ratings += form("boss", "thin", "superior", {"x": 72.0})
    return ratings


def test_reliability_falls_with_fewer_raters_and_flags_fire():
    scheme = Scheme({"superior": 0.2, "peer": 0.8}, min_raters={"superior": 1, "peer": 3})
    ratees = combine_ratings(reliability_case(), scheme).ratees
    full, thin = ratees["e0"], ratees["thin"]
    assert 0 <= thin.reliability < full.reliability <= 1
    assert thin.standard_error > full.standard_error
    assert full.flags == []
    # one peer is below 3, so only the superior's .2 of 1.0 counts
    assert {"few_raters", "thin_weight", "low_reliability"} <= set(thin.flags)
    assert thin.effective_raters == pytest.approx(1.0)


def test_a_ratee_with_only_self_ratings_has_no_score():
    ratings = [*small_case(), *form("e2", "e2", "self", {"integritas": 90})]
    result = combine_ratings(ratings, Scheme(WEIGHTS)).ratees["e2"]
    assert result.score is None
    assert "no_counted_group" in result.flags


def document(**changes) -> dict:
    doc = {
        "scheme": {"weights": dict(WEIGHTS), "min_raters": {"peer": 3}, "bias_correction": False},
        "ratings": [
            {
                "rater": r.rater,
                "ratee": r.ratee,
                "group": r.group,
                "dimension": r.dimension,
                "score": r.score,
            }
            for r in small_case()
        ],
    }
    doc.update(changes)
    return doc


def test_the_document_contract():
    out = combine_document(document())
    e1 = out["ratees"]["e1"]
    assert e1["score"] == pytest.approx((58 / 0.7 + 51 / 0.7) / 2)
    assert e1["groups"]["peer"] == {
        "raters": 2,
        "counted": False,
        "weight": 0.0,
        "mean_raw": 61.5,
        "mean_adjusted": 61.5,
    }
    assert set(e1) == {
        "score",
        "dimensions",
        "groups",
        "reliability",
        "standard_error",
        "effective_raters",
        "self_gap",
        "flags",
        "group_dimensions",
    }
    assert set(out["cycle"]) == {
        "rater_effects",
        "group_effects",
        "components",
        "lambda",
        "excluded_raters",
    }


def fields_of(doc) -> dict:
    with pytest.raises(ValidationFailed) as caught:
        combine_document(doc)
    return caught.value.fields


def test_validation_names_the_fields():
    bad = document()
    bad["ratings"][0]["group"] = "friend"
    bad["ratings"][1]["score"] = True
    bad["ratings"][2]["score"] = "80"
    del bad["ratings"][3]["rater"]
    bad["scheme"]["weights"]["peer"] = -1
    fields = fields_of(bad)
    assert set(fields) == {
        "ratings[0].group",
        "ratings[1].score",
        "ratings[2].score",
        "ratings[3].rater",
        "scheme.weights.peer",
    }


def test_validation_refuses_empty_and_weightless_documents():
    assert "ratings" in fields_of(document(ratings=[]))
    assert "scheme" in fields_of({"ratings": document()["ratings"]})
    zero = document(scheme={"weights": {"superior": 0, "peer": 0, "self": 1}})
    assert "scheme.weights" in fields_of(zero)
    assert "scheme.weights.boss" in fields_of(document(scheme={"weights": {"boss": 1}}))
    assert "document" in fields_of([1, 2])


def test_each_ratee_can_have_their_own_scheme():
    """HR's schemes apply per unit or position: one model fit, each ratee weighed by theirs."""
    ratings = small_case()
    superior_only = Scheme({"superior": 1.0}, bias_correction=False)
    shared = combine_ratings(ratings, Scheme(WEIGHTS, bias_correction=False))
    mixed = combine_ratings(
        ratings, lambda ratee: superior_only if ratee == "e1" else Scheme(WEIGHTS, False)
    )
    alone = combine_ratings(ratings, superior_only)
    assert mixed.ratees["e1"].score == pytest.approx(alone.ratees["e1"].score)
    assert mixed.ratees["e1"].score != pytest.approx(shared.ratees["e1"].score)
    for ratee in set(shared.ratees) - {"e1"}:
        assert mixed.ratees[ratee].score == shared.ratees[ratee].score


def test_group_dimension_means_feed_the_radar_chart():
    ratings = small_case()
    result = combine_ratings(ratings, Scheme(WEIGHTS, bias_correction=False)).ratees["e1"]
    for group, by_dimension in result.group_dimensions.items():
        for dimension, mean in by_dimension.items():
            scores = [
                r.score
                for r in ratings
                if r.ratee == "e1" and r.group == group and r.dimension == dimension
            ]
            assert mean == pytest.approx(sum(scores) / len(scores))
    assert "self" in result.group_dimensions
