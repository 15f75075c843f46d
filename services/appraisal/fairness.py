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
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field, replace

import numpy as np

from services.appraisal.combination import (
    PEER,
    SELF,
    SUBORDINATE,
    SUPERIOR,
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
WEIGHTED_MEAN = "weighted mean"
PLATFORM = "platform default"
PLAIN_MEAN = "plain mean (control)"
METHODS = (SUPERIOR_ALONE, WEIGHTED_MEAN, PLATFORM, PLAIN_MEAN)


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


STANDARD = Config()
SMALL = Config(units=4, staff_per_unit=6, peers_per_ratee=3)
SIZES = {"standard": STANDARD, "small": SMALL}

# Each scenario is a change to the base configuration (research note §4.3).
SCENARIOS: dict[str, Callable[[Config], Config]] = {
    "standard": lambda c: c,
    "leniency-heavy": lambda c: replace(c, leniency_sd=9.0, halo_sd=3.0),
    "few peers": lambda c: replace(c, peers_per_ratee=2),
    "contaminated": lambda c: replace(c, straight_liner_share=0.10),
    "team leniency": lambda c: replace(c, shared_team_leniency=True, cross_team_raters=False),
    "team leniency + cross-team": lambda c: replace(
        c, shared_team_leniency=True, cross_team_raters=True
    ),
    "null": lambda c: replace(c, leniency_sd=0.0, shared_team_leniency=False),
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


def platform_default(
    ratings: Sequence[Rating], weights: dict[str, float] = POLICY_WEIGHTS
) -> dict[str, float]:
    """The platform's pipeline, `combine_ratings` with bias correction and default minimums."""
    combination = combine_ratings(ratings, Scheme(weights=dict(weights), bias_correction=True))
    return {e: r.score for e, r in combination.ratees.items() if r.score is not None}


ESTIMATORS: dict[str, Callable[[Sequence[Rating]], dict[str, float]]] = {
    SUPERIOR_ALONE: superior_alone,
    WEIGHTED_MEAN: weighted_mean,
    PLATFORM: platform_default,
    PLAIN_MEAN: plain_mean,
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


def evaluate(config: Config, seed: int) -> dict[str, tuple[float, float]]:
    """Each method's (RMSE, Spearman) on one simulated round, over ratees all three score."""
    ratings, truth = simulate(config, seed)
    estimates = {name: estimator(ratings) for name, estimator in ESTIMATORS.items()}
    common = set(truth).intersection(*(estimates[name] for name in METHODS))
    ratees = sorted(common)
    target = [truth[e] for e in ratees]
    return {
        name: (rmse([est[e] for e in ratees], target), spearman([est[e] for e in ratees], target))
        for name, est in estimates.items()
    }


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


def run(
    config: Config,
    seeds: Iterable[int],
    scenarios: Sequence[str] | None = None,
    progress: Callable[[str, int], None] | None = None,
) -> list[Row]:
    """Every scenario (a change to `config`) × method over the seeds; calls progress per run."""
    seeds = list(seeds)
    rows = []
    for scenario in scenarios if scenarios is not None else list(SCENARIOS):
        scenario_config = SCENARIOS[scenario](config)
        results: dict[str, list[tuple[float, float]]] = defaultdict(list)
        for seed in seeds:
            for method, figures in evaluate(scenario_config, seed).items():
                results[method].append(figures)
            if progress is not None:
                progress(scenario, seed)
        for method in METHODS:
            errors = np.array([f[0] for f in results[method]])
            rhos = np.array([f[1] for f in results[method]])
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
                )
            )
    return rows


def markdown(rows: Sequence[Row]) -> str:
    """The table as Markdown: RMSE and Spearman, mean [min–max] over seeds."""
    lines = [
        "| scenario | method | RMSE mean [min–max] | Spearman mean [min–max] |",
        "|---|---|---|---|",
    ]
    for r in rows:
        lines.append(
            f"| {r.scenario} | {r.method} "
            f"| {r.rmse_mean:.2f} [{r.rmse_min:.2f}–{r.rmse_max:.2f}] "
            f"| {r.rho_mean:.3f} [{r.rho_min:.3f}–{r.rho_max:.3f}] |"
        )
    return "\n".join(lines)
