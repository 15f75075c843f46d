"""The crossed random-effects model: REML against statsmodels' MixedLM, the leave-out, scale.

MixedLM fits the same model (one group, a variance component per random effect) by its own
optimizer; the fixed-point REML here must land on the same components and fixed effects.
"""

from dataclasses import replace

import numpy as np
import pytest

from bench import fairness
from services.appraisal import mixed_model

ORACLE_SIZE = fairness.Config(units=6, staff_per_unit=6)


def simulated_forms(config: fairness.Config, seed: int) -> mixed_model.Forms:
    """Every non-self form of a simulated round, all counted."""
    ratings, _ = fairness.simulate(config, seed)
    forms, _ = fairness._model_forms(ratings, fairness.units_of(config))
    return forms


@pytest.mark.parametrize(("seed", "peers"), [(1, 3), (2, 1), (3, 2)])
def test_reml_lands_where_statsmodels_mixedlm_does(seed, peers):
    forms = simulated_forms(replace(ORACLE_SIZE, peers_per_ratee=peers), seed)
    components, fixed = fairness.mixedlm_components(forms)
    residual = components["residual"]
    fit = mixed_model.fit(forms, robust=False)
    total = sum(fit.variances.values())
    for name in mixed_model.COMPONENTS:
        # both stop at a tolerance; a component at the boundary sits near 0 in both
        assert fit.variances[name] == pytest.approx(components[name], abs=0.01 * total)
    assert fit.variances["residual"] == pytest.approx(residual, rel=0.01)
    # the group offsets (statsmodels: intercept, then peer and subordinate)
    assert fit.group_offset[1:] == pytest.approx(fixed[1:], abs=0.05)


def test_the_prediction_errors_are_henderson_s():
    """c'C⁻¹c·σ²_ε equals the prediction-error variance from the marginal model's matrices."""
    forms = simulated_forms(ORACLE_SIZE, 4)
    fit = mixed_model.fit(forms, robust=False)
    given = mixed_model.fit(forms, robust=False, variances=fit.variances)
    n, v = len(forms.x), fit.variances
    columns = {
        "ratee_unit": forms.ratee_unit[forms.ratee],
        "ratee": forms.ratee,
        "rater_unit": forms.rater_unit[forms.rater],
        "rater": forms.rater,
    }
    z = {k: np.eye(int(c.max()) + 1)[c] for k, c in columns.items()}
    covariance = v["residual"] * np.eye(n) + sum(v[k] * z[k] @ z[k].T for k in z)
    x = np.column_stack([np.ones(n), forms.group == 1, forms.group == 2]).astype(float)
    inverse = np.linalg.inv(covariance)
    fixed_cov = np.linalg.inv(x.T @ inverse @ x)
    projection = inverse - inverse @ x @ fixed_cov @ x.T @ inverse
    for ratee in (0, 7, 20):
        # the level μ + t + a: its prediction error, fixed effects' uncertainty included
        unit = forms.ratee_unit[ratee]
        g = v["ratee_unit"] * z["ratee_unit"][:, unit] + v["ratee"] * z["ratee"][:, ratee]
        prior = v["ratee_unit"] + v["ratee"]
        c_fixed = np.array([1.0, 0.0, 0.0])
        # Var(ĉ − c) for c = μ + u: u's PEV, μ's variance and their cross term
        pev_u = prior - g @ projection @ g
        cross = c_fixed @ fixed_cov @ x.T @ inverse @ g
        expected = pev_u + c_fixed @ fixed_cov @ c_fixed - 2 * cross
        assert given.error_variance[ratee] == pytest.approx(expected, rel=1e-4)


def test_an_uncounted_form_moves_raters_but_not_its_ratee():
    forms = simulated_forms(ORACLE_SIZE, 5)
    hidden = np.flatnonzero(forms.ratee == 3)[:2]
    counts = np.ones(len(forms.x), dtype=bool)
    counts[hidden] = False
    marked = replace(forms, counts=counts)
    moved_x = forms.x.copy()
    moved_x[hidden] += np.array([25.0, -30.0])
    first = mixed_model.fit(marked)
    second = mixed_model.fit(replace(marked, x=moved_x))
    assert second.level[3] == pytest.approx(first.level[3], abs=1e-6)
    assert second.error_variance[3] == pytest.approx(first.error_variance[3], abs=1e-6)
    # the raters of the hidden forms were seen differently, and so were their other ratees
    raters = forms.rater[hidden]
    assert not np.allclose(first.rater_effect[raters], second.rater_effect[raters])


def test_the_sampled_solver_agrees_with_the_exact_one(monkeypatch):
    """The large-cycle path on a cycle the exact one also solves: levels and errors agree."""
    forms = simulated_forms(fairness.MEDIUM, 6)
    exact = mixed_model.fit(forms)
    monkeypatch.setattr(mixed_model, "EXACT_UNKNOWNS", 10)
    sampled = mixed_model.fit(forms)
    assert sampled.method == "sampled" and exact.method == "exact"
    # the components come from a sample of units there, so the levels agree closely, not
    # exactly; the errors are estimated from 200 probes (about ±10 %)
    assert np.corrcoef(sampled.level, exact.level)[0, 1] > 0.99
    ratio = np.sqrt(sampled.error_variance / exact.error_variance)
    assert 0.8 < float(np.median(ratio)) < 1.25


def test_a_lone_form_measures_nothing():
    forms = mixed_model.Forms(
        ratee=np.array([0]),
        rater=np.array([0]),
        group=np.array([0]),
        x=np.array([70.0]),
        counts=np.array([True]),
        ratee_unit=np.array([0]),
        rater_unit=np.array([0]),
    )
    fit = mixed_model.fit(forms)
    assert fit.level[0] == 70.0
    assert np.isnan(fit.error_variance[0])


def test_huber_weights_down_weight_what_a_normal_sample_would_and_leave_reml_alone():
    """On clean normal forms about 18 % lie beyond c = 1.345 standardized; so many, no more.

    With one peer per ratee most ratees have few forms: raw conditional residuals (a lone
    form's mostly absorbed by its ratee's level) once put 60 % of the forms beyond c, and the
    weights fed back into REML took the ratees' variance to a third of its value.
    """
    config = replace(fairness.SCENARIOS["few peers"](fairness.STANDARD), straight_liner_share=0.0)
    forms = simulated_forms(config, 5)
    robust = mixed_model.fit(forms)
    plain = mixed_model.fit(forms, robust=False)
    assert 0.08 <= np.mean(robust.weights < 1) <= 0.30
    for name in ("ratee", "rater", "residual"):
        assert robust.variances[name] == pytest.approx(plain.variances[name], rel=0.15)
