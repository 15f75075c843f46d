"""Cycle-level reliability of a 360 round: ICC(1), Krippendorff's alpha, the leniency share.

SCORING.md step 5 asks, per cycle, for ICC(1) on raw and adjusted ratings, Krippendorff's
alpha and the share of variance due to rater leniency, so that HR can see whether the
adjustment made the ratings more reliable. The formulas are the research note's
(rater_methods.md §3.1); they are short closed forms, so they live here in plain numpy and
the tests check them against `statsmodels` and `krippendorff`.

The input is one value per form: `(rater, ratee, value)`, the rater's mean over the items
of their form for that ratee. Live 360 data are unbalanced and not crossed (each ratee has
their own 1..10 raters), which is why the one-way, unbalanced ICC(1) is used and not the
crossed ICC(2,1)/ICC(3,1).

Ratees with a single form are dropped from every figure here. Krippendorff's definition
drops such units as unpairable; for ICC(1) a lone rating adds nothing to the within-ratee
mean square and only injects its own rater's noise into the between-ratee mean square, so
dropping them keeps both figures on the same ratings. Pure: numpy and the standard library.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import asdict, dataclass

import numpy as np

Form = tuple[str, str, float]  # (rater, ratee, the rater's mean over the form's items)

ROUND_DIGITS = 4


@dataclass(frozen=True)
class OneWayAnova:
    """The one-way ANOVA of ratings by ratee, over ratees with at least two ratings."""

    ratees: int  # k, groups
    ratings: int  # N, observations
    ms_between: float  # MSB, df k − 1
    ms_within: float  # MSW, df N − k
    n0: float  # the adjusted group size (N − Σ n_i² / N) / (k − 1)


def forms_of(ratings: Iterable, excluded: Iterable[str] = ()) -> list[Form]:
    """One form per rater, ratee and group: the rater's mean over its items (`ratings` are
    item ratings with rater, ratee, group and score). Self ratings are no one else's
    judgement and the raters the screening excluded were not counted, so neither is in."""
    left_out = set(excluded)
    items: dict[tuple[str, str, str], list[float]] = {}
    for r in ratings:
        if r.group != "self" and r.rater not in left_out:
            items.setdefault((r.rater, r.ratee, r.group), []).append(r.score)
    return [(rater, ratee, sum(v) / len(v)) for (rater, ratee, _), v in items.items()]


def _values_by_ratee(forms: Iterable[Form]) -> dict[str, list[float]]:
    """Each ratee's values; refuses a second form from the same rater or a non-finite value."""
    by_ratee: dict[str, list[float]] = {}
    seen: set[tuple[str, str]] = set()
    for rater, ratee, value in forms:
        # A coder gives at most one value per unit; a duplicate would silently double a rater.
        if (rater, ratee) in seen:
            raise ValueError(f"more than one form from rater {rater!r} for ratee {ratee!r}")
        seen.add((rater, ratee))
        number = float(value)
        if not math.isfinite(number):
            raise ValueError(f"form from rater {rater!r} for ratee {ratee!r} is not finite")
        by_ratee.setdefault(ratee, []).append(number)
    return by_ratee


def _pairable_groups(forms: Iterable[Form]) -> list[np.ndarray]:
    """The values of each ratee that has at least two forms, in first-seen order."""
    return [
        np.asarray(values, dtype=float)
        for values in _values_by_ratee(forms).values()
        if len(values) >= 2
    ]


def one_way_anova(forms: Iterable[Form]) -> OneWayAnova | None:
    """Mean squares between and within ratees; None without two pairable ratees or any spread."""
    groups = _pairable_groups(forms)
    if len(groups) < 2:
        return None
    values = np.concatenate(groups)
    if np.ptp(values) == 0:
        return None
    ratees = len(groups)
    ratings = values.size
    sizes = np.array([group.size for group in groups], dtype=float)
    # Centring first keeps the sums of squares accurate when the values sit far from zero.
    grand_mean = values.mean()
    means = np.array([group.mean() for group in groups]) - grand_mean
    ss_between = float(np.sum(sizes * means**2))
    ss_within = float(sum(np.sum((group - group.mean()) ** 2) for group in groups))
    n0 = (ratings - float(np.sum(sizes**2)) / ratings) / (ratees - 1)
    return OneWayAnova(
        ratees=ratees,
        ratings=ratings,
        ms_between=ss_between / (ratees - 1),
        ms_within=ss_within / (ratings - ratees),
        n0=n0,
    )


def icc1(forms: Iterable[Form]) -> float | None:
    """Single-rater reliability ICC(1) (Shrout & Fleiss ICC(1,1)), one-way, unbalanced.

    (MSB − MSW) / (MSB + (n0 − 1)·MSW). Not truncated at 0: a negative value says the
    ratees are told apart less than chance would, which is worth seeing as such. None when
    fewer than two ratees have two or more ratings, or all those ratings are equal.
    """
    anova = one_way_anova(forms)
    if anova is None:
        return None
    msb, msw = anova.ms_between, anova.ms_within
    # n0 ≥ 2 when every group has ≥ 2 ratings, and MSB + MSW > 0 once the values spread.
    return (msb - msw) / (msb + (anova.n0 - 1) * msw)


def spearman_brown(single_rater_reliability: float, raters: float) -> float:
    """The reliability of the mean of `raters` interchangeable raters (Spearman–Brown)."""
    rho = single_rater_reliability
    return raters * rho / (1 + (raters - 1) * rho)


def reliability_of_mean(forms: Iterable[Form]) -> float | None:
    """ICC(1,k): the reliability of a ratee's mean over k = n0 raters (Bliese's "ICC(2)").

    Spearman–Brown of ICC(1) with k = n0, the ANOVA's adjusted raters per ratee; with that k
    it equals (MSB − MSW) / MSB exactly. None where ICC(1) is, or when MSB is 0 (no spread
    between ratees, so the mean of any number of raters is not reliable at all).
    """
    anova = one_way_anova(forms)
    if anova is None or anova.ms_between <= 0:
        return None
    msb, msw = anova.ms_between, anova.ms_within
    single = (msb - msw) / (msb + (anova.n0 - 1) * msw)
    return spearman_brown(single, anova.n0)


def krippendorff_alpha_interval(forms: Iterable[Form]) -> float | None:
    """Krippendorff's alpha, interval metric: ratees are units, raters are coders.

    With pairable units u (m_u ≥ 2 values), n = Σ m_u and SS the sums of squares about the
    unit mean and about the mean of all pairable values:
    alpha = 1 − D_o/D_e = 1 − ((n − 1)/n) · Σ_u [m_u·SS_u / (m_u − 1)] / SS_total.
    Coder identity does not enter. None without a pairable unit or when the pairable values
    are all equal (no expected disagreement to compare against).
    """
    groups = _pairable_groups(forms)
    if not groups:
        return None
    values = np.concatenate(groups)
    if np.ptp(values) == 0:
        return None
    pairable = values.size
    ss_total = float(np.sum((values - values.mean()) ** 2))
    within = sum(
        group.size * float(np.sum((group - group.mean()) ** 2)) / (group.size - 1)
        for group in groups
    )
    return 1 - (pairable - 1) / pairable * within / ss_total


def leniency_share(
    rater_variance: float, ratee_variance: float, residual_variance: float
) -> float | None:
    """The share of rating variance due to rater main effects (leniency / severity).

    rater / (rater + ratee + residual), from the fitted model's variance components. None
    when all three are 0; a negative or non-finite component is an error upstream.
    """
    components = (rater_variance, ratee_variance, residual_variance)
    if not all(math.isfinite(c) and c >= 0 for c in components):
        raise ValueError(f"variance components must be finite and non-negative: {components}")
    total = sum(components)
    if total == 0:
        return None
    return float(rater_variance) / float(total)


@dataclass(frozen=True)
class CycleReliability:
    """The cycle's reliability figures; counts are of the raw forms.

    "Adjusted" figures are the model's, not statistics of the adjusted forms: a form with
    its rater's estimated leniency removed agrees with the others partly because the model
    made it so (the same ratings estimated both), and its ICC or alpha would flatter. The
    model's REML components measure it instead: σ²_T / (σ²_T + σ²_ε) is the share of one
    corrected form that is the ratee, and Spearman–Brown carries it to the cycle's raters per
    ratee. Krippendorff's alpha has no such reading, so after correction it is not shown.
    """

    ratees: int
    raters: int
    forms: int
    icc1_raw: float | None
    icc1_adjusted: float | None
    reliability_of_mean_raw: float | None
    reliability_of_mean_adjusted: float | None
    alpha_raw: float | None
    alpha_adjusted: float | None
    leniency_share: float | None
    predicates_changed: int | None = None

    def as_dict(self) -> dict[str, float | int | None]:
        """JSON-ready: floats rounded to 4 decimals, counts as ints, None kept."""
        return {
            name: round(float(value), ROUND_DIGITS) if isinstance(value, float) else value
            for name, value in asdict(self).items()
        }


def cycle_reliability(
    raw_forms: Iterable[Form],
    rater_variance: float,
    ratee_variance: float,
    residual_variance: float,
    predicates_changed: int | None = None,
) -> CycleReliability:
    """All cycle figures: the raw forms' statistics, and the model's after the correction."""
    raw = tuple(raw_forms)
    anova = one_way_anova(raw)
    corrected = ratee_variance + residual_variance
    single = ratee_variance / corrected if corrected > 0 else None
    return CycleReliability(
        ratees=len({ratee for _, ratee, _ in raw}),
        raters=len({rater for rater, _, _ in raw}),
        forms=len(raw),
        icc1_raw=icc1(raw),
        icc1_adjusted=single,
        reliability_of_mean_raw=reliability_of_mean(raw),
        reliability_of_mean_adjusted=(
            spearman_brown(single, anova.n0) if single is not None and anova else None
        ),
        alpha_raw=krippendorff_alpha_interval(raw),
        alpha_adjusted=None,
        leniency_share=leniency_share(rater_variance, ratee_variance, residual_variance),
        predicates_changed=predicates_changed,
    )
