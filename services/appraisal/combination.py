"""Combining 360 ratings into behaviour scores: screening, rater effects, weights, reliability.

The default pipeline of SCORING.md for one cycle and one framework:

1. **Screen.** A straight-liner (one score on every item of ≥ 4 ratees, or on ≥ 8 items of
   one form) is excluded as a whole; the ratees they rated carry a flag.
2. **Model.** On every non-self form (a rater's mean over the items for one ratee) fit
   `x = θ[ratee] + δ[group] + b[rater] + ε` as penalized least squares: rater effects
   random, shrunk by m/(m+λ); each round solves the normal equations by conjugate
   gradients, then re-estimates σ²_ε (on the degrees of freedom the fit leaves), σ²_b (the
   REML fixed point Σb²/γ) and so λ = σ²_ε/σ²_b, and Huber weights for outlying forms
   from the third round on. With no leniency in the data σ²_b falls toward 0, λ rises to
   its bound and the correction fades away. The group offsets δ are shrunk by how well the
   design tells them from the raters' leniency (with one director as the heads' only
   superior it cannot), and an offset nothing identifies is 0. The model, like every
   cycle-level figure, is fitted once for the cycle whatever each ratee's scheme, on the
   groups at or above the anonymity floor (`DEFAULT_MIN_RATERS`): a group below it never
   enters, so its answers cannot move any score, and one unit's scheme cannot move
   another unit's scores.
3. **Combine.** Adjusted forms `x − b − δ`. Per counted group the mean, shrunk toward the
   ratee's pooled mean (every counted rater weighing the same) by the group's reliability
   ρ = σ²_p / (σ²_p + error variance of the group's mean), where σ²_p, the real differences
   between perspectives, is estimated from the cycle (research note §2.3). HR's weights,
   renormalized over the counted groups, then act on the shrunk means. When the groups
   show no real perspective differences, a small group (one superior) mostly lends its
   weight to the pooled mean, which is what keeps one rater's noise and leniency from
   carrying half of a score. A scheme without bias correction gets the plain HR-weighted
   group means: no adjustment and no shrinkage.
4. **Scores** per dimension (weights renormalized over the groups that answered it) and
   overall (the mean of the dimensions).
5. **Reliability.** Each rater's share of the score (the group's effective weight over its
   raters) gives the score's standard error and the effective number of raters.

Pure and vectorized: the ratings are coded once into integer arrays and every step is a
numpy group-by (`np.bincount`), so a cycle of 10,000 ratees takes seconds; Python loops
remain only to read the input and to build the result objects.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np

from kinerja.errors import ValidationFailed

SUPERIOR, PEER, SUBORDINATE, SELF = "superior", "peer", "subordinate", "self"
GROUPS = (SUPERIOR, PEER, SUBORDINATE, SELF)
DEFAULT_MIN_RATERS = {SUPERIOR: 1, PEER: 3, SUBORDINATE: 3}
GROUP_INDEX = {g: n for n, g in enumerate(GROUPS)}
SELF_INDEX = GROUP_INDEX[SELF]

# Screening rules (research note §2.6): identical answers across this many ratees or items.
STRAIGHT_LINE_RATEES = 4
STRAIGHT_LINE_ITEMS = 8

PINNED = 1e12  # a ridge that holds an unknown at 0
OFFSET_GRID = 200  # points of the posterior of the offsets' spread τ
MAX_ROUNDS = 100  # of re-estimating λ and the Huber weights
ROUND_CHANGE = 1e-4  # largest change of θ, δ, b (score points) that ends the rounds
LAMBDA_TOLERANCE = 1e-3  # relative change of λ that ends the rounds
# relative residual of the normal equations: loose while λ and the weights still move
ROUND_TOLERANCE, FINAL_TOLERANCE = 1e-6, 1e-10
CG_MAX_STEPS = 1000
HUBER_AFTER_ROUNDS = 3
HUBER_C = 1.345  # 95 % efficiency at the normal
LAMBDA_START = 2.0
# λ = σ²_ε/σ²_b; bounded so that a noise-free or a rater-free cycle neither trusts one
# rating completely nor ignores leniency completely.
LAMBDA_MIN, LAMBDA_MAX = 0.25, 50.0

LOW_RELIABILITY = 0.60
FEW_RATERS = 3


@dataclass(frozen=True)
class Rating:
    """One rater's score for one ratee on one dimension (item) of the framework."""

    rater: str
    ratee: str
    group: str
    dimension: str
    score: float


@dataclass(frozen=True)
class Scheme:
    """HR's policy: weight per group, the raters a group needs to count, and bias correction.

    `bias_correction` runs steps 2–3 of the pipeline (adjustment and reliability-weighted
    groups); without it the score is the plain HR-weighted mean of the group means.
    """

    weights: dict[str, float]
    min_raters: dict[str, int] = field(default_factory=lambda: dict(DEFAULT_MIN_RATERS))
    bias_correction: bool = True


@dataclass(frozen=True)
class GroupResult:
    """One group's part in a ratee's score, before and after adjustment."""

    raters: int
    counted: bool
    weight: float  # HR's weight, renormalized over the counted groups (the policy)
    mean_raw: float
    mean_adjusted: float
    # the share the group's own mean really has in the score, after reliability (the
    # pooled mean's part spread over the groups by their raters); 0 when not counted
    effective_weight: float = 0.0
    # how far the group's mean is trusted against the ratee's pooled mean (empirical
    # Bayes); None when the group does not count or the scheme does not correct
    reliability: float | None = None


@dataclass(frozen=True)
class RateeResult:
    """A ratee's behaviour score with its reliability and the flags for HR review."""

    score: float | None
    dimensions: dict[str, float]
    groups: dict[str, GroupResult]
    reliability: float | None
    standard_error: float | None
    effective_raters: float | None
    self_gap: float | None
    flags: list[str]
    # group → dimension → mean (adjusted for others, as given for self): the radar chart
    group_dimensions: dict[str, dict[str, float]] = field(default_factory=dict)


@dataclass(frozen=True)
class RaterEffects:
    """The cycle's fitted additive model: leniency per rater, shift per group."""

    rater_effects: dict[str, float]
    group_effects: dict[str, float]
    components: int
    lam: float
    residual_variance: float
    rater_variance: float
    ratings_per_rater: dict[str, float]
    ratee_levels: dict[str, float]


@dataclass(frozen=True)
class Combination:
    """The whole cycle's result."""

    ratees: dict[str, RateeResult]
    model: RaterEffects
    excluded_raters: list[str]
    # σ²_p: the variance of real differences between the groups' views of one ratee
    perspective_variance: float = 0.0


# --- Coding the ratings -----------------------------------------------------------------


@dataclass(frozen=True)
class _Coded:
    """The ratings as arrays, one entry per rating; names are sorted, codes index them."""

    raters: list[str]
    ratees: list[str]
    dimensions: list[str]
    rater: np.ndarray
    ratee: np.ndarray
    group: np.ndarray
    dimension: np.ndarray
    score: np.ndarray


def _code_names(values: list[str]) -> tuple[list[str], np.ndarray]:
    """The distinct names, sorted, and each value's position among them."""
    names = sorted(dict.fromkeys(values))
    position = {name: n for n, name in enumerate(names)}
    return names, np.fromiter(map(position.__getitem__, values), np.int64, len(values))


def _code(ratings: Sequence[Rating]) -> _Coded:
    raters, rater = _code_names([r.rater for r in ratings])
    ratees, ratee = _code_names([r.ratee for r in ratings])
    dimensions, dimension = _code_names([r.dimension for r in ratings])
    try:
        group = np.fromiter((GROUP_INDEX[r.group] for r in ratings), np.int64, len(ratings))
    except KeyError as unknown:
        raise ValueError(f"unknown rater group {unknown}; use one of {GROUPS}") from None
    score = np.fromiter((r.score for r in ratings), float, len(ratings))
    return _Coded(raters, ratees, dimensions, rater, ratee, group, dimension, score)


def _group_by(*columns: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Rows grouped by integer columns: each group's first row, and each row's group."""
    key = np.zeros(len(columns[0]), dtype=np.int64)
    for column in columns:
        key = key * (int(column.max(initial=0)) + 1) + column
    _, first, inverse = np.unique(key, return_index=True, return_inverse=True)
    return first, inverse.reshape(-1)


def _mean(index: np.ndarray, values: np.ndarray, n: int) -> np.ndarray:
    """Mean of values per index (NaN where an index has none)."""
    count = np.bincount(index, minlength=n)
    total = np.bincount(index, weights=values, minlength=n)
    with np.errstate(invalid="ignore", divide="ignore"):
        return total / count


# --- 1. Screening -----------------------------------------------------------------------


def find_straight_liners(ratings: Iterable[Rating]) -> list[str]:
    """Raters who gave one identical score everywhere (≥ 4 ratees) or on ≥ 8 items of one ratee.

    Such a rater is excluded as a whole, from the model and from every score; the ratees
    they rated carry a "straight_liner:<rater>" flag, so nothing is dropped silently.
    """
    coded = _code(list(ratings))
    return [coded.raters[j] for j in np.flatnonzero(_straight_liners(coded))]


def _straight_liners(coded: _Coded) -> np.ndarray:
    """Per rater code: is the rater a straight-liner (self ratings aside)?"""
    n_raters = len(coded.raters)
    others = coded.group != SELF_INDEX
    rater, score = coded.rater[others], coded.score[others]
    if not len(rater):
        return np.zeros(n_raters, dtype=bool)
    # one form per (rater, ratee); an item "differs" from the first item of its form/rater
    first, form = _group_by(rater, coded.ratee[others])
    flat_form = (np.bincount(form) >= STRAIGHT_LINE_ITEMS) & (
        np.bincount(form, weights=score != score[first][form]) == 0
    )
    present, rater_first = np.unique(rater, return_index=True)
    first_score = np.zeros(n_raters)
    first_score[present] = score[rater_first]
    uniform = np.bincount(rater, weights=score != first_score[rater], minlength=n_raters) == 0
    ratees_rated = np.bincount(rater[first], minlength=n_raters)
    within_form = np.bincount(rater[first], weights=flat_form, minlength=n_raters) > 0
    return ((ratees_rated >= STRAIGHT_LINE_RATEES) & uniform) | within_form


# --- 2. Additive rater-effects model ------------------------------------------------------


@dataclass(frozen=True)
class _Forms:
    """Non-self forms (a rater's mean over items for one ratee): the model's observations."""

    raters: list[str]
    ratees: list[str]
    groups: list[str]
    rater_idx: np.ndarray
    ratee_idx: np.ndarray
    group_idx: np.ndarray
    x: np.ndarray


@dataclass(frozen=True)
class _Fit:
    """The model as arrays, indexed like its `_Forms`."""

    theta: np.ndarray
    delta: np.ndarray
    b: np.ndarray
    ratings_per_rater: np.ndarray
    components: int
    lam: float
    sigma2_e: float
    sigma2_b: float


def connected_components(forms: _Forms) -> np.ndarray:
    """Each rater's component in the rater–ratee graph; leniency is identified only within one."""
    n_raters = len(forms.raters)
    parent = list(range(n_raters + len(forms.ratees)))

    def root(node: int) -> int:
        while parent[node] != node:
            parent[node] = parent[parent[node]]
            node = parent[node]
        return node

    # one edge per (rater, ratee) pair is enough, whatever the groups
    pairs = set(zip(forms.rater_idx.tolist(), (forms.ratee_idx + n_raters).tolist(), strict=True))
    for rater, ratee in pairs:
        parent[root(rater)] = root(ratee)
    roots = [root(n) for n in range(n_raters)]
    labels = {r: n for n, r in enumerate(dict.fromkeys(roots))}
    return np.array([labels[r] for r in roots], dtype=int)


def fit_rater_effects(forms: _Forms) -> RaterEffects:
    """Fit x = θ[ratee] + δ[group] + b[rater] + ε; rater effects shrunk by m/(m+λ), robust."""
    return _effects(forms, _fit(forms))


def _fit(forms: _Forms) -> _Fit:
    """Penalized least squares for θ, δ, b, alternating with λ and the Huber weights.

    Each round solves the normal equations for the current weights and λ by conjugate
    gradients (plain backfitting crawls along the direction that trades δ against the
    raters' mean leniency, and had not converged after 50 sweeps), then re-estimates σ²_ε,
    σ²_b and the Huber weights from the residuals. A last solve shrinks the group offsets
    by how well the design identifies them (`_offset_penalty`).
    """
    design = _Design.of(forms)
    x = forms.x
    ratings_per_rater = np.bincount(forms.rater_idx, minlength=design.n_raters).astype(float)
    theta, delta, b = design.split(np.zeros(design.size))
    if not len(x):
        return _Fit(theta, delta, b, ratings_per_rater, 0, LAMBDA_START, 0.0, 0.0)
    component = connected_components(forms)
    n_components = int(component.max()) + 1

    solution = np.zeros(design.size)
    w = np.ones(len(x))
    lam = LAMBDA_START
    sigma2_e, sigma2_b = 0.0, 0.0
    fixed_parameters = design.n_ratees + design.n_groups - 1
    for round_ in range(MAX_ROUNDS):
        previous, previous_lam = solution, lam
        solution = _solve(design, x, w, design.penalty(lam), solution, ROUND_TOLERANCE)
        b = design.split(solution)[2]
        residual = x - design.predict(solution)
        # The rater effects use γ = Σ m/(m+λ) degrees of freedom, less one per component
        # (their sum there is taken by θ). σ²_ε on what is left after θ, δ and b, unweighted:
        # Huber weights down-weight outliers in the fit but must not shrink the scale.
        # σ²_b = Σb²/γ is the REML fixed point (MacKay's update), which unlike the EM step
        # falls fast when the data hold no leniency at all.
        m = np.bincount(forms.rater_idx, weights=w, minlength=design.n_raters)
        rater_parameters = max(float(np.sum(m / (m + lam))) - n_components, 0.0)
        dof = len(x) - fixed_parameters - rater_parameters
        sigma2_e = float(np.sum(residual**2) / max(dof, 1.0))
        sigma2_b = float(np.sum(b**2) / rater_parameters) if rater_parameters > 0 else 0.0
        lam = _bounded_lambda(sigma2_e, sigma2_b)
        if round_ + 1 >= HUBER_AFTER_ROUNDS and sigma2_e > 0:
            w = np.minimum(1.0, HUBER_C / np.maximum(np.abs(residual) / math.sqrt(sigma2_e), 1e-12))
        settled = abs(lam - previous_lam) <= LAMBDA_TOLERANCE * previous_lam
        if settled and np.max(np.abs(solution - previous)) < ROUND_CHANGE:
            break
    offset_penalty = _offset_penalty(design, w, lam, solution, sigma2_e, sigma2_b)
    penalty = design.penalty(lam, offset_penalty)
    solution = _solve(design, x, w, penalty, solution, FINAL_TOLERANCE)
    theta, delta, b = design.split(solution)
    # At the optimum the rater effects sum to 0 in each component (the component's level is
    # θ's); centring only removes what the solver's tolerance left.
    sizes = np.bincount(component, minlength=n_components)
    b = b - (np.bincount(component, weights=b, minlength=n_components) / sizes)[component]
    return _Fit(theta, delta, b, ratings_per_rater, n_components, lam, sigma2_e, sigma2_b)


def _offset_penalty(
    design: _Design,
    w: np.ndarray,
    lam: float,
    solution: np.ndarray,
    sigma2_e: float,
    sigma2_b: float,
) -> np.ndarray:
    """The ridge on each group offset δ_g that makes the offsets random, δ_g ~ N(0, τ²).

    A group offset is told apart from leniency only by comparing the groups' ratings of the
    same ratees, so the superiors' average leniency sits in the peer offset's estimate: with
    5 superiors its spread is σ_b/√5, as large as the offset itself. Each δ̂_g has variance
    s²_g = σ²_ε·(A⁻¹)_gg from the normal equations. The spread τ of real offsets has a flat
    prior up to the whole spread of one rating, √(σ²_ε + σ²_b); given δ̂_g ~ N(0, τ² + s²_g)
    each offset keeps the posterior mean of τ²/(τ² + s²_g) of itself (the maximum-likelihood
    τ would be 0 whenever two noisy offsets happen to be small). Hardly any shrinkage where
    the design measures δ, a lot where it cannot.
    """
    offsets = design.split(solution)[1][1:]
    if not len(offsets) or sigma2_e <= 0:
        return np.zeros(len(offsets))
    inverse_diagonal = np.full(len(offsets), 1.0 / PINNED)
    for g in np.flatnonzero(~design.unidentified):
        unit = np.zeros(design.size)
        unit[design.n_ratees + g] = 1.0
        column = _solve(
            design, None, w, design.penalty(lam), np.zeros(design.size), FINAL_TOLERANCE, unit
        )
        inverse_diagonal[g] = column[design.n_ratees + g]
    inverse_diagonal = np.clip(inverse_diagonal, 1.0 / PINNED, None)  # solver noise, not < 0
    variances = sigma2_e * inverse_diagonal
    spreads = np.linspace(0.0, math.sqrt(sigma2_e + sigma2_b), OFFSET_GRID)[:, None] ** 2
    total = spreads + variances
    log_likelihood = -0.5 * np.sum(np.log(total) + offsets**2 / total, axis=1)
    posterior = np.exp(log_likelihood - log_likelihood.max())
    kept = (posterior @ (spreads / total)) / posterior.sum()
    # a ridge p on δ_g with information 1/(A⁻¹)_gg keeps about information/(information + p)
    information = 1.0 / inverse_diagonal
    return np.minimum(information * (1.0 - kept) / np.maximum(kept, 1.0 / PINNED), PINNED)


@dataclass(frozen=True)
class _Design:
    """The model's unknowns packed in one vector: θ per ratee, δ per group but the first, b."""

    ratee: np.ndarray
    group: np.ndarray
    rater: np.ndarray
    n_ratees: int
    n_groups: int
    n_raters: int
    # per group but the first: no ratee has its forms beside another group's, so nothing
    # tells its offset from the ratees' levels (the director's only superior excluded, say)
    unidentified: np.ndarray

    @classmethod
    def of(cls, forms: _Forms) -> _Design:
        n_ratees, n_groups = len(forms.ratees), len(forms.groups)
        first, _ = _group_by(forms.ratee_idx, forms.group_idx)
        groups_of_ratee = np.bincount(forms.ratee_idx[first], minlength=n_ratees)
        compared = groups_of_ratee[forms.ratee_idx] >= 2
        identified = np.bincount(forms.group_idx[compared], minlength=n_groups) > 0
        return cls(
            forms.ratee_idx,
            forms.group_idx,
            forms.rater_idx,
            n_ratees,
            n_groups,
            len(forms.raters),
            ~identified[1:],
        )

    @property
    def size(self) -> int:
        return self.n_ratees + max(self.n_groups - 1, 0) + self.n_raters

    def penalty(self, lam: float, offset_penalty: float | np.ndarray = 0.0) -> np.ndarray:
        """The ridge on each unknown: none on θ, σ²_ε/τ² on δ (δ ≡ 0 if unidentified), λ on b."""
        penalty = np.zeros(self.size)
        penalty[self.n_ratees : self.size - self.n_raters] = np.where(
            self.unidentified, PINNED, offset_penalty
        )
        penalty[self.size - self.n_raters :] = lam
        return penalty

    def split(self, u: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """θ, δ (the reference group's 0 included) and b from the packed vector."""
        theta = u[: self.n_ratees]
        delta = np.concatenate([[0.0], u[self.n_ratees : self.size - self.n_raters]])
        return theta, delta[: self.n_groups], u[self.size - self.n_raters :]

    def predict(self, u: np.ndarray) -> np.ndarray:
        theta, delta, b = self.split(u)
        return theta[self.ratee] + delta[self.group] + b[self.rater]

    def transpose(self, values: np.ndarray) -> np.ndarray:
        """X'v: the sums of values per ratee, per group (the reference dropped), per rater."""
        return np.concatenate(
            [
                np.bincount(self.ratee, weights=values, minlength=self.n_ratees),
                np.bincount(self.group, weights=values, minlength=self.n_groups)[1:],
                np.bincount(self.rater, weights=values, minlength=self.n_raters),
            ]
        )


def _solve(
    design: _Design,
    x: np.ndarray | None,
    w: np.ndarray,
    penalty: np.ndarray,
    start: np.ndarray,
    tolerance: float,
    rhs: np.ndarray | None = None,
) -> np.ndarray:
    """Solve (X'WX + diag(penalty)) u = X'Wx (or = rhs) by Jacobi-preconditioned CG."""

    def normal(u: np.ndarray) -> np.ndarray:
        return design.transpose(w * design.predict(u)) + penalty * u

    diagonal = design.transpose(w) + penalty  # indicator columns: X'WX's diagonal is X'w
    diagonal[diagonal <= 0] = 1.0
    if rhs is None:
        rhs = design.transpose(w * x)
    target = tolerance**2 * _dot(rhs, rhs)
    u = start.copy()
    r = rhs - normal(u)
    z = r / diagonal
    p = z.copy()
    rz = _dot(r, z)
    for _ in range(CG_MAX_STEPS):
        if _dot(r, r) <= target or rz <= 0:
            break
        q = normal(p)
        step = rz / _dot(p, q)
        u += step * p
        r -= step * q
        z = r / diagonal
        rz, previous = _dot(r, z), rz
        p = z + (rz / previous) * p
    return u


def _dot(a: np.ndarray, b: np.ndarray) -> float:
    # not a @ b: BLAS may spread a dot product over threads, which on a busy host (the
    # worker shares it) costs far more than summing on one core
    return float(np.sum(a * b))


def _effects(forms: _Forms, fit: _Fit) -> RaterEffects:
    return RaterEffects(
        rater_effects=dict(zip(forms.raters, fit.b.tolist(), strict=True)),
        group_effects=dict(zip(forms.groups, fit.delta.tolist(), strict=True)),
        components=fit.components,
        lam=float(fit.lam),
        residual_variance=fit.sigma2_e,
        rater_variance=fit.sigma2_b,
        ratings_per_rater=dict(zip(forms.raters, fit.ratings_per_rater.tolist(), strict=True)),
        ratee_levels=dict(zip(forms.ratees, fit.theta.tolist(), strict=True)),
    )


def _weighted_mean(index: np.ndarray, weighted: np.ndarray, w: np.ndarray, n: int) -> np.ndarray:
    total = np.bincount(index, weights=w, minlength=n)
    return np.bincount(index, weights=weighted, minlength=n) / np.where(total > 0, total, 1.0)


def _bounded_lambda(sigma2_e: float, sigma2_b: float) -> float:
    if sigma2_b <= 0:
        return LAMBDA_MAX
    return min(max(sigma2_e / sigma2_b, LAMBDA_MIN), LAMBDA_MAX)


# --- 3–5. Adjust, combine, reliability ------------------------------------------------------


def renormalize_weights(weights: Mapping[str, float], counted: Iterable[str]) -> dict[str, float]:
    """HR weights rescaled to sum to 1 over the counted groups; self never counts."""
    present = {g: weights.get(g, 0.0) for g in counted if g != SELF}
    total = sum(present.values())
    return {g: w / total for g, w in present.items()} if total > 0 else {}


SchemeFor = Callable[[str], Scheme]  # a ratee's scheme: HR's schemes apply by unit or position


@dataclass(frozen=True)
class _Policies:
    """Each ratee's scheme as arrays: ratee × group weights and minimums, and the switch."""

    weights: np.ndarray
    min_raters: np.ndarray
    corrected: np.ndarray
    configured: np.ndarray  # the sum of the scheme's non-self weights

    @classmethod
    def of(cls, ratees: list[str], scheme_for: SchemeFor) -> _Policies:
        # One row per scheme object. The cache holds the scheme itself: a function that makes a
        # new Scheme per call would otherwise let a freed object's id() come back for another.
        rows: dict[int, tuple[Scheme, tuple[list[float], list[int], bool, float]]] = {}
        weights, min_raters, corrected, configured = [], [], [], []
        for ratee in ratees:
            scheme = scheme_for(ratee)
            cached = rows.get(id(scheme))
            if cached is not None and cached[0] is scheme:
                row = cached[1]
            else:
                row = (
                    [0.0 if g == SELF else scheme.weights.get(g, 0.0) for g in GROUPS],
                    [scheme.min_raters.get(g, 1) for g in GROUPS],
                    scheme.bias_correction,
                    sum(w for g, w in scheme.weights.items() if g != SELF),
                )
                rows[id(scheme)] = (scheme, row)
            weights.append(row[0])
            min_raters.append(row[1])
            corrected.append(row[2])
            configured.append(row[3])
        shape = (len(ratees), len(GROUPS))
        return cls(
            np.array(weights, dtype=float).reshape(shape),
            np.array(min_raters, dtype=float).reshape(shape),
            np.array(corrected, dtype=bool),
            np.array(configured, dtype=float),
        )


def combine_ratings(ratings: Sequence[Rating], scheme: Scheme | SchemeFor) -> Combination:
    """Run the default pipeline (screen, model, adjust, combine, reliability) for one cycle.

    `scheme` is one scheme for everyone or a function giving each ratee theirs: the model
    is fitted once over the whole cycle, whatever the schemes weigh.
    """
    scheme_for: SchemeFor = scheme if callable(scheme) else (lambda _ratee: scheme)
    coded = _code(ratings)
    straight = _straight_liners(coded)
    policies = _Policies.of(coded.ratees, scheme_for)
    kept = ~straight[coded.rater] | (coded.group == SELF_INDEX)
    table = _FormTable.of(coded, kept)
    visible = table.raters_in >= policies.min_raters
    visible[:, SELF_INDEX] = False
    counted = visible & (policies.weights > 0)

    # The cycle's statistics (the model, σ²_p, the spread of true levels) use every group
    # at or above the anonymity floor, whatever each ratee's scheme: one unit's scheme must
    # not move another unit's scores. A group below the floor never enters them, so its
    # answers move no score at all. (A group a scheme hides although it reaches the floor
    # enters only these cycle-wide estimates, never its ratee's own composite.)
    floor = table.raters_in >= np.array([DEFAULT_MIN_RATERS.get(g, 1) for g in GROUPS])
    floor[:, SELF_INDEX] = False
    in_model = floor[table.ratee, table.group]
    forms, raters_in_model, groups_in_model = _model_forms(coded, table, in_model)
    fit = _fit(forms)
    leniency = np.zeros(len(coded.raters))
    leniency[raters_in_model] = fit.b
    shift = np.zeros(len(GROUPS))
    shift[groups_in_model] = fit.delta
    ratings_per_rater = np.zeros(len(coded.raters))
    ratings_per_rater[raters_in_model] = fit.ratings_per_rater

    others = table.group != SELF_INDEX
    full_correction = np.where(others, leniency[table.rater] + shift[table.group], 0.0)
    # error variance of one form: noise plus the leniency left in it, σ²_ε/(m+λ) after
    # correction (σ²_b for a rater the model never saw), all of σ²_b without
    corrected_error = fit.sigma2_e * (1.0 + 1.0 / (ratings_per_rater[table.rater] + fit.lam))
    cycle = _GroupTable.of(table, full_correction, corrected_error, floor, policies.weights)
    perspective_variance = cycle.perspective_variance()
    true_variance = cycle.true_variance()

    corrected = policies.corrected[table.ratee] & others
    correction = np.where(corrected, full_correction, 0.0)
    error_variance = np.where(corrected, corrected_error, fit.sigma2_e + fit.sigma2_b)
    groups = _GroupTable.of(table, correction, error_variance, counted, policies.weights)
    shrinkage = groups.shrinkage(perspective_variance, policies.corrected)
    dimensions = _dimension_scores(coded, kept, table, correction, groups, shrinkage)
    ratees = _results(
        coded, straight, table, groups, shrinkage, dimensions, policies, true_variance
    )
    return Combination(
        ratees=ratees,
        model=_effects(forms, fit),
        excluded_raters=[coded.raters[j] for j in np.flatnonzero(straight)],
        perspective_variance=perspective_variance,
    )


@dataclass(frozen=True)
class _FormTable:
    """The kept ratings' forms, one per (ratee, group, rater), and each kept rating's form."""

    rater: np.ndarray
    ratee: np.ndarray
    group: np.ndarray
    x: np.ndarray  # the form's mean over its items
    of_rating: np.ndarray
    raters_in: np.ndarray  # ratee × group: the number of forms

    @classmethod
    def of(cls, coded: _Coded, kept: np.ndarray) -> _FormTable:
        rater, ratee, group = coded.rater[kept], coded.ratee[kept], coded.group[kept]
        first, of_rating = _group_by(ratee, group, rater)
        n_cells = len(coded.ratees) * len(GROUPS)
        cells = ratee[first] * len(GROUPS) + group[first]
        raters_in = np.bincount(cells, minlength=n_cells).reshape(len(coded.ratees), len(GROUPS))
        return cls(
            rater[first],
            ratee[first],
            group[first],
            _mean(of_rating, coded.score[kept], len(first)),
            of_rating,
            raters_in,
        )

    @property
    def cell(self) -> np.ndarray:
        """Each form's (ratee, group) cell, as a flat index."""
        return self.ratee * len(GROUPS) + self.group


def _model_forms(
    coded: _Coded, table: _FormTable, in_model: np.ndarray
) -> tuple[_Forms, np.ndarray, np.ndarray]:
    """The model's forms with compact indices, and the rater and group codes they stand for."""
    raters, rater_idx = np.unique(table.rater[in_model], return_inverse=True)
    ratees, ratee_idx = np.unique(table.ratee[in_model], return_inverse=True)
    groups, group_idx = np.unique(table.group[in_model], return_inverse=True)
    forms = _Forms(
        raters=[coded.raters[j] for j in raters.tolist()],
        ratees=[coded.ratees[i] for i in ratees.tolist()],
        groups=[GROUPS[g] for g in groups.tolist()],  # GROUPS order: the superior first
        rater_idx=rater_idx.reshape(-1),
        ratee_idx=ratee_idx.reshape(-1),
        group_idx=group_idx.reshape(-1),
        x=table.x[in_model],
    )
    return forms, raters, groups


@dataclass(frozen=True)
class _GroupTable:
    """Ratee × group sums over forms, and the HR weights renormalized over counted groups."""

    raters: np.ndarray
    counted: np.ndarray
    weights: np.ndarray
    mean_raw: np.ndarray
    mean_adjusted: np.ndarray
    error_variance: np.ndarray  # the sum of the forms' error variances

    @classmethod
    def of(
        cls,
        table: _FormTable,
        correction: np.ndarray,
        error_variance: np.ndarray,
        counted: np.ndarray,
        policy_weights: np.ndarray,
    ) -> _GroupTable:
        shape = table.raters_in.shape
        n_cells = shape[0] * shape[1]

        def per_cell(values: np.ndarray) -> np.ndarray:
            return np.bincount(table.cell, weights=values, minlength=n_cells).reshape(shape)

        raters = table.raters_in.astype(float)
        with np.errstate(invalid="ignore", divide="ignore"):
            mean_raw = per_cell(table.x) / raters
            mean_adjusted = per_cell(table.x - correction) / raters
        weights = np.where(counted, policy_weights, 0.0)
        total = weights.sum(axis=1, keepdims=True)
        weights = np.divide(weights, total, out=np.zeros(shape), where=total > 0)
        return cls(raters, counted, weights, mean_raw, mean_adjusted, per_cell(error_variance))

    def pooled(self) -> tuple[np.ndarray, np.ndarray]:
        """Per ratee the counted raters' number and their pooled (equal-weight) adjusted mean."""
        n = np.where(self.counted, self.raters, 0.0)
        total = n.sum(axis=1)
        sums = np.where(self.counted, self.mean_adjusted * self.raters, 0.0).sum(axis=1)
        return total, np.divide(sums, total, out=np.full(len(total), np.nan), where=total > 0)

    def perspective_variance(self) -> float:
        """σ²_p: how much more the counted groups' means differ than their errors explain.

        For a group g of n_g among N counted raters, the gap between its mean and the
        pooled mean has error variance (1/n_g − 1/N)²·V_g + (V − V_g)/N² (V: summed form
        error variances) and, if every group's view differs by an independent p ~ (0, σ²_p),
        perspective variance κ·σ²_p with κ = (1 − n_g/N)² + Σ_(h≠g) (n_h/N)². A method of
        moments over every ratee: Σ(gap² − error) / Σ κ, at least 0.
        """
        n_total, pooled = self.pooled()
        use = self.counted & (n_total[:, None] > 0)
        if not use.any():
            return 0.0
        n = np.where(use, self.raters, 0.0)
        size = np.where(n_total > 0, n_total, 1.0)[:, None]
        share = n / size
        variance = np.where(use, self.error_variance, 0.0)
        gap = np.where(use, self.mean_adjusted - pooled[:, None], 0.0)
        with np.errstate(invalid="ignore", divide="ignore"):
            own = np.where(use, (1.0 / np.where(use, n, 1.0) - 1.0 / size) ** 2 * variance, 0.0)
        others = (variance.sum(axis=1, keepdims=True) - variance) / size**2
        error = np.where(use, own + others, 0.0)
        kappa = np.where(
            use, (1.0 - share) ** 2 + (share**2).sum(axis=1, keepdims=True) - share**2, 0.0
        )
        if kappa.sum() <= 0:
            return 0.0
        return max(float((gap**2 - error)[use].sum() / kappa.sum()), 0.0)

    def true_variance(self) -> float:
        """σ²_T: the spread of the ratees' pooled means less the part their errors explain."""
        n_total, pooled = self.pooled()
        scored = n_total > 0
        if scored.sum() < 2:
            return 0.0
        error = np.where(self.counted, self.error_variance, 0.0).sum(axis=1)[scored]
        spread = float(np.var(pooled[scored], ddof=1))
        return max(spread - float(np.mean(error / n_total[scored] ** 2)), 0.0)

    def shrinkage(self, perspective_variance: float, corrected: np.ndarray) -> np.ndarray:
        """ρ per ratee × group: σ²_p / (σ²_p + the error variance of the group's mean).

        1 where the scheme does not correct (the group's mean is taken as it is), and where
        there is no error to shrink against.
        """
        with np.errstate(invalid="ignore", divide="ignore"):
            error_of_mean = self.error_variance / self.raters**2
            denominator = perspective_variance + error_of_mean
            rho = np.where(denominator > 0, perspective_variance / denominator, 1.0)
        return np.where(corrected[:, None] & self.counted, rho, 1.0)

    def effective_weights(self, shrinkage: np.ndarray) -> np.ndarray:
        """Each group's real share of the score: w·ρ, plus its raters' part of the pooled mean.

        S*_g = θ̂ + ρ_g (S̃_g − θ̂) and θ̂ = Σ_g (n_g/N) S̃_g, so Σ_g w_g S*_g puts
        w_g ρ_g + (n_g/N)·Σ_h w_h (1 − ρ_h) on S̃_g. The shares sum to 1.
        """
        n_total, _ = self.pooled()
        n = np.where(self.counted, self.raters, 0.0)
        share = n / np.where(n_total > 0, n_total, 1.0)[:, None]
        kept = (self.weights * shrinkage).sum(axis=1, keepdims=True)
        return np.where(self.counted, self.weights * shrinkage + share * (1.0 - kept), 0.0)


def _dimension_scores(
    coded: _Coded,
    kept: np.ndarray,
    table: _FormTable,
    correction: np.ndarray,
    groups: _GroupTable,
    shrinkage: np.ndarray,
) -> tuple[np.ndarray, np.ndarray]:
    """Ratee × dimension scores (NaN where no counted group answered), and group means.

    Per dimension: each counted group's adjusted mean, shrunk toward the pooled mean of all
    counted raters' items by the group's ρ, weighted by HR's weights renormalized over the
    groups that answered the dimension. Also ratee × group × dimension adjusted means of
    every group (self as given), for the radar chart.
    """
    n_ratees, n_groups, n_dims = len(coded.ratees), len(GROUPS), len(coded.dimensions)
    ratee, group = coded.ratee[kept], coded.group[kept]
    adjusted = coded.score[kept] - correction[table.of_rating]
    cells = (ratee * n_groups + group) * n_dims + coded.dimension[kept]
    size = n_ratees * n_groups * n_dims
    shape = (n_ratees, n_groups, n_dims)
    items = np.bincount(cells, minlength=size).reshape(shape).astype(float)
    sums = np.bincount(cells, weights=adjusted, minlength=size).reshape(shape)
    with np.errstate(invalid="ignore", divide="ignore"):
        group_means = sums / items
    answered = groups.counted[:, :, None] & (items > 0)
    pooled_items = np.where(answered, items, 0.0).sum(axis=1)
    pooled_sums = np.where(answered, sums, 0.0).sum(axis=1)
    pooled = np.divide(
        pooled_sums, pooled_items, out=np.zeros_like(pooled_sums), where=pooled_items > 0
    )
    rho = shrinkage[:, :, None]
    # (1 − ρ)·pooled + ρ·mean, not pooled + ρ·(mean − pooled): exact when ρ = 1
    shrunk = np.where(
        answered, (1.0 - rho) * pooled[:, None, :] + rho * np.where(answered, group_means, 0.0), 0.0
    )
    weights = np.where(answered, groups.weights[:, :, None], 0.0)
    total = weights.sum(axis=1)
    scores = np.divide(
        (weights * shrunk).sum(axis=1), total, out=np.full(total.shape, np.nan), where=total > 0
    )
    return scores, group_means


def _results(
    coded: _Coded,
    straight: np.ndarray,
    table: _FormTable,
    groups: _GroupTable,
    shrinkage: np.ndarray,
    dimension_scores: tuple[np.ndarray, np.ndarray],
    policies: _Policies,
    true_variance: float,
) -> dict[str, RateeResult]:
    """Every ratee's result: score, groups, reliability and flags, from the arrays."""
    by_dimension, group_means = dimension_scores
    scored = groups.counted.any(axis=1)
    answered = ~np.isnan(by_dimension)
    score = np.divide(
        np.where(answered, by_dimension, 0.0).sum(axis=1),
        answered.sum(axis=1),
        out=np.full(len(scored), np.nan),
        where=scored & answered.any(axis=1),
    )
    # Each rater's share of the score is their group's effective weight over its raters.
    effective = groups.effective_weights(shrinkage)
    raters = np.where(groups.counted, groups.raters, 1.0)
    shares_squared = np.where(groups.counted, effective**2 / raters, 0.0).sum(axis=1)
    error_variance = np.where(
        groups.counted, (effective / raters) ** 2 * groups.error_variance, 0.0
    ).sum(axis=1)
    # Reliability σ²_T/(σ²_T + SE²), σ²_T the cycle's spread of true levels.

    flagged_raters: dict[int, list[str]] = defaultdict(list)
    lined = straight[coded.rater] & (coded.group != SELF_INDEX)
    first, _ = _group_by(coded.ratee[lined], coded.rater[lined])
    for ratee, rater in zip(
        coded.ratee[lined][first].tolist(), coded.rater[lined][first].tolist(), strict=True
    ):
        flagged_raters[ratee].append(coded.raters[rater])

    non_self = np.delete(table.raters_in, SELF_INDEX, axis=1).sum(axis=1)
    present_weight = np.where(groups.counted, policies.weights, 0.0).sum(axis=1)
    thin = present_weight < policies.configured / 2
    rows = zip(
        coded.ratees,
        score.tolist(),
        by_dimension.tolist(),
        table.raters_in.tolist(),
        groups.counted.tolist(),
        groups.weights.tolist(),
        effective.tolist(),
        shrinkage.tolist(),
        groups.mean_raw.tolist(),
        groups.mean_adjusted.tolist(),
        group_means.tolist(),
        strict=True,
    )
    results = {}
    for i, row in enumerate(rows):
        name, total, dims, n, counted, weight, eff, rho, raw, adjusted, means = row
        correcting = bool(policies.corrected[i])
        group_results = {
            g: GroupResult(
                raters=n[k],
                counted=counted[k],
                weight=weight[k],
                mean_raw=raw[k],
                mean_adjusted=adjusted[k],
                effective_weight=eff[k],
                reliability=rho[k] if counted[k] and correcting else None,
            )
            for k, g in enumerate(GROUPS)
            if n[k]
        }
        by_group = {
            g: {d: v for d, v in zip(coded.dimensions, means[k], strict=True) if v == v}
            for k, g in enumerate(GROUPS)
            if n[k]
        }
        flags = [f"straight_liner:{rater}" for rater in flagged_raters[i]]
        if non_self[i] < FEW_RATERS:
            flags.append("few_raters")
        if thin[i]:
            flags.append("thin_weight")
        if not scored[i]:
            flags.append("no_counted_group")
            results[name] = RateeResult(
                None, {}, group_results, None, None, None, None, flags, by_group
            )
            continue
        if true_variance + error_variance[i] > 0:
            reliability = true_variance / (true_variance + error_variance[i])
            if reliability < LOW_RELIABILITY:
                flags.append("low_reliability")
        else:
            # no spread and no error to measure (a lone rating): unknown, not perfect
            reliability = None
            flags.append("reliability_unknown")
        results[name] = RateeResult(
            score=total,
            dimensions={d: v for d, v in zip(coded.dimensions, dims, strict=True) if v == v},
            groups=group_results,
            reliability=reliability,
            standard_error=math.sqrt(error_variance[i]),
            effective_raters=1.0 / shares_squared[i],
            self_gap=raw[SELF_INDEX] - total if n[SELF_INDEX] else None,
            flags=flags,
            group_dimensions=by_group,
        )
    return results


# --- The JSON contract of `kinerja appraisal combine` -------------------------------------------

RATING_KEYS = ("rater", "ratee", "group", "dimension", "score")


def combine_document(doc: object) -> dict:
    """Validate a {"scheme", "ratings"} document, combine it, and return the JSON-ready result."""
    scheme, ratings = parse_document(doc)
    combination = combine_ratings(ratings, scheme)
    return {
        "ratees": {ratee: _ratee_json(result) for ratee, result in combination.ratees.items()},
        "cycle": {
            "rater_effects": combination.model.rater_effects,
            "group_effects": combination.model.group_effects,
            "components": combination.model.components,
            "lambda": combination.model.lam,
            "excluded_raters": combination.excluded_raters,
            "residual_variance": combination.model.residual_variance,
            "rater_variance": combination.model.rater_variance,
            "perspective_variance": combination.perspective_variance,
        },
    }


def _ratee_json(result: RateeResult) -> dict:
    return {
        "score": result.score,
        "dimensions": result.dimensions,
        "groups": {
            g: {
                "raters": r.raters,
                "counted": r.counted,
                "weight": r.weight,
                "mean_raw": r.mean_raw,
                "mean_adjusted": r.mean_adjusted,
                "effective_weight": r.effective_weight,
                "reliability": r.reliability,
            }
            for g, r in result.groups.items()
        },
        "reliability": result.reliability,
        "standard_error": result.standard_error,
        "effective_raters": result.effective_raters,
        "self_gap": result.self_gap,
        "flags": result.flags,
        "group_dimensions": result.group_dimensions,
    }


def parse_document(doc: object) -> tuple[Scheme, list[Rating]]:
    """Turn the command's input into a Scheme and Ratings, naming every bad field at once."""
    errors: dict[str, list[str]] = defaultdict(list)
    if not isinstance(doc, dict):
        raise ValidationFailed("the input must be a JSON object", {"document": ["not an object"]})
    for key in ("scheme", "ratings"):
        if key not in doc:
            errors[key].append("missing")
    scheme = _parse_scheme(doc.get("scheme"), errors) if "scheme" in doc else None
    ratings = _parse_ratings(doc.get("ratings"), errors) if "ratings" in doc else []
    if errors or scheme is None:
        raise ValidationFailed("the ratings document is invalid", dict(errors))
    return scheme, ratings


def _is_number(value: object) -> bool:
    # bool is an int in Python, but `true` is not a score
    return isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)


def _parse_scheme(raw: object, errors: dict[str, list[str]]) -> Scheme | None:
    if not isinstance(raw, dict):
        errors["scheme"].append("must be an object")
        return None
    weights = raw.get("weights")
    if not isinstance(weights, dict):
        errors["scheme.weights"].append("missing or not an object")
        weights = {}
    for group, weight in weights.items():
        if group not in GROUPS:
            errors[f"scheme.weights.{group}"].append(f"unknown group; use one of {GROUPS}")
        elif not _is_number(weight) or weight < 0:
            errors[f"scheme.weights.{group}"].append("must be a number ≥ 0")
    clean = {g: float(w) for g, w in weights.items() if g in GROUPS and _is_number(w) and w >= 0}
    if weights and not any(w > 0 for g, w in clean.items() if g != SELF):
        errors["scheme.weights"].append("at least one group other than self needs a weight > 0")
    min_raters = dict(DEFAULT_MIN_RATERS)
    raw_min = raw.get("min_raters", {})
    if not isinstance(raw_min, dict):
        errors["scheme.min_raters"].append("must be an object")
        raw_min = {}
    for group, count in raw_min.items():
        if group not in GROUPS:
            errors[f"scheme.min_raters.{group}"].append(f"unknown group; use one of {GROUPS}")
        elif not isinstance(count, int) or isinstance(count, bool) or count < 1:
            errors[f"scheme.min_raters.{group}"].append("must be an integer ≥ 1")
        else:
            min_raters[group] = count
    bias_correction = raw.get("bias_correction", True)
    if not isinstance(bias_correction, bool):
        errors["scheme.bias_correction"].append("must be true or false")
        bias_correction = True
    return Scheme(weights=clean, min_raters=min_raters, bias_correction=bias_correction)


def _parse_ratings(raw: object, errors: dict[str, list[str]]) -> list[Rating]:
    if not isinstance(raw, list) or not raw:
        errors["ratings"].append("must be a non-empty list")
        return []
    ratings, seen = [], {}
    for n, item in enumerate(raw):
        path = f"ratings[{n}]"
        if not isinstance(item, dict):
            errors[path].append("must be an object")
            continue
        bad = False
        for key in RATING_KEYS:
            if key not in item:
                errors[f"{path}.{key}"].append("missing")
                bad = True
        for key in ("rater", "ratee", "dimension"):
            if key in item and (not isinstance(item[key], str) or not item[key]):
                errors[f"{path}.{key}"].append("must be a non-empty string")
                bad = True
        if "group" in item and item["group"] not in GROUPS:
            errors[f"{path}.group"].append(f"unknown group; use one of {GROUPS}")
            bad = True
        if "score" in item and not _is_number(item["score"]):
            errors[f"{path}.score"].append("must be a number")
            bad = True
        if bad:
            continue
        key = (item["rater"], item["ratee"], item["dimension"])
        if key in seen:
            errors[path].append(f"duplicates ratings[{seen[key]}] (same rater, ratee, dimension)")
            continue
        seen[key] = n
        ratings.append(
            Rating(item["rater"], item["ratee"], item["group"], item["dimension"], item["score"])
        )
    return ratings
