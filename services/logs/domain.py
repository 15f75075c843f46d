"""The daily work log (laporan kerja harian) and its verification, pure.

An employee logs a day's work against an activity of their approved SKP; the
direct supervisor verifies it (or rejects it with a reason). An entry is activity:
it counts towards the SKP's realized output only when the employee marks it as
completing output (saying how much) and the supervisor verifies it; a
verification can be revoked, which rolls that back. The rules that keep logs
worth reading are HR's to tune.
"""

from __future__ import annotations

import hashlib
from collections import Counter
from dataclasses import dataclass, replace
from datetime import date, timedelta
from decimal import Decimal

from kinerja.errors import Conflict, ValidationFailed
from services.logs.workload import working_days

PENDING, VERIFIED, REJECTED, WITHDRAWN = "pending", "verified", "rejected", "withdrawn"
EDITABLE = (PENDING, REJECTED)


@dataclass(frozen=True)
class LogRules:
    """HR's rules for daily logs, with the defaults the platform ships."""

    max_working_days_back: int = 3
    max_minutes_per_day: int = 1440
    min_description_length: int = 20

    def check(self) -> None:
        fields = {}
        if not 0 <= self.max_working_days_back <= 60:
            fields["max_working_days_back"] = ["between 0 and 60"]
        if not 1 <= self.max_minutes_per_day <= 1440:
            fields["max_minutes_per_day"] = ["between 1 and 1440"]
        if not 1 <= self.min_description_length <= 500:
            fields["min_description_length"] = ["between 1 and 500"]
        if fields:
            raise ValidationFailed("the log rules are not valid", fields)


@dataclass(frozen=True)
class Entry:
    id: str
    nip: str
    date: date
    activity_id: str
    description: str
    quantity: Decimal | None  # the output it completes; None for an ordinary entry
    minutes: int
    completes_output: bool = False
    status: str = PENDING
    reason: str = ""
    verified_by: str | None = None
    revision: int = 1

    @property
    def cycle(self) -> str:
        return str(self.date.year)

    @property
    def output(self) -> Decimal:
        """What the entry adds to the activity's realized output once verified."""
        return self.quantity if self.completes_output and self.quantity else Decimal(0)


@dataclass(frozen=True)
class Context:
    """What the rules need to know beyond the entry itself."""

    today: date
    approved_activities: frozenset[str]  # of the employee's approved SKP for the entry's year
    minutes_that_day: int  # the employee's other entries on that date
    previous_description: str | None  # the employee's latest other entry
    day_reopened: bool = False  # the supervisor reopened this day for late entry
    others_that_day: tuple[Entry, ...] = ()  # the employee's other live entries that date


def working_days_between(earlier: date, later: date) -> int:
    """Monday-Friday days after `earlier` up to and including `later`; 0 unless later.
    Arithmetic, not a walk over the days: a date of year 1 costs what yesterday costs."""
    if later <= earlier:
        return 0
    return working_days(earlier + timedelta(days=1), later)


def minutes_logged(entries: list[Entry] | tuple[Entry, ...]) -> int:
    """The minutes of these entries, withdrawn ones aside: what max_minutes_per_day counts."""
    return sum(e.minutes for e in entries if e.status != WITHDRAWN)


def duplicate_key(entry: Entry) -> str:
    """What makes two entries the same work: one employee, day and activity, and the same
    text but for case and spacing. A digest, so that a long text still fits an index key."""
    same = "\n".join(
        (entry.nip, entry.date.isoformat(), entry.activity_id, _normal(entry.description))
    )
    return hashlib.sha256(same.encode()).hexdigest()


DUPLICATE_ENTRY_WHY = "the same work on the same day is logged already; edit that entry instead"


def duplicate_entry_refused() -> ValidationFailed:
    """The refusal of an entry that repeats a live one (domain.duplicate_key): raised by the
    rules below, and by the store when its unique index meets a duplicate they did not see."""
    return ValidationFailed(
        "the entry breaks the log rules",
        {"description": [f"no_duplicate_entry: {DUPLICATE_ENTRY_WHY}"]},
        code="log_rule_broken",
    )


def broken_rules(entry: Entry, context: Context, rules: LogRules) -> dict[str, list[str]]:
    """Each broken rule, by field, named so the person knows which rule it is."""
    fields: dict[str, list[str]] = {}

    def broken(field: str, rule: str, why: str) -> None:
        fields.setdefault(field, []).append(f"{rule}: {why}")

    if entry.date > context.today:
        broken("date", "no_future_dates", "a day's work is logged on or after that day")
    elif (
        working_days_between(entry.date, context.today) > rules.max_working_days_back
        and not context.day_reopened
    ):
        broken(
            "date",
            "max_working_days_back",
            f"more than {rules.max_working_days_back} working days ago; ask your supervisor "
            "to reopen the day",
        )
    if entry.activity_id not in context.approved_activities:
        broken(
            "activity_id",
            "approved_activity_only",
            f"not an activity of your approved SKP for {entry.cycle}",
        )
    if not 1 <= entry.minutes <= rules.max_minutes_per_day:
        broken("minutes", "minutes_per_entry", f"1 to {rules.max_minutes_per_day}")
    elif context.minutes_that_day + entry.minutes > rules.max_minutes_per_day:
        broken(
            "minutes",
            "max_minutes_per_day",
            f"{context.minutes_that_day} minutes are logged that day already; at most "
            f"{rules.max_minutes_per_day} in total",
        )
    text = entry.description.strip()
    if len(text) < rules.min_description_length:
        broken(
            "description",
            "min_description_length",
            f"describe the work in at least {rules.min_description_length} characters",
        )
    elif _repeats_one_of(entry, context.others_that_day):
        broken("description", "no_duplicate_entry", DUPLICATE_ENTRY_WHY)
    elif context.previous_description is not None and _same_text(
        text, context.previous_description
    ):
        broken(
            "description",
            "no_copied_description",
            "the same text as your previous entry; say what was done this time",
        )
    if entry.completes_output and (entry.quantity is None or entry.quantity <= 0):
        broken(
            "quantity",
            "output_quantity_required",
            "an entry that completes output says how much it completes (above 0)",
        )
    elif not entry.completes_output and entry.quantity is not None:
        broken(
            "quantity",
            "output_only_when_completed",
            "an ordinary entry is activity and has no output quantity; mark it as "
            "completing output (completes_output) to count it",
        )
    return fields


def check_entry(entry: Entry, context: Context, rules: LogRules) -> None:
    """ValidationFailed `log_rule_broken` naming every broken rule at once."""
    fields = broken_rules(entry, context, rules)
    if fields:
        raise ValidationFailed("the entry breaks the log rules", fields, code="log_rule_broken")


def _repeats_one_of(entry: Entry, others: tuple[Entry, ...]) -> bool:
    key = duplicate_key(entry)
    return any(o.status != WITHDRAWN and duplicate_key(o) == key for o in others)


def _same_text(a: str, b: str) -> bool:
    return _normal(a) == _normal(b)


def _normal(text: str) -> str:
    return " ".join(text.lower().split())


# --- the entry's life -----------------------------------------------------------------


def revise(entry: Entry, changes: dict) -> Entry:
    if entry.status not in EDITABLE:
        raise Conflict(f"a {entry.status} entry cannot be edited", code="not_editable")
    if changes.get("completes_output") is False and "quantity" not in changes:
        changes = {**changes, "quantity": None}  # no longer output: its quantity goes too
    return replace(entry, **changes, status=PENDING, reason="", revision=entry.revision + 1)


def withdraw(entry: Entry) -> Entry:
    if entry.status not in EDITABLE:
        raise Conflict(
            f"a {entry.status} entry cannot be withdrawn"
            + (
                "; ask your supervisor to revoke the verification"
                if entry.status == VERIFIED
                else ""
            ),
            code="not_withdrawable",
        )
    return replace(entry, status=WITHDRAWN, revision=entry.revision + 1)


def verify(entry: Entry, supervisor: str) -> Entry:
    if entry.status != PENDING:
        raise Conflict(
            f"a {entry.status} entry is not waiting for verification", code="not_pending"
        )
    return replace(entry, status=VERIFIED, verified_by=supervisor, revision=entry.revision + 1)


def reject(entry: Entry, supervisor: str, reason: str) -> Entry:
    if entry.status != PENDING:
        raise Conflict(
            f"a {entry.status} entry is not waiting for verification", code="not_pending"
        )
    if not reason.strip():
        raise ValidationFailed("say why", {"reason": ["required when rejecting"]})
    return replace(
        entry, status=REJECTED, reason=reason, verified_by=supervisor, revision=entry.revision + 1
    )


def revoke(entry: Entry, supervisor: str) -> Entry:
    """Undo a verification: the entry waits again and its output leaves the SKP."""
    if entry.status != VERIFIED:
        raise Conflict(
            "only a verified entry can have its verification revoked", code="not_verified"
        )
    return replace(entry, status=PENDING, verified_by=None, revision=entry.revision + 1)


# --- reading the logs -------------------------------------------------------------------


def month_minutes(entries: list[Entry]) -> dict[str, int]:
    """The minutes logged, verified and waiting, withdrawn entries aside."""
    live = [e for e in entries if e.status != WITHDRAWN]
    return {
        "minutes": minutes_logged(live),
        "verified_minutes": sum(e.minutes for e in live if e.status == VERIFIED),
        "pending_minutes": sum(e.minutes for e in live if e.status == PENDING),
    }


def missing_days(entries: list[Entry], first: date, last: date) -> list[date]:
    """Working days in [first, last] with no entry at all: where the log is silent."""
    logged = {e.date for e in entries if e.status != WITHDRAWN}
    days, current = [], first
    while current <= last:
        if current.weekday() < 5 and current not in logged:
            days.append(current)
        current += timedelta(days=1)
    return days


def repeated_descriptions(entries: list[Entry]) -> dict[str, list[str]]:
    """Texts written more than once, with the entries that repeat them."""
    live = [e for e in entries if e.status != WITHDRAWN]
    counts = Counter(_normal(e.description) for e in live)
    repeated: dict[str, list[str]] = {}
    for entry in live:
        key = _normal(entry.description)
        if counts[key] > 1:
            repeated.setdefault(entry.description.strip(), []).append(entry.id)
    return repeated


@dataclass(frozen=True)
class ActivityTarget:
    id: str
    name: str
    quantity: Decimal
    unit: str
    months: Decimal


@dataclass(frozen=True)
class ActivityRecap:
    activity_id: str
    name: str
    unit: str
    minutes: int  # this month
    verified_quantity: Decimal  # this month
    pending_quantity: Decimal  # this month
    verified_to_date: Decimal  # since the cycle began
    expected_by_now: Decimal  # the target's pace at the end of this month


def monthly_recap(
    entries: list[Entry], activities: list[ActivityTarget], month: date
) -> list[ActivityRecap]:
    """Per activity: the month's minutes and output, verified and pending, against the
    target's pace (target quantity spread evenly over its months from January)."""
    months_elapsed = Decimal(month.month)
    live = [e for e in entries if e.status != WITHDRAWN and e.date <= month_end(month)]
    recaps = []
    for activity in activities:
        mine = [e for e in live if e.activity_id == activity.id]
        this_month = [e for e in mine if (e.date.year, e.date.month) == (month.year, month.month)]
        recaps.append(
            ActivityRecap(
                activity.id,
                activity.name,
                activity.unit,
                minutes=sum(e.minutes for e in this_month),
                verified_quantity=_total(this_month, VERIFIED),
                pending_quantity=_total(this_month, PENDING),
                verified_to_date=_total(mine, VERIFIED),
                expected_by_now=activity.quantity
                * min(months_elapsed / activity.months, Decimal(1)),
            )
        )
    return recaps


def _total(entries: list[Entry], status: str) -> Decimal:
    return sum((e.output for e in entries if e.status == status), Decimal(0))


def month_end(month: date) -> date:
    following = date(month.year + month.month // 12, month.month % 12 + 1, 1)
    return following - timedelta(days=1)
