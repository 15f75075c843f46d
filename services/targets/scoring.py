"""The regulation's SKP arithmetic (PP 46/2011, Perka BKN 1/2013), pure: no I/O.

The SKP (Sasaran Kerja Pegawai, the yearly work targets) scores each activity
(kegiatan tugas jabatan) on quantity (kuantitas), quality (kualitas), time
(waktu) and, when it has a cost target, cost (biaya). The SKP score (nilai SKP)
is the mean of the activity scores plus points for extra tasks (tugas tambahan)
and creativity (kreativitas).

Every number is a `Decimal`: at the 24% efficiency boundary binary floats take
the wrong branch (TW = 12, RW = 9.12 scores 75.92 instead of 100).
"""

from __future__ import annotations

import calendar
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from datetime import date
from decimal import (
    ROUND_HALF_EVEN,
    Context,
    Decimal,
    DivisionByZero,
    InvalidOperation,
    Overflow,
    localcontext,
)

from kinerja.errors import ValidationFailed

ZERO = Decimal(0)
HUNDRED = Decimal(100)
# Saving up to 24% of the planned time or cost is rewarded; beyond it the score falls again.
REWARDED_EFFICIENCY = Decimal(24)
CREATIVITY_POINTS = {"unit": Decimal(3), "agency": Decimal(6), "national": Decimal(12)}
# (at least this many approved extra tasks, points), highest tier first
EXTRA_TASK_TIERS = ((7, Decimal(3)), (4, Decimal(2)), (1, Decimal(1)))

# Our own context, so a caller's decimal settings cannot change a score.
_EXACT = Context(
    prec=28, rounding=ROUND_HALF_EVEN, traps=[InvalidOperation, DivisionByZero, Overflow]
)


def _as_exact(owner: object, name: str, optional: bool = False) -> None:
    """Accept Decimal and int (made Decimal); refuse floats, which lose the exact boundaries."""
    value = getattr(owner, name)
    if value is None and optional:
        return
    if isinstance(value, int) and not isinstance(value, bool):
        object.__setattr__(owner, name, Decimal(value))
    elif not isinstance(value, Decimal):
        kind = type(owner).__name__
        raise TypeError(f"{kind}.{name} must be a Decimal or an int, not {type(value).__name__}")


@dataclass(frozen=True, kw_only=True)
class Target:
    """An activity's yearly target: output quantity (TO), quality (TK), months (TW), cost (TB).

    A cost of None or 0 means the activity has no cost target.
    """

    quantity: Decimal
    months: Decimal
    quality: Decimal = HUNDRED
    cost: Decimal | None = None

    def __post_init__(self) -> None:
        for name in ("quantity", "months", "quality"):
            _as_exact(self, name)
        _as_exact(self, "cost", optional=True)

    @property
    def has_cost(self) -> bool:
        return self.cost is not None and self.cost != 0


@dataclass(frozen=True, kw_only=True)
class Realization:
    """What an activity achieved: quantity (RO), quality (RK), months (RW), cost (RB)."""

    quantity: Decimal
    quality: Decimal
    months: Decimal
    cost: Decimal | None = None

    def __post_init__(self) -> None:
        for name in ("quantity", "quality", "months"):
            _as_exact(self, name)
        _as_exact(self, "cost", optional=True)


@dataclass(frozen=True)
class ActivityScore:
    """An activity's aspects, their sum (penghitungan) and its score (nilai capaian)."""

    quantity: Decimal
    quality: Decimal
    time: Decimal
    cost: Decimal | None  # None when the activity has no cost target
    total: Decimal
    score: Decimal


@dataclass(frozen=True)
class SkpScore:
    """The SKP score (nilai SKP) and how it is made up; it may exceed 100."""

    activities: tuple[ActivityScore, ...]
    activities_mean: Decimal
    extra_tasks_points: Decimal
    creativity_points: Decimal
    skp_score: Decimal


# --- the formulas ----------------------------------------------------------------------


def efficiency(planned: Decimal, used: Decimal) -> Decimal:
    """How much of the planned time or cost was saved, in percent (e_w, e_b)."""
    with localcontext(_EXACT):
        return HUNDRED - (used / planned * HUNDRED)


def _efficiency_aspect(planned: Decimal, used: Decimal) -> Decimal:
    """Time (waktu) and cost (biaya) follow the same rule, with the regulation's parentheses."""
    relative = (Decimal("1.76") * planned - used) / planned * HUNDRED
    if efficiency(planned, used) <= REWARDED_EFFICIENCY:
        return relative
    return Decimal(76) - (relative - HUNDRED)


def _score_valid_activity(target: Target, realization: Realization) -> ActivityScore:
    with localcontext(_EXACT):
        if realization.quantity == 0:
            # Not carried out: zero on every aspect, and it still counts in the mean.
            return ActivityScore(ZERO, ZERO, ZERO, ZERO if target.has_cost else None, ZERO, ZERO)
        aspects = [
            realization.quantity / target.quantity * HUNDRED,
            realization.quality / target.quality * HUNDRED,
            _efficiency_aspect(target.months, realization.months),
        ]
        cost = _efficiency_aspect(target.cost, realization.cost) if target.has_cost else None
        if cost is not None:
            aspects.append(cost)
        total = sum(aspects, ZERO)
        return ActivityScore(*aspects[:3], cost, total, total / len(aspects))


def score_activity(target: Target, realization: Realization) -> ActivityScore:
    """One activity's score: the mean of its three aspects, or four when it has a cost target.

    Raises ValidationFailed naming fields such as `target.quantity`.
    """
    _refuse("the activity cannot be scored", _activity_problems(target, realization))
    return _score_valid_activity(target, realization)


def extra_task_points(count: int) -> Decimal:
    """Points for the approved extra tasks (tugas tambahan) of the year."""
    _refuse("the extra tasks cannot be scored", _extra_task_problems(count))
    return next((points for least, points in EXTRA_TASK_TIERS if count >= least), ZERO)


def creativity_points(level: str | None) -> Decimal:
    """Points for creativity (kreativitas), by who recognized it: unit, agency or national."""
    _refuse("the creativity cannot be scored", _creativity_problems(level))
    return ZERO if level is None else CREATIVITY_POINTS[level]


def score_skp(
    activities: Sequence[tuple[Target, Realization]], extra_tasks: int, creativity: str | None
) -> SkpScore:
    """The SKP score (nilai SKP): mean activity score + extra task points + creativity points.

    Raises ValidationFailed naming every bad field, e.g. `activities[0].target.quantity`.
    """
    problems: dict[str, list[str]] = {}
    if not activities:
        problems["activities"] = ["an SKP has at least one activity"]
    for index, (target, realization) in enumerate(activities):
        problems |= _activity_problems(target, realization, f"activities[{index}]")
    problems |= _extra_task_problems(extra_tasks) | _creativity_problems(creativity)
    _refuse("the SKP cannot be scored", problems)
    with localcontext(_EXACT):
        scores = tuple(_score_valid_activity(target, real) for target, real in activities)
        mean = sum((s.score for s in scores), ZERO) / len(scores)
        extra, creative = extra_task_points(extra_tasks), creativity_points(creativity)
        return SkpScore(scores, mean, extra, creative, mean + extra + creative)


# --- during the year: targets pro-rated to date -----------------------------------------
# PP 46/2011 scores the year's realization against the year's target. Before the year ends
# only part of a target can be due: comparing output to date with the whole year's target
# reads a 0 for an activity just begun. The quantity (and the cost) expected by a date is
# the yearly target times the elapsed share of the activity's planned months (TW), counted
# from January; quality is a ratio and is not pro-rated, and time keeps the regulation's
# rule (an activity on schedule has used its pro-rated months: RW / TW is the same).

MONTHS = Decimal(12)
NEGATIVE_TIME, NEGATIVE_COST = "waktu_negatif", "biaya_negatif"


def elapsed_months(cycle_year: int, as_of: date) -> Decimal:
    """Months of the cycle's year gone by on `as_of` (the day counted), from 0 to 12."""
    if as_of.year < cycle_year:
        return ZERO
    if as_of.year > cycle_year:
        return MONTHS
    with localcontext(_EXACT):
        days = Decimal(calendar.monthrange(as_of.year, as_of.month)[1])
        return Decimal(as_of.month - 1) + Decimal(as_of.day) / days


def elapsed_share(planned_months: Decimal, cycle_year: int, as_of: date) -> Decimal:
    """The share of an activity's planned months (TW) elapsed on `as_of`, clamped to [0, 1]."""
    with localcontext(_EXACT):
        share = elapsed_months(cycle_year, as_of) / planned_months
    return min(max(share, ZERO), Decimal(1))


def prorated_target(target: Target, share: Decimal) -> Target | None:
    """The target due by now: quantity (and cost) × the elapsed share; None before any is due."""
    if share <= 0:
        return None
    with localcontext(_EXACT):
        cost = target.cost * share if target.has_cost else target.cost
        return replace(target, quantity=target.quantity * share, cost=cost)


def negative_aspects(score: ActivityScore) -> tuple[str, ...]:
    """PP 46's time and cost scores turn negative for very late or far over-budget work: kept
    as the regulation writes them, and named so that a page can say so."""
    flags = []
    if score.time < 0:
        flags.append(NEGATIVE_TIME)
    if score.cost is not None and score.cost < 0:
        flags.append(NEGATIVE_COST)
    return tuple(flags)


def mean_of_assessable(
    scores: Sequence[ActivityScore | None], extra_tasks: int, creativity: str | None
) -> SkpScore | None:
    """The SKP score over the activities that can be assessed yet (None: not yet assessable);
    None when none can: an activity without realization is not a 0 during the year."""
    assessed = tuple(s for s in scores if s is not None)
    if not assessed:
        return None
    with localcontext(_EXACT):
        mean = sum((s.score for s in assessed), ZERO) / len(assessed)
        extra, creative = extra_task_points(extra_tasks), creativity_points(creativity)
        return SkpScore(assessed, mean, extra, creative, mean + extra + creative)


# --- validation ------------------------------------------------------------------------

Rule = Callable[[Decimal], str | None]


def _above_zero(value: Decimal) -> str | None:
    return None if value > 0 else "must be above 0"


def _not_negative(value: Decimal) -> str | None:
    return None if value >= 0 else "cannot be negative"


def _target_quality(value: Decimal) -> str | None:
    return None if 0 < value <= 100 else "must be above 0 and at most 100"


def _realized_quality(value: Decimal) -> str | None:
    return None if 0 <= value <= 100 else "must be between 0 and 100"


TARGET_RULES: tuple[tuple[str, Rule], ...] = (
    ("quantity", _above_zero),
    ("quality", _target_quality),
    ("months", _above_zero),
    ("cost", _not_negative),
)
REALIZATION_RULES: tuple[tuple[str, Rule], ...] = (
    ("quantity", _not_negative),
    ("quality", _realized_quality),
    ("months", _not_negative),
    ("cost", _not_negative),
)


def _record_problems(
    record: object, rules: tuple[tuple[str, Rule], ...], where: str
) -> dict[str, list[str]]:
    problems = {}
    for name, rule in rules:
        value = getattr(record, name)
        if value is None:
            continue
        # NaN would make the comparisons below raise instead of report
        problem = rule(value) if value.is_finite() else "must be a finite number"
        if problem:
            problems[f"{where}.{name}"] = [problem]
    return problems


def _activity_problems(
    target: Target, realization: Realization, where: str = ""
) -> dict[str, list[str]]:
    prefix = f"{where}." if where else ""
    problems = _record_problems(target, TARGET_RULES, f"{prefix}target")
    problems |= _record_problems(realization, REALIZATION_RULES, f"{prefix}realization")
    if target.has_cost and realization.cost is None:
        problems[f"{prefix}realization.cost"] = ["required when the target has a cost"]
    return problems


def _extra_task_problems(count: object) -> dict[str, list[str]]:
    if isinstance(count, bool) or not isinstance(count, int) or count < 0:
        return {"extra_tasks": ["a whole number, 0 or more"]}
    return {}


def _creativity_problems(level: object) -> dict[str, list[str]]:
    if level is None or (isinstance(level, str) and level in CREATIVITY_POINTS):
        return {}
    return {"creativity": [f"one of {', '.join(CREATIVITY_POINTS)}, or null"]}


def _refuse(message: str, problems: dict[str, list[str]]) -> None:
    if problems:
        raise ValidationFailed(message, problems)


# --- the JSON contract (`kinerja skp score` and the HTTP preview) -------------------------

DOCUMENT_FIELDS = ("activities", "extra_tasks", "creativity")
ACTIVITY_FIELDS = ("target", "realization")
# (required, optional) numbers of each record
TARGET_FIELDS = (("quantity", "months"), ("quality", "cost"))
REALIZATION_FIELDS = (("quantity", "quality", "months"), ("cost",))


def score_document(document: object) -> dict:
    """Score a decoded JSON document: activities, extra_tasks and creativity in, scores out.

    Numbers may be JSON numbers or numeric strings; a target quality left out is
    100, a cost left out or 0 means no cost target, extra_tasks left out is 0.
    Output numbers are floats at full precision, unrounded. Raises
    ValidationFailed naming every bad field, e.g. `activities[0].target.quantity`.
    """
    problems: dict[str, list[str]] = {}
    fields = _read_object(document, "", DOCUMENT_FIELDS, problems)
    if fields is None:
        raise ValidationFailed("the document cannot be scored", problems)
    activities = _read_activities(fields.get("activities"), problems)
    extra_tasks = _read_extra_tasks(fields.get("extra_tasks"), problems)
    creativity = fields.get("creativity")
    problems |= _creativity_problems(creativity)
    _refuse("the document cannot be scored", problems)
    return _document_of(score_skp(activities, extra_tasks, creativity))


def _read_object(value: object, path: str, allowed: tuple[str, ...], problems: dict) -> dict | None:
    """A JSON object with only the allowed fields; path "" is the document itself."""
    if not isinstance(value, dict):
        problems[path or "document"] = ["must be an object"]
        return None
    prefix = f"{path}." if path else ""
    for name in value.keys() - set(allowed):
        # a misspelt "qualty" would otherwise silently score at the default
        problems[f"{prefix}{name}"] = ["unknown field"]
    return value


def _read_activities(value: object, problems: dict) -> list[tuple[Target, Realization]]:
    if value is None:
        problems["activities"] = ["required"]
        return []
    if not isinstance(value, list):
        problems["activities"] = ["must be a list"]
        return []
    if not value:
        problems["activities"] = ["an SKP has at least one activity"]
    read = (_read_activity(item, f"activities[{i}]", problems) for i, item in enumerate(value))
    return [activity for activity in read if activity is not None]


def _read_activity(value: object, path: str, problems: dict) -> tuple[Target, Realization] | None:
    fields = _read_object(value, path, ACTIVITY_FIELDS, problems)
    if fields is None:
        return None
    target = _read_numbers(fields.get("target"), f"{path}.target", TARGET_FIELDS, problems)
    realized = _read_numbers(
        fields.get("realization"), f"{path}.realization", REALIZATION_FIELDS, problems
    )
    if target is None or realized is None:
        return None
    activity = Target(**target), Realization(**realized)
    problems |= _activity_problems(*activity, path)
    return activity


def _read_numbers(
    value: object, path: str, names: tuple[tuple[str, ...], tuple[str, ...]], problems: dict
) -> dict[str, Decimal] | None:
    """A record of numbers, or None (with the problems noted) when it cannot be read."""
    required, optional = names
    if value is None:
        problems[path] = ["required"]
        return None
    fields = _read_object(value, path, required + optional, problems)
    if fields is None:
        return None
    numbers, complete = {}, True
    for name in required + optional:
        if fields.get(name) is None:
            if name in required:
                problems[f"{path}.{name}"] = ["required"]
                complete = False
            continue
        numbers[name] = _read_number(fields[name], f"{path}.{name}", problems)
        complete = complete and numbers[name] is not None
    return numbers if complete else None


def _read_number(value: object, path: str, problems: dict) -> Decimal | None:
    # str() first: Decimal(9.12) would carry the float's binary error, Decimal("9.12") does not
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        problems[path] = ["must be a number"]
        return None
    try:
        number = Decimal(str(value).strip())
    except (InvalidOperation, ValueError):  # ValueError: an int too long to print
        problems[path] = ["must be a number"]
        return None
    # what a JSON number (a double) cannot carry would not survive the answer either
    as_float = float(number) if number.is_finite() else math.inf
    if not math.isfinite(as_float) or (as_float == 0 and number != 0):
        problems[path] = ["must be a finite number within the range of a JSON number"]
        return None
    return number


def _read_extra_tasks(value: object, problems: dict) -> int:
    if value is None:
        return 0
    number = _read_number(value, "extra_tasks", problems)
    if number is None:
        return 0
    if number != number.to_integral_value() or number < 0:
        problems["extra_tasks"] = ["a whole number, 0 or more"]
        return 0
    return int(number)


def _json_number(number: Decimal | None, path: str) -> float | None:
    """Decimals become floats only here, at the JSON boundary."""
    if number is None:
        return None
    as_float = float(number)
    if not math.isfinite(as_float):
        raise ValidationFailed(
            "the score is too large to report", {path: ["targets and realizations too far apart"]}
        )
    return as_float


def _document_of(result: SkpScore) -> dict:
    activities = [
        {name: _json_number(value, f"activities[{index}]") for name, value in vars(a).items()}
        for index, a in enumerate(result.activities)
    ]
    totals = {name: value for name, value in vars(result).items() if name != "activities"}
    return {
        "activities": activities,
        **{name: _json_number(value, "activities") for name, value in totals.items()},
    }
