"""Combining 360 ratings into behaviour scores: screening, rater effects, weights, reliability.

The pipeline of SCORING.md for one cycle and one framework:

1. **Screen.** A straight-liner (one score on every item of ≥ 4 ratees, or on ≥ 8 items of
   one form) is excluded as a whole; the ratees they rated carry a flag.
2. **Model.** On every non-self form (a rater's mean over the items for one ratee) the
   crossed random-effects model of `mixed_model`: the ratee's level (their unit's and their
   own), the rater's leniency (their unit's culture and their own), group offsets, variance
   components by REML, outlying forms down-weighted. Every form informs the raters'
   leniency; a form counts for its own ratee only where its group does (at or above the
   scheme's minimum, the anonymity floor, with a weight): an uncounted form never moves its
   ratee's score (the model's equations leave it out for that ratee exactly).
3. **Combine.** The score is the model's prediction of the ratee's level. Where the groups
   show real differences of perspective (σ²_p, estimated from the cycle), HR's weights,
   renormalized over the counted groups, act on each group's gap to the pooled mean, shrunk
   by the group's reliability. A scheme without bias correction gets the plain HR-weighted
   group means.
4. **Scores** overall and per dimension (the profile around the overall score).
5. **Uncertainty.** The standard error is the square root of the prediction's error
   variance (Henderson's equations: every correction's uncertainty and the raters'
   disagreement included); reliability is 1 − SE²/σ²_T, so one rater can never look more
   reliable than one rating is.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np

from kinerja.anonymity import DEFAULT_MIN_RATERS, RATER_GROUPS, SELF, SUPERIOR
from kinerja.errors import ValidationFailed
from services.appraisal import mixed_model

GROUPS = RATER_GROUPS
GROUP_INDEX = {g: n for n, g in enumerate(GROUPS)}
SELF_INDEX = GROUP_INDEX[SELF]

# Screening rules (research note §2.6): identical answers across this many ratees or items.
STRAIGHT_LINE_RATEES = 4
STRAIGHT_LINE_ITEMS = 8

LOW_RELIABILITY = 0.60
FEW_RATERS = 3
DEFAULT_SCALE = (0.0, 100.0)
MAX_SCALE_RANGE = 1e6  # a wider scale is a mistake, and its squares would lose precision


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
    scale: tuple[float, float] = DEFAULT_SCALE  # every score lies on it; so does every result


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
    """The cycle's fitted model: leniency per rater, offset per group, variance components."""

    rater_effects: dict[str, float]
    group_effects: dict[str, float]
    components: int  # of the rater–ratee graph: leniency is compared only within one
    variances: dict[str, float]  # σ² per component of `mixed_model` and "residual"
    method: str  # "exact", or "sampled" for a cycle too large for the dense inverse

    @property
    def residual_variance(self) -> float:
        return self.variances["residual"]

    @property
    def rater_variance(self) -> float:
        """Leniency: the rater's own and their unit's culture."""
        return self.variances["rater"] + self.variances["rater_unit"]

    @property
    def ratee_variance(self) -> float:
        """True levels: the ratee's own and their unit's."""
        return self.variances["ratee"] + self.variances["ratee_unit"]


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
    mislabelled = next((r for r in ratings if r.rater == r.ratee and r.group != SELF), None)
    if mislabelled is not None:
        raise ValueError(f"{mislabelled.rater} rates themself as {mislabelled.group}, not self")
    if not np.all(np.isfinite(score)):
        raise ValueError("every score must be a finite number")
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


# --- 2. The model -----------------------------------------------------------------------------


def connected_components(rater: np.ndarray, ratee: np.ndarray, n_raters: int) -> np.ndarray:
    """Each rater's component in the rater–ratee graph; leniency is identified only within one."""
    n_ratees = int(ratee.max(initial=-1)) + 1
    parent = list(range(n_raters + n_ratees))

    def root(node: int) -> int:
        while parent[node] != node:
            parent[node] = parent[parent[node]]
            node = parent[node]
        return node

    for j, i in set(zip(rater.tolist(), (ratee + n_raters).tolist(), strict=True)):
        parent[root(j)] = root(i)
    rated = np.zeros(n_raters, dtype=bool)
    rated[rater] = True
    roots = [root(n) for n in np.flatnonzero(rated).tolist()]
    labels = {r: n for n, r in enumerate(dict.fromkeys(roots))}
    component = np.full(n_raters, -1)
    component[rated] = [labels[r] for r in roots]
    return component


def _units(
    coded: _Coded, table: _FormTable, units: Mapping[str, str] | None
) -> tuple[np.ndarray, np.ndarray]:
    """A unit code per ratee and per rater: the directory's unit, else the superior's team.

    Without a directory, people who share a superior (as the ratings show) form a team; a
    person nobody rates as superior belongs to the team of everyone else in that case.
    """
    superior_of: dict[str, str] = {}
    is_superior = table.group == GROUP_INDEX[SUPERIOR]
    for j, i in zip(
        table.rater[is_superior].tolist(), table.ratee[is_superior].tolist(), strict=True
    ):
        superior_of.setdefault(coded.ratees[i], coded.raters[j])

    def unit(nip: str) -> str:
        if units is not None and units.get(nip):
            return f"unit:{units[nip]}"
        return f"team:{superior_of.get(nip, '')}"

    ratee_units = [unit(n) for n in coded.ratees]
    rater_units = [unit(n) for n in coded.raters]
    names, codes = _code_names(ratee_units + rater_units)
    return codes[: len(ratee_units)], codes[len(ratee_units) :]


def _effects(coded: _Coded, forms: mixed_model.Forms, fit: mixed_model.Fit) -> RaterEffects:
    rated = np.zeros(len(coded.raters), dtype=bool)
    rated[forms.rater] = True
    component = connected_components(forms.rater, forms.ratee, len(coded.raters))
    return RaterEffects(
        rater_effects={
            coded.raters[j]: float(fit.rater_effect[j]) for j in np.flatnonzero(rated).tolist()
        },
        group_effects={
            g: float(fit.group_offset[k])
            for k, g in enumerate(GROUPS[:SELF_INDEX])
            if np.any(forms.group == k)
        },
        components=int(component.max(initial=-1)) + 1,
        variances=dict(fit.variances),
        method=fit.method,
    )


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
    low: np.ndarray  # the scale's ends, per ratee
    high: np.ndarray

    @classmethod
    def of(cls, ratees: list[str], scheme_for: SchemeFor) -> _Policies:
        # One row per scheme object. The cache holds the scheme itself: a function that makes a
        # new Scheme per call would otherwise let a freed object's id() come back for another.
        rows: dict[int, tuple[Scheme, tuple]] = {}
        table = []
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
                    scheme.scale[0],
                    scheme.scale[1],
                )
                rows[id(scheme)] = (scheme, row)
            table.append(row)
        shape = (len(ratees), len(GROUPS))
        columns = list(zip(*table, strict=True)) if table else [[]] * 6
        return cls(
            np.array(columns[0], dtype=float).reshape(shape),
            np.array(columns[1], dtype=float).reshape(shape),
            np.array(columns[2], dtype=bool),
            np.array(columns[3], dtype=float),
            np.array(columns[4], dtype=float),
            np.array(columns[5], dtype=float),
        )


def combine_ratings(
    ratings: Sequence[Rating],
    scheme: Scheme | SchemeFor,
    units: Mapping[str, str] | None = None,
) -> Combination:
    """Run the pipeline (screen, model, adjust, combine, reliability) for one cycle.

    `scheme` is one scheme for everyone or a function giving each ratee theirs: the model
    is fitted once over the whole cycle, whatever the schemes weigh. `units` maps a person
    to their unit (the directory's); without it, people who share a superior form a unit.
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

    # Every non-self form informs the model (how lenient its rater is); a form counts for its
    # own ratee's score only where its group is counted there. The cycle's components come
    # from the groups at the anonymity floor, whatever each ratee's scheme asks.
    floor = table.raters_in >= np.array([DEFAULT_MIN_RATERS.get(g, 1) for g in GROUPS])
    floor[:, SELF_INDEX] = False
    others = table.group != SELF_INDEX
    ratee_unit, rater_unit = _units(coded, table, units)
    forms = mixed_model.Forms(
        ratee=table.ratee[others],
        rater=table.rater[others],
        group=table.group[others],
        x=table.x[others],
        counts=counted[table.ratee[others], table.group[others]],
        ratee_unit=ratee_unit,
        rater_unit=rater_unit,
        n_groups=SELF_INDEX,
        estimates=floor[table.ratee[others], table.group[others]],
    )
    fit = mixed_model.fit(forms)

    def per_form(values: np.ndarray | None) -> np.ndarray:
        full = np.zeros(len(table.x))
        full[others] = (
            values
            if values is not None
            else fit.rater_effect[forms.rater] + fit.group_offset[forms.group]
        )
        return full

    correction = per_form(fit.form_correction)
    cycle_correction = per_form(fit.cycle_form_correction)
    weight = np.ones(len(table.x))
    weight[others] = fit.weights
    residual = fit.variances["residual"]
    # one adjusted form's error: its noise (more for a down-weighted form) and its correction's
    form_error = np.zeros(len(table.x))
    form_error[others] = (
        residual / np.maximum(fit.weights, 1e-6) + fit.rater_effect_variance[forms.rater]
    )
    uncorrected_error = residual + fit.variances["rater"] + fit.variances["rater_unit"]

    # σ²_p, the real differences between perspectives, over every group at the anonymity floor
    cycle = _GroupTable.of(table, cycle_correction, form_error, floor, policies.weights)
    perspective_variance = cycle.perspective_variance()

    corrected_form = policies.corrected[table.ratee] & others
    applied = np.where(corrected_form, correction, 0.0)
    error = np.where(corrected_form, form_error, np.where(others, uncorrected_error, 0.0))
    groups = _GroupTable.of(table, applied, error, counted, policies.weights)
    shrinkage = groups.shrinkage(perspective_variance, policies.corrected)
    ratees = _results(
        coded,
        straight,
        table,
        groups,
        shrinkage,
        _dimension_scores(coded, kept, table, applied, groups, shrinkage),
        policies,
        fit,
        weight,
    )
    return Combination(
        ratees=ratees,
        model=_effects(coded, forms, fit),
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
    fit: mixed_model.Fit,
    weight: np.ndarray,
) -> dict[str, RateeResult]:
    """Every ratee's result: score, groups, reliability and flags, from the arrays."""
    by_dimension, group_means = dimension_scores
    scored = groups.counted.any(axis=1)
    raters = np.where(groups.counted, groups.raters, 1.0)
    corrected = policies.corrected

    # Corrected: the model's level, plus HR's weights on the real perspective differences
    # (each group's shrunk gap to the pooled mean; none when σ²_p is 0).
    _, pooled = groups.pooled()
    gap = np.where(groups.counted, groups.mean_adjusted - pooled[:, None], 0.0)
    share = np.where(groups.counted, groups.weights * shrinkage, 0.0)
    gap_error = np.where(groups.counted, groups.error_variance / raters**2, 0.0)
    model_score = fit.level + (share * gap).sum(axis=1)
    model_error = fit.error_variance + (share**2 * gap_error).sum(axis=1)
    # Uncorrected: HR's weighted group means, with every rater's leniency in their error.
    plain_score = np.where(groups.counted, groups.weights * groups.mean_raw, 0.0).sum(axis=1)
    plain_error = np.where(groups.counted, groups.weights**2 * gap_error, 0.0).sum(axis=1)
    score = np.clip(np.where(corrected, model_score, plain_score), policies.low, policies.high)
    error_variance = np.where(corrected, model_error, plain_error)
    true_variance = fit.ratee_variance
    with np.errstate(invalid="ignore", divide="ignore"):
        reliability = np.where(
            corrected,
            np.clip(1.0 - fit.random_error_variance / true_variance, 0.0, 1.0),
            true_variance / (true_variance + plain_error),
        )

    # per ratee over the counted non-self forms: their number, Huber weights and the smallest
    counts = groups.counted[table.ratee, table.group]
    n_ratees = len(coded.ratees)
    w_sum = np.bincount(table.ratee[counts], weights=weight[counts], minlength=n_ratees)
    w_squares = np.bincount(table.ratee[counts], weights=weight[counts] ** 2, minlength=n_ratees)
    outlying = np.bincount(table.ratee[counts], weights=weight[counts] < 0.5, minlength=n_ratees)
    counted_forms = np.where(groups.counted, groups.raters, 0.0).sum(axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        effective_raters = np.where(
            corrected,
            w_sum**2 / w_squares,
            1.0 / np.where(groups.counted, groups.weights**2 / raters, 0.0).sum(axis=1),
        )
    effective = groups.effective_weights(shrinkage)

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
        name, dims, n, is_counted, weights, eff, rho, raw, adjusted, means = row
        correcting = bool(corrected[i])
        group_results = {
            g: GroupResult(
                raters=n[k],
                counted=is_counted[k],
                weight=weights[k],
                mean_raw=raw[k],
                mean_adjusted=adjusted[k] if correcting else raw[k],
                effective_weight=eff[k],
                reliability=rho[k] if is_counted[k] and correcting else None,
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
        if not scored[i] or score[i] != score[i]:
            flags.append("no_counted_group")
            results[name] = RateeResult(
                None, {}, group_results, None, None, None, None, flags, by_group
            )
            continue
        if counted_forms[i] == 1:
            flags.append("single_rater")
        if outlying[i]:
            flags.append("outlying_rating")
        ratee_reliability = float(reliability[i]) if reliability[i] == reliability[i] else None
        if ratee_reliability is None:
            flags.append("reliability_unknown")
        elif ratee_reliability < LOW_RELIABILITY:
            flags.append("low_reliability")
        total = float(score[i])
        answered = {d: v for d, v in zip(coded.dimensions, dims, strict=True) if v == v}
        if correcting and answered:
            # the profile around the model's level: the dimensions' mean is the score
            centre = sum(answered.values()) / len(answered)
            answered = {d: v - centre + total for d, v in answered.items()}
        results[name] = RateeResult(
            score=total,
            dimensions=answered,
            groups=group_results,
            reliability=ratee_reliability,
            standard_error=(
                math.sqrt(max(float(error_variance[i]), 0.0))
                if error_variance[i] == error_variance[i]
                else None
            ),
            effective_raters=float(effective_raters[i]),
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
    units = doc.get("units") if isinstance(doc, dict) else None
    combination = combine_ratings(ratings, scheme, units)
    return {
        "ratees": {ratee: _ratee_json(result) for ratee, result in combination.ratees.items()},
        "cycle": {
            "rater_effects": combination.model.rater_effects,
            "group_effects": combination.model.group_effects,
            "components": combination.model.components,
            "excluded_raters": combination.excluded_raters,
            "variance_components": combination.model.variances,
            "method": combination.model.method,
            "residual_variance": combination.model.residual_variance,
            "rater_variance": combination.model.rater_variance,
            "ratee_variance": combination.model.ratee_variance,
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
    scale = scheme.scale if scheme is not None else DEFAULT_SCALE
    ratings = _parse_ratings(doc.get("ratings"), scale, errors) if "ratings" in doc else []
    units = doc.get("units", {})
    if not isinstance(units, dict) or not all(
        isinstance(k, str) and isinstance(v, str) and v for k, v in units.items()
    ):
        errors["units"].append("must map each person to a unit name (strings)")
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
    scale = _parse_scale(raw.get("scale", list(DEFAULT_SCALE)), errors)
    return Scheme(
        weights=clean, min_raters=min_raters, bias_correction=bias_correction, scale=scale
    )


def _parse_scale(raw: object, errors: dict[str, list[str]]) -> tuple[float, float]:
    """[lowest, highest]: two finite numbers, the first below the second, at most 10⁶ apart."""
    if (
        isinstance(raw, list)
        and len(raw) == 2
        and all(_is_number(v) for v in raw)
        and raw[0] < raw[1]
        and raw[1] - raw[0] <= MAX_SCALE_RANGE
    ):
        return float(raw[0]), float(raw[1])
    errors["scheme.scale"].append(
        f"must be [lowest, highest], two numbers with lowest < highest, at most "
        f"{MAX_SCALE_RANGE:g} apart"
    )
    return DEFAULT_SCALE


def _parse_ratings(
    raw: object, scale: tuple[float, float], errors: dict[str, list[str]]
) -> list[Rating]:
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
            errors[f"{path}.score"].append("must be a finite number")
            bad = True
        elif "score" in item and not scale[0] <= item["score"] <= scale[1]:
            errors[f"{path}.score"].append(f"must lie on the scale [{scale[0]:g}, {scale[1]:g}]")
            bad = True
        if (
            "group" in item
            and item.get("rater") == item.get("ratee")
            and item["group"] in GROUPS
            and item["group"] != SELF
        ):
            errors[f"{path}.group"].append("a rater who rates themself is in the self group")
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
