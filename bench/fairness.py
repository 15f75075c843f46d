"""The fairness benchmark: simulate an organization's 360 round and score the estimators.

SCORING.md "The fairness benchmark": a known truth, raters with leniency, halo, noise,
self-inflation and straight-lining, the assignments the platform would generate, and
three estimators (the superior alone, a plain HR-weighted mean, the platform default)
compared against the truth by RMSE and Spearman rank correlation, with a plain mean of
all non-self raters as a control. Pure: numpy and the standard library only.

The assignments are `generate_assignments`' own, so they carry its design (SCORING.md step
7): `peers_per_ratee` siblings plus one peer from a neighbouring unit for every staff
member (heads, whose superior is the director, have no neighbouring units to draw from).
The "cross-team" scenarios add `cross_team_peers` more on top. Every estimator sees the
same ratings; the platform alone leaves out groups below the anonymity threshold.

The standard configuration follows the research note's baseline variance split (§4.3,
after Scullen, Mount & Goff): rater idiosyncrasy (leniency + halo, variance 52) is about
twice the ratee performance variance (25, 30 % of it between units).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace

import numpy as np

from kinerja.anonymity import DEFAULT_MIN_RATERS, PEER, SELF, SUBORDINATE, SUPERIOR
from services.appraisal import mixed_model
from services.appraisal.combination import (
    Rating,
    Scheme,
    combine_ratings,
    renormalize_weights,
)
from services.feedback.assignments import Person, generate_assignments

# PP 46/2011's behaviour aspects for every employee (kepemimpinan is for heads only).
DIMENSIONS = ("orientasi_pelayanan", "integritas", "komitmen", "disiplin", "kerja_sama")
POLICY_WEIGHTS = {SUPERIOR: 0.5, PEER: 0.25, SUBORDINATE: 0.25, SELF: 0.0}
DIRECTOR = "dir"

SUPERIOR_ALONE = "superior alone"
WEIGHTED_MEAN = "HR-weighted mean"
PLAIN_MEAN = "plain mean of all others"
PLAIN_COUNTED = "plain mean of counted ratings"
PLATFORM = "platform"
REFERENCE = "MixedLM (REML) reference"
TRUE_COMPONENTS = "the model with the true components"
METHODS = (SUPERIOR_ALONE, WEIGHTED_MEAN, PLAIN_MEAN, PLAIN_COUNTED, PLATFORM, TRUE_COMPONENTS)
COVERAGE_Z = 1.96


@dataclass(frozen=True)
class Config:
    """One simulated organization and its raters; scores on the 0–100 scale."""

    units: int = 20
    staff_per_unit: int = 10  # besides the unit's head; heads report to one director
    peers_per_ratee: int = 4
    dimensions: tuple[str, ...] = DIMENSIONS
    true_mean: float = 70.0
    true_sd: float = 5.0  # ratee performance, overall level
    team_share: float = 0.3  # of the true variance, between units
    dimension_sd: float = 3.0  # a ratee's profile around their own level
    leniency_sd: float = 6.0  # rater main effect
    halo_sd: float = 4.0  # rater × ratee shift, the same on every dimension
    noise_sd: float = 6.0  # per item
    group_offsets: dict[str, float] = field(
        default_factory=lambda: {SUPERIOR: 0.0, PEER: 2.0, SUBORDINATE: 3.0}
    )
    self_inflation: tuple[float, float] = (5.0, 10.0)
    straight_liner_share: float = 0.03
    shared_team_leniency: bool = False  # a unit's raters share a leniency culture
    team_leniency_sd: float = 4.0
    cross_team_raters: bool = False  # extra peers from other units, beyond the platform's
    cross_team_peers: int = 2
    isolated_units: int = 0  # units whose staff neither rate nor are rated across units


STANDARD = Config()
SMALL = Config(units=4, staff_per_unit=6, peers_per_ratee=3)
# the outside check's organization (SCORING.md): 15 units × 8 staff
MEDIUM = Config(units=15, staff_per_unit=8)
# a provincial agency: 1,000 units × 9 staff, 10,001 employees
LARGE = Config(units=1000, staff_per_unit=9)
SIZES = {"standard": STANDARD, "small": SMALL, "medium": MEDIUM, "large": LARGE}

# Each scenario is a change to the base configuration (research note §4.3).
SCENARIOS: dict[str, Callable[[Config], Config]] = {
    "standard": lambda c: c,
    "null": lambda c: replace(c, leniency_sd=0.0, shared_team_leniency=False),
    # one sibling and one cross-team peer: every staff member's peers are below the floor
    "few peers": lambda c: replace(c, peers_per_ratee=1),
    "isolated unit": lambda c: replace(c, isolated_units=1),
    "team leniency": lambda c: replace(c, shared_team_leniency=True, cross_team_raters=False),
    "team leniency + cross-team": lambda c: replace(
        c, shared_team_leniency=True, cross_team_raters=True
    ),
    "contaminated": lambda c: replace(c, straight_liner_share=0.10),
    "leniency-heavy": lambda c: replace(c, leniency_sd=9.0, halo_sd=3.0),
}


# --- Simulation -----------------------------------------------------------------------------


def organization(config: Config) -> list[Person]:
    """Units of a head and staff; the heads report to the director."""
    people = [Person(DIRECTOR, None, "u00")]
    for u in range(1, config.units + 1):
        unit = f"u{u:02d}"
        head = f"{unit}-h"
        people.append(Person(head, DIRECTOR, unit))
        people.extend(
            Person(f"{unit}-s{s:02d}", head, unit) for s in range(1, config.staff_per_unit + 1)
        )
    return people


def simulate(config: Config, seed: int) -> tuple[list[Rating], dict[str, float]]:
    """One round's ratings and each ratee's true overall behaviour (mean over dimensions)."""
    rng = np.random.default_rng(seed)
    people = organization(config)
    unit_of = {p.nip: p.unit_id for p in people}
    units = sorted(set(unit_of.values()))
    nips = [p.nip for p in people]
    n_dims = len(config.dimensions)

    team_sd = np.sqrt(config.team_share) * config.true_sd
    own_sd = np.sqrt(1.0 - config.team_share) * config.true_sd
    team_quality = dict(zip(units, rng.normal(0.0, team_sd, len(units)), strict=True))
    level = {n: config.true_mean + team_quality[unit_of[n]] + rng.normal(0.0, own_sd) for n in nips}
    true = {n: level[n] + rng.normal(0.0, config.dimension_sd, n_dims) for n in nips}

    leniency = dict(zip(nips, rng.normal(0.0, config.leniency_sd, len(nips)), strict=True))
    culture = dict(zip(units, rng.normal(0.0, config.team_leniency_sd, len(units)), strict=True))
    inflation = dict(zip(nips, rng.uniform(*config.self_inflation, len(nips)), strict=True))
    n_straight = int(round(config.straight_liner_share * len(nips)))
    straight = set(rng.choice(nips, size=n_straight, replace=False).tolist())

    pairs = [
        (a.rater, a.ratee, a.group) for a in generate_assignments(people, config.peers_per_ratee)
    ]
    isolated = set(units[1 : 1 + config.isolated_units])
    pairs = [
        (rater, ratee, group)
        for rater, ratee, group in pairs
        if group != PEER or (unit_of[rater] in isolated) == (unit_of[ratee] in isolated)
    ]
    if config.cross_team_raters:
        pairs += _cross_team_peers(people, pairs, config.cross_team_peers, rng)

    ratings = []
    for rater, ratee, group in pairs:
        if group == SELF:
            scores = true[ratee] + inflation[ratee] + rng.normal(0.0, config.noise_sd, n_dims)
        elif rater in straight:
            # one number on every item of every form: the rater's habitual level
            constant = round(config.true_mean + leniency[rater] + 5.0)
            scores = np.full(n_dims, float(constant))
        else:
            bias = leniency[rater] + config.group_offsets.get(group, 0.0)
            if config.shared_team_leniency:
                bias += culture[unit_of[rater]]
            halo = rng.normal(0.0, config.halo_sd)
            scores = true[ratee] + bias + halo + rng.normal(0.0, config.noise_sd, n_dims)
        scores = np.clip(np.round(scores), 0.0, 100.0)
        ratings.extend(
            Rating(rater, ratee, group, dim, float(s))
            for dim, s in zip(config.dimensions, scores, strict=True)
        )
    return ratings, {n: float(np.mean(true[n])) for n in nips}


def _cross_team_peers(
    people: list[Person],
    pairs: list[tuple[str, str, str]],
    per_ratee: int,
    rng: np.random.Generator,
) -> list[tuple[str, str, str]]:
    """Staff peers from other units at the same level (staff for staff, heads for heads)."""
    taken = {(r, e) for r, e, _ in pairs}
    level: dict[str, list[Person]] = defaultdict(list)
    for person in people:
        if person.supervisor_nip is not None:
            level["head" if person.supervisor_nip == DIRECTOR else "staff"].append(person)
    extra = []
    for same_level in level.values():
        for ratee in same_level:
            others = [p.nip for p in same_level if p.unit_id != ratee.unit_id]
            if not others:
                continue
            chosen = rng.choice(others, size=min(per_ratee, len(others)), replace=False)
            for rater in chosen.tolist():
                if (rater, ratee.nip) not in taken:
                    taken.add((rater, ratee.nip))
                    extra.append((rater, ratee.nip, PEER))
    return extra


# --- Estimators -------------------------------------------------------------------------------


def _forms(ratings: Iterable[Rating]) -> dict[str, dict[str, dict[str, list[float]]]]:
    """ratee → group → rater → that rater's item scores."""
    forms: dict[str, dict[str, dict[str, list[float]]]] = defaultdict(
        lambda: defaultdict(lambda: defaultdict(list))
    )
    for r in ratings:
        forms[r.ratee][r.group][r.rater].append(r.score)
    return forms


def superior_alone(ratings: Sequence[Rating]) -> dict[str, float]:
    """The superior's mean over items: the status quo."""
    return {
        ratee: float(np.mean([s for form in groups[SUPERIOR].values() for s in form]))
        for ratee, groups in _forms(ratings).items()
        if SUPERIOR in groups
    }


def weighted_mean(
    ratings: Sequence[Rating], weights: dict[str, float] = POLICY_WEIGHTS
) -> dict[str, float]:
    """Plain mean per group, HR weights renormalized over the groups present; no correction."""
    scores = {}
    for ratee, groups in _forms(ratings).items():
        present = renormalize_weights(weights, [g for g in groups if weights.get(g, 0.0) > 0])
        if present:
            scores[ratee] = sum(
                w * float(np.mean([s for form in groups[g].values() for s in form]))
                for g, w in present.items()
            )
    return scores


def plain_mean(ratings: Sequence[Rating]) -> dict[str, float]:
    """Mean over all non-self raters of each rater's form mean: the control."""
    scores = {}
    for ratee, groups in _forms(ratings).items():
        forms = [form for g, by_rater in groups.items() if g != SELF for form in by_rater.values()]
        if forms:
            scores[ratee] = float(np.mean([np.mean(form) for form in forms]))
    return scores


Estimate = dict[str, tuple[float, float | None]]  # ratee → (score, standard error or None)


def platform_default(
    ratings: Sequence[Rating],
    units: Mapping[str, str] | None = None,
    weights: dict[str, float] = POLICY_WEIGHTS,
) -> Estimate:
    """The platform's pipeline, `combine_ratings` with bias correction and default minimums."""
    scheme = Scheme(weights=dict(weights), bias_correction=True)
    combination = combine_ratings(ratings, scheme, units)
    return {
        e: (r.score, r.standard_error) for e, r in combination.ratees.items() if r.score is not None
    }


def plain_mean_counted(ratings: Sequence[Rating]) -> dict[str, float]:
    """The plain mean of the forms the anonymity floor lets count for each ratee."""
    scores = {}
    for ratee, groups in _forms(ratings).items():
        forms = [
            form
            for g, by_rater in groups.items()
            if g != SELF and len(by_rater) >= DEFAULT_MIN_RATERS.get(g, 1)
            for form in by_rater.values()
        ]
        if forms:
            scores[ratee] = float(np.mean([np.mean(form) for form in forms]))
    return scores


def true_components(config: Config) -> dict[str, float]:
    """The variance components the simulation draws from, in the model's terms.

    The truth is a ratee's mean over dimensions, so their profile's mean joins their level;
    a form's error is its halo plus the mean of its items' noise.
    """
    n_dims = len(config.dimensions)
    culture = config.team_leniency_sd**2 if config.shared_team_leniency else 0.0
    return {
        "ratee_unit": config.team_share * config.true_sd**2,
        "ratee": (1.0 - config.team_share) * config.true_sd**2 + config.dimension_sd**2 / n_dims,
        "rater_unit": max(culture, 1e-9),
        "rater": max(config.leniency_sd**2, 1e-9),
        "residual": config.halo_sd**2 + config.noise_sd**2 / n_dims,
    }


def with_true_components(
    ratings: Sequence[Rating], units: Mapping[str, str], config: Config
) -> Estimate:
    """The platform's model on the forms the floor lets count, given the true components.

    Where every rater rates as the model assumes, no estimate of the components does
    better on average: the ceiling of what the counted forms can tell (the straight-liners
    and the rounding to whole points aside, which the model does not know of).
    """
    forms, ratees = _model_forms(ratings, units, at_floor=True)
    fit = mixed_model.fit(forms, robust=False, variances=true_components(config))
    return {
        ratee: (float(fit.level[i]), float(np.sqrt(fit.error_variance[i])))
        for i, ratee in enumerate(ratees)
        if fit.level[i] == fit.level[i]
    }


def mixedlm_reference(ratings: Sequence[Rating], units: Mapping[str, str]) -> Estimate:
    """statsmodels' MixedLM (REML, the same crossed components) on every non-self form.

    The predictions and their error variances come from Henderson's equations with MixedLM's
    variance components. Every form counts, the anonymity floor aside: a reference, not a
    method the platform may use. Needs statsmodels and pandas; slow (tens of seconds a fit).
    """
    forms, ratees = _model_forms(ratings, units)
    variances, _ = mixedlm_components(forms)
    fit = mixed_model.fit(forms, robust=False, variances=variances)
    return {
        ratee: (float(fit.level[i]), float(np.sqrt(fit.error_variance[i])))
        for i, ratee in enumerate(ratees)
        if fit.level[i] == fit.level[i]
    }


def mixedlm_components(forms: mixed_model.Forms) -> tuple[dict[str, float], np.ndarray]:
    """statsmodels' REML variance components of the same model, and its fixed effects."""
    import warnings

    import pandas as pd
    import statsmodels.formula.api as smf

    frame = pd.DataFrame(
        {
            "x": forms.x,
            "group": forms.group,
            "ratee": forms.ratee,
            "rater": forms.rater,
            "ratee_unit": forms.ratee_unit[forms.ratee],
            "rater_unit": forms.rater_unit[forms.rater],
            "whole": 1,
        }
    )
    components = {name: f"0 + C({name})" for name in mixed_model.COMPONENTS}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # convergence chatter on boundary components
        model = smf.mixedlm(
            "x ~ C(group)", frame, groups="whole", re_formula="0", vc_formula=components
        )
        result = model.fit(reml=True, method=["lbfgs"])
    found = dict(zip(model.exog_vc.names, np.asarray(result.vcomp, dtype=float), strict=True))
    variances = {name: max(found[name], 1e-9) for name in mixed_model.COMPONENTS}
    variances["residual"] = float(result.scale)
    return variances, np.asarray(result.fe_params)


def _model_forms(
    ratings: Sequence[Rating], units: Mapping[str, str], at_floor: bool = False
) -> tuple[mixed_model.Forms, list[str]]:
    """Every non-self form of the round as the model's coded observations.

    All counted, or with `at_floor` those whose group reaches the anonymity floor.
    """
    forms = {
        (ratee, rater): (group, float(np.mean(scores)))
        for ratee, groups in _forms(ratings).items()
        for group, by_rater in groups.items()
        if group != SELF
        for rater, scores in by_rater.items()
    }
    ratees = sorted({ratee for ratee, _ in forms})
    raters = sorted({rater for _, rater in forms})
    unit_names = sorted({units[n] for n in ratees + raters})
    ratee_code = {n: k for k, n in enumerate(ratees)}
    rater_code = {n: k for k, n in enumerate(raters)}
    unit_code = {u: k for k, u in enumerate(unit_names)}
    group_code = {SUPERIOR: 0, PEER: 1, SUBORDINATE: 2}
    keys = sorted(forms)
    raters_in = defaultdict(int)
    for ratee, rater in keys:
        raters_in[ratee, forms[ratee, rater][0]] += 1
    counts = np.array(
        [
            not at_floor
            or raters_in[e, forms[e, r][0]] >= DEFAULT_MIN_RATERS.get(forms[e, r][0], 1)
            for e, r in keys
        ],
        dtype=bool,
    )
    coded = mixed_model.Forms(
        ratee=np.array([ratee_code[e] for e, _ in keys]),
        rater=np.array([rater_code[r] for _, r in keys]),
        group=np.array([group_code[forms[k][0]] for k in keys]),
        x=np.array([forms[k][1] for k in keys]),
        counts=counts,
        ratee_unit=np.array([unit_code[units[n]] for n in ratees]),
        rater_unit=np.array([unit_code[units[n]] for n in raters]),
    )
    return coded, ratees


def _without_errors(estimator: Callable[[Sequence[Rating]], dict[str, float]]):
    return lambda ratings, _units, _config: {e: (v, None) for e, v in estimator(ratings).items()}


ESTIMATORS: dict[str, Callable[[Sequence[Rating], Mapping[str, str], Config], Estimate]] = {
    SUPERIOR_ALONE: _without_errors(superior_alone),
    WEIGHTED_MEAN: _without_errors(weighted_mean),
    PLAIN_MEAN: _without_errors(plain_mean),
    PLAIN_COUNTED: _without_errors(plain_mean_counted),
    PLATFORM: lambda ratings, units, _config: platform_default(ratings, units),
    TRUE_COMPONENTS: with_true_components,
    REFERENCE: lambda ratings, units, _config: mixedlm_reference(ratings, units),
}


# --- Metrics ----------------------------------------------------------------------------------


def ranks(values: Sequence[float] | np.ndarray) -> np.ndarray:
    """Ranks 1..n, ties given their average rank."""
    x = np.asarray(values, dtype=float)
    order = np.argsort(x, kind="mergesort")
    sorted_x = x[order]
    result = np.empty(len(x))
    start = 0
    while start < len(x):
        end = start
        while end + 1 < len(x) and sorted_x[end + 1] == sorted_x[start]:
            end += 1
        result[order[start : end + 1]] = (start + end) / 2.0 + 1.0
        start = end + 1
    return result


def spearman(a: Sequence[float] | np.ndarray, b: Sequence[float] | np.ndarray) -> float:
    """Spearman's rho: Pearson correlation of the (average-tie) ranks."""
    ra, rb = ranks(a), ranks(b)
    ra, rb = ra - ra.mean(), rb - rb.mean()
    denominator = float(np.sqrt(np.sum(ra**2) * np.sum(rb**2)))
    return float(np.sum(ra * rb) / denominator) if denominator > 0 else float("nan")


def rmse(a: Sequence[float] | np.ndarray, b: Sequence[float] | np.ndarray) -> float:
    return float(np.sqrt(np.mean((np.asarray(a, float) - np.asarray(b, float)) ** 2)))


def units_of(config: Config) -> dict[str, str]:
    """Each person's unit, as the directory holds it."""
    return {person.nip: person.unit_id for person in organization(config)}


@dataclass(frozen=True)
class Figures:
    """One method on one simulated round."""

    rmse: float
    spearman: float
    coverage: float | None  # the share of true values inside ±1.96 SE


def evaluate(config: Config, seed: int, methods: Sequence[str] = METHODS) -> dict[str, Figures]:
    """Each method's figures on one simulated round, over the ratees every method scores."""
    ratings, truth = simulate(config, seed)
    units = units_of(config)
    estimates = {name: ESTIMATORS[name](ratings, units, config) for name in methods}
    ratees = sorted(set(truth).intersection(*estimates.values()))
    target = np.array([truth[e] for e in ratees])
    figures = {}
    for name, estimate in estimates.items():
        scores = np.array([estimate[e][0] for e in ratees])
        errors = [estimate[e][1] for e in ratees]
        coverage = (
            float(np.mean(np.abs(scores - target) <= COVERAGE_Z * np.array(errors, float)))
            if all(e is not None for e in errors)
            else None
        )
        figures[name] = Figures(rmse(scores, target), spearman(scores, target), coverage)
    return figures


# --- The table --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Row:
    """One scenario × method, summarized over seeds: mean and range."""

    scenario: str
    method: str
    rmse_mean: float
    rmse_min: float
    rmse_max: float
    rho_mean: float
    rho_min: float
    rho_max: float
    coverage_mean: float | None = None
    coverage_min: float | None = None


def run(
    config: Config,
    seeds: Iterable[int],
    scenarios: Sequence[str] | None = None,
    progress: Callable[[str, int], None] | None = None,
    methods: Sequence[str] = METHODS,
) -> list[Row]:
    """Every scenario (a change to `config`) × method over the seeds; calls progress per run."""
    seeds = list(seeds)
    rows = []
    for scenario in scenarios if scenarios is not None else list(SCENARIOS):
        scenario_config = SCENARIOS[scenario](config)
        results: dict[str, list[Figures]] = defaultdict(list)
        for seed in seeds:
            for method, figures in evaluate(scenario_config, seed, methods).items():
                results[method].append(figures)
            if progress is not None:
                progress(scenario, seed)
        for method in methods:
            errors = np.array([f.rmse for f in results[method]])
            rhos = np.array([f.spearman for f in results[method]])
            coverages = [f.coverage for f in results[method] if f.coverage is not None]
            rows.append(
                Row(
                    scenario,
                    method,
                    float(errors.mean()),
                    float(errors.min()),
                    float(errors.max()),
                    float(rhos.mean()),
                    float(rhos.min()),
                    float(rhos.max()),
                    float(np.mean(coverages)) if coverages else None,
                    float(np.min(coverages)) if coverages else None,
                )
            )
    return rows


def markdown(rows: Sequence[Row]) -> str:
    """The table as Markdown: RMSE, Spearman and SE coverage, mean [min–max] over seeds."""
    lines = [
        "| scenario | method | RMSE mean [min–max] | Spearman mean [min–max] "
        "| ±1.96 SE coverage mean (min) |",
        "|---|---|---|---|---|",
    ]
    for r in rows:
        coverage = (
            f"{r.coverage_mean:.1%} ({r.coverage_min:.1%})" if r.coverage_mean is not None else "—"
        )
        lines.append(
            f"| {r.scenario} | {r.method} "
            f"| {r.rmse_mean:.2f} [{r.rmse_min:.2f}–{r.rmse_max:.2f}] "
            f"| {r.rho_mean:.3f} [{r.rho_min:.3f}–{r.rho_max:.3f}] | {coverage} |"
        )
    return "\n".join(lines)
