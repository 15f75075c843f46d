"""Cycle reliability figures, checked against independent implementations.

Krippendorff's alpha is compared with the `krippendorff` package and ICC(1) with the
one-way ANOVA mean squares of `statsmodels`, on random unbalanced rounds; simulated rounds
with a known variance split check that ICC(1) recovers it.
"""

from __future__ import annotations

import dataclasses
import json
import math
from pathlib import Path

import krippendorff
import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from statsmodels.formula.api import ols
from statsmodels.stats.anova import anova_lm

from services.appraisal import reliability
from services.appraisal.reliability import (
    CycleReliability,
    Form,
    cycle_reliability,
    icc1,
    krippendorff_alpha_interval,
    leniency_share,
    one_way_anova,
    reliability_of_mean,
    spearman_brown,
)

SEEDS = range(6)
TOLERANCE = 1e-9


def random_round(
    seed: int, ratees: int = 25, raters: int = 30, max_raters: int = 10, noise_sd: float = 0.6
) -> list[Form]:
    """An unbalanced round: 1..max_raters raters per ratee drawn from a shared pool.

    Every eighth ratee has a single rater. Values are on the 1–5 form-mean scale with ratee,
    rater and noise parts, rounded to eighths as a mean over eight items would be.
    """
    rng = np.random.default_rng(seed)
    ratee_effect = rng.normal(0, 0.5, ratees)
    rater_effect = rng.normal(0, 0.4, raters)
    forms = []
    for ratee in range(ratees):
        count = 1 if ratee % 8 == 0 else int(rng.integers(1, max_raters + 1))
        for rater in rng.choice(raters, size=count, replace=False):
            value = 3.5 + ratee_effect[ratee] + rater_effect[rater] + rng.normal(0, noise_sd)
            forms.append((f"rater{rater}", f"ratee{ratee}", round(float(value) * 8) / 8))
    return forms


def as_matrix(forms: list[Form]) -> np.ndarray:
    """Raters × ratees with NaN where a rater did not rate, the `krippendorff` layout."""
    raters = sorted({rater for rater, _, _ in forms})
    ratees = sorted({ratee for _, ratee, _ in forms})
    matrix = np.full((len(raters), len(ratees)), np.nan)
    for rater, ratee, value in forms:
        matrix[raters.index(rater), ratees.index(ratee)] = value
    return matrix


def reference_alpha(forms: list[Form]) -> float:
    return float(
        krippendorff.alpha(reliability_data=as_matrix(forms), level_of_measurement="interval")
    )


def statsmodels_anova(forms: list[Form]) -> tuple[float, float, float]:
    """(MSB, MSW, n0) from statsmodels' one-way ANOVA over ratees with ≥ 2 ratings."""
    frame = pd.DataFrame(forms, columns=["rater", "ratee", "value"])
    frame = frame[frame.groupby("ratee")["value"].transform("size") >= 2]
    table = anova_lm(ols("value ~ C(ratee)", data=frame).fit())
    sizes = frame["ratee"].value_counts().to_numpy()
    total, groups = sizes.sum(), sizes.size
    n0 = (total - (sizes**2).sum() / total) / (groups - 1)
    return table.loc["C(ratee)", "mean_sq"], table.loc["Residual", "mean_sq"], n0


def reference_icc1(forms: list[Form]) -> float:
    msb, msw, n0 = statsmodels_anova(forms)
    return (msb - msw) / (msb + (n0 - 1) * msw)


def with_singletons(forms: list[Form]) -> bool:
    counts: dict[str, int] = {}
    for _, ratee, _ in forms:
        counts[ratee] = counts.get(ratee, 0) + 1
    return 1 in counts.values() and any(count >= 5 for count in counts.values())


# ---- Krippendorff's alpha -------------------------------------------------------------------


@pytest.mark.parametrize("seed", SEEDS)
def test_alpha_matches_the_krippendorff_package_on_unbalanced_rounds(seed):
    forms = random_round(seed)
    assert with_singletons(forms)  # the rounds do exercise unpairable units
    assert krippendorff_alpha_interval(forms) == pytest.approx(
        reference_alpha(forms), abs=TOLERANCE
    )


def test_alpha_reproduces_the_packages_documented_example():
    data = [
        [np.nan, np.nan, np.nan, np.nan, np.nan, 3, 4, 1, 2, 1, 1, 3, 3, np.nan, 3],
        [1, np.nan, 2, 1, 3, 3, 4, 3, np.nan, np.nan, np.nan, np.nan, np.nan, np.nan, np.nan],
        [np.nan, np.nan, 2, 1, 3, 4, 4, np.nan, 2, 1, 1, 3, 3, np.nan, 4],
    ]
    forms = [
        (f"coder{c}", f"unit{u}", float(value))
        for c, row in enumerate(data)
        for u, value in enumerate(row)
        if not math.isnan(value)
    ]
    assert round(krippendorff_alpha_interval(forms), 6) == 0.810845


def test_alpha_reproduces_krippendorffs_worked_example():
    # Krippendorff (2011), "Computing Krippendorff's alpha-reliability", four observers,
    # twelve units: interval alpha = 0.849.
    data = [
        [1, 2, 3, 3, 2, 1, 4, 1, 2, None, None, None],
        [1, 2, 3, 3, 2, 2, 4, 1, 2, 5, None, 3],
        [None, 3, 3, 3, 2, 3, 4, 2, 2, 5, 1, None],
        [1, 2, 3, 3, 2, 4, 4, 1, 2, 5, 1, None],
    ]
    forms = [
        (f"observer{o}", f"unit{u}", float(value))
        for o, row in enumerate(data)
        for u, value in enumerate(row)
        if value is not None
    ]
    assert round(krippendorff_alpha_interval(forms), 3) == 0.849


small_rounds = st.lists(
    st.tuples(st.integers(0, 5), st.integers(0, 6), st.integers(4, 20)),
    min_size=2,
    max_size=40,
    unique_by=lambda form: (form[0], form[1]),
).map(lambda rows: [(f"r{rater}", f"e{ratee}", value / 4) for rater, ratee, value in rows])


def pairable_groups(forms: list[Form]) -> dict[str, list[float]]:
    """Each ratee's values, for ratees with at least two forms."""
    by_ratee: dict[str, list[float]] = {}
    for _, ratee, value in forms:
        by_ratee.setdefault(ratee, []).append(value)
    return {ratee: values for ratee, values in by_ratee.items() if len(values) >= 2}


def pairable_values(forms: list[Form]) -> list[float]:
    return [value for values in pairable_groups(forms).values() for value in values]


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(small_rounds)
def test_alpha_matches_the_package_on_arbitrary_small_rounds(forms):
    alpha = krippendorff_alpha_interval(forms)
    if len(set(pairable_values(forms))) < 2:
        assert alpha is None  # no pairable unit, or no spread to disagree about
    else:
        assert alpha == pytest.approx(reference_alpha(forms), abs=TOLERANCE)


# ---- ICC(1) ---------------------------------------------------------------------------------


@pytest.mark.parametrize("seed", SEEDS)
def test_icc1_matches_statsmodels_anova_on_unbalanced_rounds(seed):
    forms = random_round(seed)
    assert with_singletons(forms)
    assert icc1(forms) == pytest.approx(reference_icc1(forms), abs=TOLERANCE)


@pytest.mark.parametrize("seed", SEEDS)
def test_icc1_matches_statsmodels_anova_on_balanced_rounds(seed):
    rng = np.random.default_rng(100 + seed)
    level = rng.normal(3.5, 0.5, 15)
    forms = [
        (f"rater{ratee}-{slot}", f"ratee{ratee}", float(level[ratee] + rng.normal(0, 0.7)))
        for ratee in range(15)
        for slot in range(4)
    ]
    anova = one_way_anova(forms)
    assert anova is not None and anova.n0 == pytest.approx(4)
    assert icc1(forms) == pytest.approx(reference_icc1(forms), abs=TOLERANCE)


@pytest.mark.parametrize("seed", SEEDS)
def test_the_anova_mean_squares_match_statsmodels(seed):
    forms = random_round(seed)
    msb, msw, n0 = statsmodels_anova(forms)
    anova = one_way_anova(forms)
    assert anova is not None
    assert anova.ms_between == pytest.approx(msb, rel=TOLERANCE)
    assert anova.ms_within == pytest.approx(msw, rel=TOLERANCE)
    assert anova.n0 == pytest.approx(n0, rel=TOLERANCE)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(small_rounds)
def test_icc1_matches_statsmodels_on_arbitrary_small_rounds(forms):
    result = icc1(forms)
    if len(pairable_groups(forms)) < 2 or len(set(pairable_values(forms))) < 2:
        assert result is None
    else:
        assert result == pytest.approx(reference_icc1(forms), abs=TOLERANCE)


@pytest.mark.parametrize("seed", SEEDS)
def test_reliability_of_mean_is_icc1k_from_the_anova(seed):
    forms = random_round(seed)
    msb, msw, n0 = statsmodels_anova(forms)
    assert reliability_of_mean(forms) == pytest.approx((msb - msw) / msb, abs=TOLERANCE)
    assert reliability_of_mean(forms) == pytest.approx(spearman_brown(icc1(forms), n0))


def test_icc1_recovers_the_true_variance_share_on_a_large_simulated_round():
    rng = np.random.default_rng(2024)
    true_variance, noise_variance = 1.0, 1.5
    forms = []
    for ratee in range(800):
        level = rng.normal(0, math.sqrt(true_variance))
        for slot in range(int(rng.integers(2, 11))):
            value = 3.0 + level + rng.normal(0, math.sqrt(noise_variance))
            forms.append((f"rater{ratee}-{slot}", f"ratee{ratee}", float(value)))
    expected = true_variance / (true_variance + noise_variance)  # 0.4
    assert icc1(forms) == pytest.approx(expected, abs=0.04)
    assert krippendorff_alpha_interval(forms) == pytest.approx(expected, abs=0.04)
    anova = one_way_anova(forms)
    assert reliability_of_mean(forms) == pytest.approx(spearman_brown(expected, anova.n0), abs=0.03)


def test_spearman_brown_follows_the_research_note_table():
    # rater_methods.md §1.3: peers .37 → .54 for 2, .75 for 5, .82 for 8
    assert [round(spearman_brown(0.37, k), 2) for k in (1, 2, 5, 8)] == [0.37, 0.54, 0.75, 0.82]


# ---- unbalanced handling and edge cases -----------------------------------------------------


def test_ratees_with_a_single_form_do_not_change_any_figure():
    forms = random_round(3)
    pairable = [f for f in forms if sum(1 for g in forms if g[1] == f[1]) >= 2]
    assert len(pairable) < len(forms)
    assert icc1(forms) == icc1(pairable)
    assert reliability_of_mean(forms) == reliability_of_mean(pairable)
    assert krippendorff_alpha_interval(forms) == krippendorff_alpha_interval(pairable)
    lone = forms + [("rater-new", "ratee-new", 1.0)]
    assert icc1(lone) == icc1(forms)


@pytest.mark.parametrize(
    "forms",
    [
        [],
        [("a", "x", 3.0)],
        [("a", "x", 3.0), ("b", "y", 4.0), ("c", "z", 2.0)],  # nobody pairable
        [("a", "x", 3.0), ("b", "x", 4.0), ("c", "y", 2.0)],  # one pairable ratee
        [("a", "x", 3.0), ("b", "x", 3.0), ("a", "y", 3.0), ("b", "y", 3.0)],  # no spread
    ],
)
def test_icc1_is_none_for_too_little_data(forms):
    assert icc1(forms) is None
    assert reliability_of_mean(forms) is None
    assert one_way_anova(forms) is None


def test_alpha_is_none_without_a_pairable_unit_or_spread():
    assert krippendorff_alpha_interval([]) is None
    assert krippendorff_alpha_interval([("a", "x", 3.0), ("b", "y", 4.0)]) is None
    assert krippendorff_alpha_interval([("a", "x", 3.0), ("b", "x", 3.0), ("c", "y", 5.0)]) is None
    # a single pairable unit with spread is defined (and maximally unreliable)
    assert krippendorff_alpha_interval([("a", "x", 3.0), ("b", "x", 4.0)]) == pytest.approx(
        reference_alpha([("a", "x", 3.0), ("b", "x", 4.0)])
    )


def test_perfect_agreement_gives_one():
    forms = [
        (f"rater{r}", f"ratee{e}", 2.0 + 0.1 * e)
        for e in range(6)
        for r in range(e % 3 + 2)  # 2..4 raters per ratee
    ]
    assert icc1(forms) == pytest.approx(1.0, abs=1e-12)
    assert reliability_of_mean(forms) == pytest.approx(1.0, abs=1e-12)
    assert krippendorff_alpha_interval(forms) == pytest.approx(1.0, abs=1e-12)


def test_no_difference_between_ratees_gives_a_negative_icc1_and_no_mean_reliability():
    forms = [("a", "x", 2.0), ("b", "x", 4.0), ("a", "y", 4.0), ("b", "y", 2.0)]
    assert icc1(forms) == pytest.approx(-1.0)  # −1/(n0 − 1) with n0 = 2
    assert reliability_of_mean(forms) is None


def test_a_rater_rating_a_ratee_twice_is_refused():
    with pytest.raises(ValueError, match="more than one form"):
        icc1([("a", "x", 3.0), ("a", "x", 4.0), ("b", "y", 2.0)])


def test_a_non_finite_value_is_refused():
    with pytest.raises(ValueError, match="not finite"):
        krippendorff_alpha_interval([("a", "x", 3.0), ("b", "x", math.nan)])


def test_generators_are_accepted():
    forms = random_round(1)
    assert icc1(iter(forms)) == icc1(forms)
    result = cycle_reliability(iter(forms), 0.1, 0.2, 0.3)
    assert result.icc1_raw == icc1(forms)
    assert result.forms == len(forms)


# ---- leniency share -------------------------------------------------------------------------


def test_leniency_share_is_the_rater_part_of_the_total():
    assert leniency_share(1.0, 2.0, 1.0) == pytest.approx(0.25)
    assert leniency_share(0.275, 0.25, 0.475) == pytest.approx(0.275)
    assert leniency_share(0.0, 1.0, 1.0) == 0.0
    assert leniency_share(2.0, 0.0, 0.0) == 1.0
    assert leniency_share(0.0, 0.0, 0.0) is None


@pytest.mark.parametrize("components", [(-0.1, 1.0, 1.0), (0.1, math.inf, 1.0), (0.1, 1, math.nan)])
def test_leniency_share_refuses_impossible_variances(components):
    with pytest.raises(ValueError):
        leniency_share(*components)


# ---- the cycle record -----------------------------------------------------------------------


def lenient_round(seed: int) -> tuple[list[Form], list[Form]]:
    """Raw forms with strong rater leniency, and the same forms with the leniency removed."""
    rng = np.random.default_rng(seed)
    leniency = rng.normal(0, 1.0, 40)
    level = rng.normal(3.5, 0.6, 60)
    raw, adjusted = [], []
    for ratee in range(60):
        for rater in rng.choice(40, size=int(rng.integers(1, 9)), replace=False):
            clean = float(level[ratee] + rng.normal(0, 0.4))
            raw.append((f"rater{rater}", f"ratee{ratee}", clean + float(leniency[rater])))
            adjusted.append((f"rater{rater}", f"ratee{ratee}", clean))
    return raw, adjusted


def test_cycle_reliability_collects_every_figure():
    raw, adjusted = lenient_round(5)
    result = cycle_reliability(raw, 1.0, 0.36, 0.16, predicates_changed=7)
    assert result.ratees == len({ratee for _, ratee, _ in raw})
    assert result.raters == len({rater for rater, _, _ in raw})
    assert result.forms == len(raw)
    assert result.icc1_raw == icc1(raw)
    assert result.reliability_of_mean_raw == reliability_of_mean(raw)
    assert result.alpha_raw == pytest.approx(reference_alpha(raw), abs=TOLERANCE)
    # after correction: the model's components, not statistics of forms the model adjusted
    assert result.icc1_adjusted == pytest.approx(0.36 / (0.36 + 0.16))
    n0 = one_way_anova(raw).n0
    assert result.reliability_of_mean_adjusted == pytest.approx(spearman_brown(0.36 / 0.52, n0))
    assert result.alpha_adjusted is None
    assert result.leniency_share == pytest.approx(1.0 / 1.52)
    assert result.predicates_changed == 7
    with pytest.raises(dataclasses.FrozenInstanceError):
        result.icc1_raw = 0.0


def test_as_dict_rounds_floats_and_keeps_none_and_counts():
    record = CycleReliability(
        ratees=12,
        raters=30,
        forms=57,
        icc1_raw=0.123456,
        icc1_adjusted=np.float64(0.98765),
        reliability_of_mean_raw=-0.00004,
        reliability_of_mean_adjusted=None,
        alpha_raw=0.33335,
        alpha_adjusted=None,
        leniency_share=1.0,
        predicates_changed=None,
    )
    data = record.as_dict()
    assert data == {
        "ratees": 12,
        "raters": 30,
        "forms": 57,
        "icc1_raw": 0.1235,
        "icc1_adjusted": 0.9877,
        "reliability_of_mean_raw": -0.0,
        "reliability_of_mean_adjusted": None,
        "alpha_raw": round(0.33335, 4),
        "alpha_adjusted": None,
        "leniency_share": 1.0,
        "predicates_changed": None,
    }
    assert type(data["icc1_adjusted"]) is float and type(data["ratees"]) is int
    assert json.loads(json.dumps(data)) == data


def test_the_module_stays_pure():
    source = Path(reliability.__file__).read_text(encoding="utf-8")
    for heavy in ("flask", "pymongo", "kombu", "pandas", "scipy", "statsmodels"):
        assert f"import {heavy}" not in source and f"from {heavy}" not in source
