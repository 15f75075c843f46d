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
    # leniency is centred within each team, not across the two (up to the near-flat prior
    # on the mean: a hundredth of the ratings' spread)
    for team in ("a", "b"):
        effects = [v for r, v in combination.model.rater_effects.items() if r.startswith(team)]
        assert sum(effects) == pytest.approx(0, abs=0.05)


def reliability_case() -> list[Rating]:
    """Ten ratees with a superior and six peers each, and one with a single peer and a superior."""
    rng = np.random.default_rng(7)
    ratings = []
    for i in range(10):
        level = 60 + 1.2 * i
        ratings += form("boss", f"e{i}", "superior", {"x": float(level + rng.normal(0, 5))})
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
    assert not {"few_raters", "single_rater", "thin_weight"} & set(full.flags)
    # one peer is below 3, so only the superior's .2 of 1.0 counts
    assert {"few_raters", "thin_weight", "low_reliability", "single_rater"} <= set(thin.flags)
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
        "effective_weight": 0.0,
        "reliability": None,
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
        "excluded_raters",
        "variance_components",
        "method",
        "residual_variance",
        "rater_variance",
        "ratee_variance",
        "perspective_variance",
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


# --- Step 3: empirical-Bayes groups, anonymity, the model's variance components -----------


def simulate_groups(
    seed: int,
    perspective_sd: float,
    n_ratees: int = 40,
    peers: int = 5,
    superiors: int = 8,
    pool: int = 30,
):
    """Each ratee: one superior (of `superiors`) and `peers` peers from a pool.

    `perspective_sd` is how much the superior's view of a ratee really differs from the
    peers' (a per-ratee shift only the superior sees); leniency and noise as usual.
    """
    rng = np.random.default_rng(seed)
    theta = rng.normal(70, 6, n_ratees)
    leniency = {f"s{k}": rng.normal(0, 5) for k in range(superiors)}
    leniency.update({f"p{k}": rng.normal(0, 5) for k in range(pool)})
    ratings = []
    for i in range(n_ratees):
        boss = f"s{i % superiors}"
        view = rng.normal(0, perspective_sd)
        level = theta[i] + leniency[boss] + view + rng.normal(0, 3)
        ratings += form(boss, f"e{i}", "superior", {"a": level, "b": level + rng.normal(0, 2)})
        for k in rng.choice(pool, peers, replace=False):
            level = theta[i] + leniency[f"p{k}"] + 2.0 + rng.normal(0, 3)
            ratings += form(f"p{k}", f"e{i}", "peer", {"a": level, "b": level + rng.normal(0, 2)})
    return theta, ratings


def test_without_real_perspective_differences_the_groups_pool():
    """σ²_p ≈ 0: HR's weights have nothing real to act on, so they barely move a score."""
    _, ratings = simulate_groups(1, perspective_sd=0.0)
    combination = combine_ratings(ratings, Scheme({"superior": 0.5, "peer": 0.5}))
    superior_heavy = combine_ratings(ratings, Scheme({"superior": 0.9, "peer": 0.1}))
    assert combination.perspective_variance < 2.0
    for ratee, result in combination.ratees.items():
        groups = result.groups
        assert groups["superior"].weight == pytest.approx(0.5)  # the policy, as configured
        assert groups["superior"].effective_weight < 0.3  # one rater of six, nearly
        assert sum(g.effective_weight for g in groups.values()) == pytest.approx(1.0)
        assert 0 <= groups["superior"].reliability <= groups["peer"].reliability <= 1
        assert abs(result.score - superior_heavy.ratees[ratee].score) < 0.25
        assert result.effective_raters > 3.5  # HR weights alone would give 1/(.25+.05) = 3.3


def test_real_perspective_differences_keep_the_policy_weights():
    """A superior who sees what peers don't (sd 10): their mean keeps more of its weight.

    One σ²_p serves every group, and the model's residual holds part of the superior's own
    view, so the estimate is conservative; the weight still moves well above one rater's.
    Where the superior's view departs most, the Huber weight takes it for an outlier and
    gives it less (one form cannot tell the two apart), so this holds on average.
    """
    _, ratings = simulate_groups(2, perspective_sd=10.0)
    combination = combine_ratings(ratings, Scheme({"superior": 0.5, "peer": 0.5}))
    assert combination.perspective_variance > 10.0
    superiors = [result.groups["superior"] for result in combination.ratees.values()]
    assert np.mean([g.reliability for g in superiors]) > 0.2
    assert np.mean([g.effective_weight for g in superiors]) > 0.2  # pooled: 1/6
    assert np.mean([g.effective_weight > 1 / 6 for g in superiors]) > 0.75


def test_the_platform_pools_better_than_the_policy_weights_alone():
    theta, ratings = simulate_groups(3, perspective_sd=0.0)
    names = [f"e{i}" for i in range(len(theta))]
    scheme = Scheme({"superior": 0.5, "peer": 0.5})
    corrected = combine_ratings(ratings, scheme).ratees
    plain = combine_ratings(ratings, Scheme(scheme.weights, bias_correction=False)).ratees

    def error(results) -> float:
        estimate = np.array([results[n].score for n in names])
        centred = estimate - theta - np.mean(estimate - theta)
        return float(np.sqrt(np.mean(centred**2)))

    assert error(corrected) < 0.8 * error(plain)


def hidden_peers_case(peer_scores: tuple[float, float]) -> list[Rating]:
    """Ten ratees with a superior and four peers; e0 also has two peers below the threshold."""
    rng = np.random.default_rng(11)
    ratings = []
    for i in range(10):
        ratings += form(f"boss{i % 3}", f"e{i}", "superior", {"a": 70.0 + i, "b": 68.0 + i})
        for j in rng.choice(8, 4, replace=False):
            ratings += form(f"p{j}", f"e{i}", "peer", {"a": float(rng.integers(60, 90))})
        ratings += form(f"s{i}", f"e{i}", "subordinate", {"a": float(rng.integers(60, 90))})
        ratings += form(f"t{i}", f"e{i}", "subordinate", {"a": float(rng.integers(60, 90))})
    # e0's subordinates are two: hidden. Those two raters also rate visibly elsewhere.
    low, high = peer_scores
    ratings = [r for r in ratings if not (r.ratee == "e0" and r.group == "subordinate")]
    ratings += form("s5", "e0", "subordinate", {"a": low, "b": low + 1})
    ratings += form("s6", "e0", "subordinate", {"a": high, "b": high - 3})
    return ratings


def test_a_hidden_group_never_reaches_its_ratees_score():
    """Anonymity: whatever the two hidden answers are, e0's published figures stay put.

    The hidden answers may tell how lenient their two raters are, which moves the ratees
    those raters rate visibly; e0's own score leaves them out exactly, and moves by
    nothing: the cycle's variance components are estimated on counted forms alone.
    """
    scheme = Scheme({"superior": 0.5, "peer": 0.3, "subordinate": 0.2})
    first = combine_ratings(hidden_peers_case((40.0, 95.0)), scheme)
    second = combine_ratings(hidden_peers_case((90.0, 61.0)), scheme)
    hidden = first.ratees["e0"].groups["subordinate"]
    assert (hidden.raters, hidden.counted, hidden.effective_weight) == (2, False, 0.0)
    assert first.ratees["e0"].groups["subordinate"].mean_raw != (
        second.ratees["e0"].groups["subordinate"].mean_raw
    )
    e0, again = first.ratees["e0"], second.ratees["e0"]
    assert e0.score == pytest.approx(again.score, abs=1e-9)
    assert e0.dimensions == pytest.approx(again.dimensions, abs=1e-9)
    assert e0.standard_error == pytest.approx(again.standard_error, abs=1e-9)
    assert e0.reliability == pytest.approx(again.reliability, abs=1e-9)
    for group in ("superior", "peer"):
        assert e0.groups[group].raters == again.groups[group].raters
        assert e0.groups[group].mean_raw == again.groups[group].mean_raw
    # the hidden answers did inform their raters' leniency
    assert first.model.rater_effects["s5"] != second.model.rater_effects["s5"]


def test_without_leniency_the_correction_fades():
    """No rater effects in the data: the rater components fall near 0, b stays near 0."""
    rng = np.random.default_rng(5)
    ratings = []
    for i in range(40):
        level = rng.normal(70, 6)
        for j in rng.choice(15, 5, replace=False):
            ratings += form(f"r{j}", f"e{i}", "peer", {"a": float(level + rng.normal(0, 5))})
    model = combine_ratings(ratings, Scheme({"peer": 1.0})).model
    # 15 raters show a little rater variance by chance; nothing like the noise
    assert model.rater_variance < 0.1 * model.residual_variance
    assert max(abs(b) for b in model.rater_effects.values()) < 2.0  # noise: 5 per form


def test_the_variance_components_are_recovered_on_a_large_round():
    """300 ratees (sd 6) × 6 of 100 raters with leniency sd 4 and noise 5: REML finds them."""
    rng = np.random.default_rng(6)
    leniency = rng.normal(0, 4, 100)
    ratings = []
    for i in range(300):
        level = rng.normal(70, 6)
        for j in rng.choice(100, 6, replace=False):
            score = level + leniency[j] + rng.normal(0, 5)
            ratings += form(f"r{j}", f"e{i}", "peer", {"a": float(score)})
    model = combine_ratings(ratings, Scheme({"peer": 1.0})).model
    assert model.ratee_variance == pytest.approx(36, rel=0.25)
    assert model.rater_variance == pytest.approx(16, rel=0.35)
    assert model.residual_variance == pytest.approx(25, rel=0.15)


def test_a_group_offset_the_design_measures_is_recovered():
    """Offset +2, told from the groups' average leniency (sd 5/√60 and 5/√150) by the prior."""
    _, ratings = simulate_groups(
        4, perspective_sd=0.0, n_ratees=180, peers=6, superiors=60, pool=150
    )
    model = combine_ratings(ratings, Scheme({"superior": 0.5, "peer": 0.5})).model
    assert model.group_effects["superior"] == 0.0  # the reference
    assert model.group_effects["peer"] == pytest.approx(2.0, abs=1.5)


def test_an_offset_nothing_identifies_stays_zero():
    """Subordinates rate only a ratee nobody else rates: their offset is not estimable."""
    ratings = []
    for i in range(4):
        ratings += form("boss", f"e{i}", "superior", {"a": 70.0 + 3 * i})
        for j in range(3):
            ratings += form(f"p{(i + j) % 5}", f"e{i}", "peer", {"a": 72.0 + 2 * i + j})
    for j in range(3):
        ratings += form(f"e{j}", "head", "subordinate", {"a": 80.0 + j})
    combination = combine_ratings(ratings, Scheme(WEIGHTS))
    assert combination.model.group_effects["subordinate"] == pytest.approx(0.0, abs=1e-6)
    assert all(np.isfinite(r.score) for r in combination.ratees.values())


def test_a_dimension_one_group_skipped_is_weighted_over_the_groups_that_answered():
    ratings = [
        *form("boss", "e1", "superior", {"integritas": 80}),  # N/A on kerjasama
        *form("p1", "e1", "peer", {"integritas": 60, "kerjasama": 50}),
        *form("p2", "e1", "peer", {"integritas": 62, "kerjasama": 54}),
        *form("p3", "e1", "peer", {"integritas": 64, "kerjasama": 58}),
    ]
    result = combine_ratings(ratings, Scheme(WEIGHTS, bias_correction=False)).ratees["e1"]
    assert result.dimensions["integritas"] == pytest.approx((0.5 * 80 + 0.3 * 62) / 0.8)
    assert result.dimensions["kerjasama"] == pytest.approx(54)
    assert result.group_dimensions["superior"] == {"integritas": 80}


def test_an_unknown_group_is_refused():
    with pytest.raises(ValueError, match="friend"):
        combine_ratings(form("r", "e", "friend", {"a": 1.0}), Scheme({"peer": 1.0}))


def test_a_scheme_function_may_build_a_new_scheme_for_every_ratee():
    """Schemes built per call (as HR's stored schemes are) each apply to their own ratee."""
    ratings = []
    for i in range(6):
        ratings += form("boss", f"e{i}", "superior", {"a": 70.0 + i})
        ratings += form(f"p{i}", f"e{i}", "peer", {"a": 50.0 + i})
        ratings += form(f"q{i}", f"e{i}", "peer", {"a": 52.0 + i})
        ratings += form(f"r{i}", f"e{i}", "peer", {"a": 54.0 + i})

    def scheme_for(ratee: str) -> Scheme:
        weights = {"superior": 1.0} if int(ratee[1:]) % 2 else {"superior": 0.5, "peer": 0.5}
        return Scheme(dict(weights), bias_correction=False)

    results = combine_ratings(ratings, scheme_for).ratees
    for i in range(6):
        result = results[f"e{i}"]
        expected = 70.0 + i if i % 2 else (70.0 + i + 52.0 + i) / 2
        assert result.score == pytest.approx(expected)
        assert result.groups["superior"].weight == (1.0 if i % 2 else 0.5)


def test_one_units_scheme_leaves_everyone_elses_results_alone():
    """The model, σ²_p and σ²_T are the cycle's: changing e0–e9's scheme moves only them."""
    _, ratings = simulate_groups(5, perspective_sd=3.0)
    default = Scheme({"superior": 0.5, "peer": 0.5})
    own = Scheme({"superior": 1.0}, min_raters={"superior": 1, "peer": 6}, bias_correction=False)
    before = combine_ratings(ratings, default)
    after = combine_ratings(ratings, lambda e: own if int(e[1:]) < 10 else default)
    assert after.ratees["e0"].score != before.ratees["e0"].score
    for i in range(10, 40):
        assert after.ratees[f"e{i}"] == before.ratees[f"e{i}"]


def test_one_rater_is_never_more_reliable_than_one_rating():
    """A ratee only their superior can score (the peers below the floor) gets about the
    single-rater reliability of the cycle's components, and the flag; never 0.99."""
    from bench import fairness
    from services.appraisal import mixed_model
    from services.appraisal.combination import LOW_RELIABILITY

    config = fairness.SCENARIOS["few peers"](fairness.MEDIUM)
    ratings, _ = fairness.simulate(config, 3)
    combination = combine_ratings(
        ratings, Scheme(dict(fairness.POLICY_WEIGHTS)), fairness.units_of(config)
    )
    single = mixed_model.single_rater_reliability(combination.model.variances)
    alone = [r for r in combination.ratees.values() if "single_rater" in r.flags]
    assert len(alone) > 50  # the floor hides every staff member's two peers
    for result in alone:
        # the unit's level, measured by the teammates, adds a little to the one rating
        assert single < result.reliability < 2 * single < LOW_RELIABILITY
        assert "low_reliability" in result.flags
        assert result.standard_error > 3.0  # of a 0–100 score with one rating's noise


def rating_doc(score, **extra) -> dict:
    return {
        "rater": "boss",
        "ratee": "e1",
        "group": "superior",
        "dimension": "integritas",
        "score": score,
        **extra,
    }


@pytest.mark.parametrize("score", [150, -50, 1e308, float("nan"), float("inf")])
def test_a_score_off_the_scale_or_not_finite_is_refused_naming_the_rating(score):
    doc = {"scheme": {"weights": {"superior": 1.0}}, "ratings": [rating_doc(80), rating_doc(score)]}
    doc["ratings"][1]["ratee"] = "e2"
    with pytest.raises(ValidationFailed) as refused:
        combine_document(doc)
    assert list(refused.value.fields) == ["ratings[1].score"]


def test_a_declared_scale_is_the_one_scores_are_checked_against():
    doc = {"scheme": {"weights": {"superior": 1.0}, "scale": [1, 5]}, "ratings": [rating_doc(4)]}
    assert combine_document(doc)["ratees"]["e1"]["score"] == pytest.approx(4.0)
    doc["ratings"][0]["score"] = 80
    with pytest.raises(ValidationFailed) as refused:
        combine_document(doc)
    assert "[1, 5]" in refused.value.fields["ratings[0].score"][0]
    for scale in ([5, 1], [0, 1e9], "0-100", [0]):
        with pytest.raises(ValidationFailed) as refused:
            combine_document(
                {"scheme": {"weights": {"superior": 1}, "scale": scale}, "ratings": []}
            )
        assert "scheme.scale" in refused.value.fields


def test_a_rater_rating_themself_under_another_group_is_refused():
    doc = {
        "scheme": {"weights": {"peer": 1.0}},
        "ratings": [rating_doc(80, rater="e1", group="peer")],
    }
    with pytest.raises(ValidationFailed) as refused:
        combine_document(doc)
    assert refused.value.fields == {
        "ratings[0].group": ["a rater who rates themself is in the self group"]
    }
    with pytest.raises(ValueError, match="rates themself as peer"):
        combine_ratings([Rating("e1", "e1", "peer", "x", 80.0)], Scheme({"peer": 1.0}))


def test_a_lone_rating_has_a_score_but_no_measured_uncertainty():
    result = combine_document(
        {"scheme": {"weights": {"superior": 1.0}}, "ratings": [rating_doc(80)]}
    )["ratees"]["e1"]
    assert result["score"] == pytest.approx(80.0)
    assert result["standard_error"] is None and result["reliability"] is None
    assert {"single_rater", "reliability_unknown"} <= set(result["flags"])


def test_a_group_the_scheme_hides_never_reaches_a_lone_ratee():
    """The scheme asks four peers, three answered: the superior's 80 alone is the score."""
    ratings = [
        *form("head", "e9", "superior", {"a": 80, "b": 80}),
        *(form(f"p{k}", "e9", "peer", {"a": 40 + k, "b": 40 + k}) for k in range(3)),
    ]
    ratings = [r for chunk in ratings for r in (chunk if isinstance(chunk, list) else [chunk])]
    scheme = Scheme({"superior": 0.5, "peer": 0.5}, min_raters={"superior": 1, "peer": 4})
    result = combine_ratings(ratings, scheme).ratees["e9"]
    assert result.score == pytest.approx(80.0)
    assert result.groups["peer"].counted is False


def test_a_cycle_with_nothing_at_the_floor_scores_nobody_and_does_not_fail():
    """Two peers of one ratee, nobody else: the recompute must finish, with no score."""
    ratings = [Rating(p, "e1", "peer", "a", 50.0 + k) for k, p in enumerate(["p1", "p2"])]
    result = combine_ratings(ratings, Scheme({"superior": 0.5, "peer": 0.5})).ratees["e1"]
    assert result.score is None and "no_counted_group" in result.flags
