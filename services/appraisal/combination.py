"""Combining 360 ratings into behaviour scores: screening, rater effects, weights, reliability.

The default pipeline of SCORING.md for one cycle and one framework. Pure: numpy and
the standard library only, so the benchmark, the command and the worker share it.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace

import numpy as np

from kinerja.errors import ValidationFailed

SUPERIOR, PEER, SUBORDINATE, SELF = "superior", "peer", "subordinate", "self"
GROUPS = (SUPERIOR, PEER, SUBORDINATE, SELF)
DEFAULT_MIN_RATERS = {SUPERIOR: 1, PEER: 3, SUBORDINATE: 3}

# Screening rules (research note §2.6): identical answers across this many ratees or items.
STRAIGHT_LINE_RATEES = 4
STRAIGHT_LINE_ITEMS = 8

MAX_SWEEPS = 50
TOLERANCE = 1e-6
HUBER_AFTER_SWEEPS = 3
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
    """HR's policy: weight per group, the raters a group needs to count, and bias correction."""

    weights: dict[str, float]
    min_raters: dict[str, int] = field(default_factory=lambda: dict(DEFAULT_MIN_RATERS))
    bias_correction: bool = True


@dataclass(frozen=True)
class GroupResult:
    """One group's part in a ratee's score, before and after adjustment."""

    raters: int
    counted: bool
    weight: float
    mean_raw: float
    mean_adjusted: float


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


# --- 1. Screening -----------------------------------------------------------------------


def find_straight_liners(ratings: Iterable[Rating]) -> list[str]:
    """Raters who gave one identical score everywhere (≥ 4 ratees) or on ≥ 8 items of one ratee.

    Such a rater is excluded as a whole, from the model and from every score; the ratees
    they rated carry a "straight_liner:<rater>" flag, so nothing is dropped silently.
    """
    scores: dict[str, dict[str, list[float]]] = defaultdict(lambda: defaultdict(list))
    for rating in ratings:
        if rating.group != SELF:
            scores[rating.rater][rating.ratee].append(rating.score)
    flagged = []
    for rater, by_ratee in scores.items():
        everything = {s for form in by_ratee.values() for s in form}
        across_ratees = len(by_ratee) >= STRAIGHT_LINE_RATEES and len(everything) == 1
        within_form = any(
            len(form) >= STRAIGHT_LINE_ITEMS and len(set(form)) == 1 for form in by_ratee.values()
        )
        if across_ratees or within_form:
            flagged.append(rater)
    return sorted(flagged)


# --- 2. Additive rater-effects model ------------------------------------------------------


@dataclass(frozen=True)
class _Forms:
    """Non-self ratings reduced to one mean per (rater, ratee): the model's observations."""

    raters: list[str]
    ratees: list[str]
    groups: list[str]
    rater_idx: np.ndarray
    ratee_idx: np.ndarray
    group_idx: np.ndarray
    x: np.ndarray


def _forms(ratings: Sequence[Rating]) -> _Forms:
    """Average each rater's items for a ratee: the research note's x_ij."""
    items: dict[tuple[str, str, str], list[float]] = defaultdict(list)
    for rating in ratings:
        items[(rating.rater, rating.ratee, rating.group)].append(rating.score)
    keys = sorted(items)
    raters = sorted({k[0] for k in keys})
    ratees = sorted({k[1] for k in keys})
    # The superior group is the reference (δ ≡ 0), so adjusted scores read on its scale.
    groups = [g for g in GROUPS if any(k[2] == g for k in keys)]
    rater_pos = {r: n for n, r in enumerate(raters)}
    ratee_pos = {e: n for n, e in enumerate(ratees)}
    group_pos = {g: n for n, g in enumerate(groups)}
    return _Forms(
        raters=raters,
        ratees=ratees,
        groups=groups,
        rater_idx=np.array([rater_pos[k[0]] for k in keys], dtype=int),
        ratee_idx=np.array([ratee_pos[k[1]] for k in keys], dtype=int),
        group_idx=np.array([group_pos[k[2]] for k in keys], dtype=int),
        x=np.array([float(np.mean(items[k])) for k in keys]),
    )


def connected_components(forms: _Forms) -> np.ndarray:
    """Each rater's component in the rater–ratee graph; leniency is identified only within one."""
    n_raters = len(forms.raters)
    parent = list(range(n_raters + len(forms.ratees)))

    def root(node: int) -> int:
        while parent[node] != node:
            parent[node] = parent[parent[node]]
            node = parent[node]
        return node

    for rater, ratee in zip(forms.rater_idx, forms.ratee_idx, strict=True):
        parent[root(int(rater))] = root(n_raters + int(ratee))
    roots = [root(n) for n in range(n_raters)]
    labels = {r: n for n, r in enumerate(dict.fromkeys(roots))}
    return np.array([labels[r] for r in roots], dtype=int)


def fit_rater_effects(forms: _Forms) -> RaterEffects:
    """Fit x = θ[ratee] + δ[group] + b[rater] + ε by backfitting; rater effects shrunk, robust."""
    n_ratees, n_raters, n_groups = len(forms.ratees), len(forms.raters), len(forms.groups)
    ratee, rater, group, x = forms.ratee_idx, forms.rater_idx, forms.group_idx, forms.x
    if not len(x):
        return RaterEffects({}, {}, 0, LAMBDA_START, 0.0, 0.0, {}, {})
    component = connected_components(forms)
    n_components = int(component.max()) + 1
    component_size = np.bincount(component, minlength=n_components)

    theta = np.zeros(n_ratees)
    delta = np.zeros(n_groups)
    b = np.zeros(n_raters)
    w = np.ones(len(x))
    lam = LAMBDA_START
    sigma2_e, sigma2_b = 0.0, 0.0
    dof = max(len(x) - n_ratees - (n_groups - 1), 1)
    for sweep in range(MAX_SWEEPS):
        previous = np.concatenate([theta, delta, b])
        theta = _weighted_mean(ratee, w * (x - delta[group] - b[rater]), w, n_ratees)
        delta = _weighted_mean(group, w * (x - theta[ratee] - b[rater]), w, n_groups)
        delta[0] = 0.0
        m = np.bincount(rater, weights=w, minlength=n_raters)
        b = np.bincount(rater, weights=w * (x - theta[ratee] - delta[group]), minlength=n_raters)
        b = b / (m + lam)  # shrinkage m/(m+λ) of the rater's mean residual
        b -= (np.bincount(component, weights=b, minlength=n_components) / component_size)[component]
        residual = x - theta[ratee] - delta[group] - b[rater]
        sigma2_e = float(np.sum(w * residual**2) / dof)
        sigma2_b = float(np.mean(b**2 + sigma2_e / (m + lam))) if n_raters else 0.0
        lam = _bounded_lambda(sigma2_e, sigma2_b)
        if sweep + 1 >= HUBER_AFTER_SWEEPS and sigma2_e > 0:
            w = np.minimum(1.0, HUBER_C / np.maximum(np.abs(residual) / math.sqrt(sigma2_e), 1e-12))
        if np.max(np.abs(np.concatenate([theta, delta, b]) - previous)) < TOLERANCE:
            break
    return RaterEffects(
        rater_effects={r: float(v) for r, v in zip(forms.raters, b, strict=True)},
        group_effects={g: float(v) for g, v in zip(forms.groups, delta, strict=True)},
        components=n_components,
        lam=float(lam),
        residual_variance=sigma2_e,
        rater_variance=sigma2_b,
        ratings_per_rater=dict(
            zip(forms.raters, map(float, np.bincount(rater, minlength=n_raters)), strict=True)
        ),
        ratee_levels={e: float(v) for e, v in zip(forms.ratees, theta, strict=True)},
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


def combine_ratings(ratings: Sequence[Rating], scheme: Scheme | SchemeFor) -> Combination:
    """Run the default pipeline (screen, model, adjust, combine, reliability) for one cycle.

    `scheme` is one scheme for everyone or a function giving each ratee theirs: the model
    is fitted once over the whole cycle, whatever the schemes weigh.
    """
    scheme_for = scheme if callable(scheme) else (lambda _ratee: scheme)
    excluded = find_straight_liners(ratings)
    kept = [r for r in ratings if r.rater not in excluded or r.group == SELF]
    others = [r for r in kept if r.group != SELF]
    model = fit_rater_effects(_forms(others))

    def adjuster(scheme: Scheme) -> Adjust:
        def adjusted(rating: Rating) -> float:
            if not scheme.bias_correction or rating.group == SELF:
                return rating.score
            leniency = model.rater_effects.get(rating.rater, 0.0)
            return rating.score - leniency - model.group_effects.get(rating.group, 0.0)

        return adjusted

    by_ratee: dict[str, list[Rating]] = defaultdict(list)
    for rating in kept:
        by_ratee[rating.ratee].append(rating)
    straight_lined: dict[str, set[str]] = defaultdict(set)
    for rating in ratings:
        if rating.rater in excluded and rating.group != SELF:
            straight_lined[rating.ratee].add(rating.rater)
            by_ratee.setdefault(rating.ratee, [])

    results = {}
    for ratee in sorted(by_ratee):
        own = scheme_for(ratee)
        results[ratee] = _ratee_result(
            by_ratee[ratee], own, model, adjuster(own), straight_lined[ratee]
        )
    return Combination(
        ratees=_with_reliability(results, model), model=model, excluded_raters=excluded
    )


@dataclass
class _Draft:
    """A ratee's result before reliability, which needs every ratee's error first."""

    result: RateeResult
    error_variance: float | None


Adjust = Callable[[Rating], float]
Forms = dict[str, dict[str, list[Rating]]]  # group → rater → that rater's items


def _ratee_result(
    ratings: list[Rating],
    scheme: Scheme,
    model: RaterEffects,
    adjusted: Adjust,
    straight_lined: set[str],
) -> _Draft:
    forms: Forms = defaultdict(lambda: defaultdict(list))
    for rating in ratings:
        forms[rating.group][rating.rater].append(rating)
    counted = [
        g
        for g in forms
        if g != SELF
        and len(forms[g]) >= scheme.min_raters.get(g, 1)
        and scheme.weights.get(g, 0.0) > 0
    ]
    weights = renormalize_weights(scheme.weights, counted)
    groups = {
        g: GroupResult(
            raters=len(forms[g]),
            counted=g in weights,
            weight=weights.get(g, 0.0),
            mean_raw=_mean_of_forms(forms[g].values(), lambda r: r.score),
            mean_adjusted=_mean_of_forms(forms[g].values(), adjusted),
        )
        for g in GROUPS
        if g in forms
    }
    flags = [f"straight_liner:{rater}" for rater in sorted(straight_lined)]
    non_self = sum(len(forms[g]) for g in forms if g != SELF)
    if non_self < FEW_RATERS:
        flags.append("few_raters")
    configured = sum(w for g, w in scheme.weights.items() if g != SELF)
    if sum(scheme.weights.get(g, 0.0) for g in weights) < configured / 2:
        flags.append("thin_weight")
    self_mean = _mean_of_forms(forms[SELF].values(), lambda r: r.score) if SELF in forms else None
    by_group = _group_dimensions(forms, adjusted)
    if not weights:
        flags.append("no_counted_group")
        result = RateeResult(None, {}, groups, None, None, None, None, flags, by_group)
        return _Draft(result, None)

    dimensions = _dimension_scores(forms, weights, adjusted)
    score = float(np.mean(list(dimensions.values())))
    # Each rater's share of the score: the group's weight split over its raters.
    shares = {rater: weights[g] / len(forms[g]) for g in weights for rater in forms[g]}
    error_variance = sum(
        a**2 * _rating_error_variance(rater, scheme, model) for rater, a in shares.items()
    )
    effective = 1.0 / sum(a**2 for a in shares.values())
    result = RateeResult(
        score=score,
        dimensions=dimensions,
        groups=groups,
        reliability=None,
        standard_error=math.sqrt(error_variance),
        effective_raters=effective,
        self_gap=None if self_mean is None else self_mean - score,
        flags=flags,
        group_dimensions=by_group,
    )
    return _Draft(result, error_variance)


def _mean_of_forms(forms: Iterable[list[Rating]], value: Adjust) -> float:
    """Mean over raters of each rater's mean over items, so long forms weigh no more."""
    return float(np.mean([np.mean([value(r) for r in form]) for form in forms]))


def _group_dimensions(forms: Forms, adjusted: Adjust) -> dict[str, dict[str, float]]:
    """Each group's mean per dimension; whether a group may be shown is the reader's rule."""
    means: dict[str, dict[str, list[float]]] = defaultdict(lambda: defaultdict(list))
    for g, by_rater in forms.items():
        for form in by_rater.values():
            for rating in form:
                means[g][rating.dimension].append(adjusted(rating))
    return {
        g: {d: float(np.mean(values)) for d, values in sorted(by_dimension.items())}
        for g, by_dimension in means.items()
    }


def _dimension_scores(
    forms: Forms, weights: dict[str, float], adjusted: Adjust
) -> dict[str, float]:
    """Per dimension the weighted mean of group means, weights renormalized over groups present."""
    per_dimension: dict[str, dict[str, list[float]]] = defaultdict(lambda: defaultdict(list))
    for g in weights:
        for form in forms[g].values():
            for rating in form:
                per_dimension[rating.dimension][g].append(adjusted(rating))
    scores = {}
    for dimension in sorted(per_dimension):
        present = renormalize_weights(weights, per_dimension[dimension])
        scores[dimension] = sum(
            w * float(np.mean(per_dimension[dimension][g])) for g, w in present.items()
        )
    return scores


def _rating_error_variance(rater: str, scheme: Scheme, model: RaterEffects) -> float:
    """Error variance of one rater's (adjusted) form: noise plus leniency left in it."""
    if not scheme.bias_correction:
        return model.residual_variance + model.rater_variance
    m = model.ratings_per_rater.get(rater, 0.0)
    # what remains is the estimate's own uncertainty, σ²_ε/(m+λ)
    return model.residual_variance * (1.0 + 1.0 / (m + model.lam))


def _with_reliability(drafts: dict[str, _Draft], model: RaterEffects) -> dict[str, RateeResult]:
    """Reliability σ²_θ/(σ²_θ + SE²), with σ²_θ the spread of ratee levels net of their error."""
    errors = [d.error_variance for d in drafts.values() if d.error_variance is not None]
    levels = list(model.ratee_levels.values())
    true_variance = 0.0
    if len(levels) >= 2 and errors:
        true_variance = max(float(np.var(levels, ddof=1)) - float(np.mean(errors)), 0.0)
    results = {}
    for ratee, draft in drafts.items():
        result = draft.result
        if draft.error_variance is not None:
            total = true_variance + draft.error_variance
            flags = list(result.flags)
            if total > 0:
                reliability = true_variance / total
                if reliability < LOW_RELIABILITY:
                    flags.append("low_reliability")
            else:
                # no spread and no error to measure (a lone rating): unknown, not perfect
                reliability = None
                flags.append("reliability_unknown")
            result = replace(result, reliability=reliability, flags=flags)
        results[ratee] = result
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
