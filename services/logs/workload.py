"""Workload analysis (Analisis Beban Kerja, ABK) from verified daily logs, pure.

Staff needed for a unit = verified working time of its work ÷ the effective
working time of one employee. A unit whose need exceeds its head count is
overloaded; each person's ratio of verified to effective time shows the
imbalance inside it. Nothing here rounds: rounding is for display.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from kinerja.errors import ValidationFailed

UNDER, NORMAL, OVER = "under", "normal", "over"
# A person's ratio inside [NORMAL_LOW, NORMAL_HIGH] counts as a normal load.
NORMAL_LOW = Decimal("0.8")
NORMAL_HIGH = Decimal("1.2")
HOURS_IN_A_LEAP_YEAR = 366 * 24


@dataclass(frozen=True)
class WorkloadSettings:
    """HR's workload basis, with the defaults the platform ships."""

    effective_hours_per_year: Decimal = Decimal(1250)
    # 250 working days is the usual ABK basis: 365 days less weekends and public holidays.
    working_days_per_year: int = 250

    def check(self) -> None:
        fields = {}
        hours = Decimal(self.effective_hours_per_year)
        if not (hours.is_finite() and 0 < hours <= HOURS_IN_A_LEAP_YEAR):
            fields["effective_hours_per_year"] = [f"more than 0, at most {HOURS_IN_A_LEAP_YEAR}"]
        if not 1 <= self.working_days_per_year <= 366:
            fields["working_days_per_year"] = ["between 1 and 366"]
        if fields:
            raise ValidationFailed("the workload settings are not valid", fields)


@dataclass(frozen=True)
class PersonLoad:
    """One member's verified time against one employee's effective time; 1.0 is a full load."""

    nip: str
    name: str
    verified_minutes: int
    effective_minutes: Decimal
    ratio: Decimal

    @property
    def band(self) -> str:
        if self.ratio < NORMAL_LOW:
            return UNDER
        if self.ratio > NORMAL_HIGH:
            return OVER
        return NORMAL


@dataclass(frozen=True)
class UnitLoad:
    """A unit's staff need for a period, against its head count, with each member's load."""

    unit_id: str
    head_count: int
    verified_minutes: int
    effective_minutes_per_person: Decimal
    staff_needed: Decimal
    shortfall: Decimal
    overloaded: bool
    people: tuple[PersonLoad, ...]
    imbalance: Decimal


def working_days(start: date, end: date) -> int:
    """Monday to Friday days from start to end, both included."""
    if start > end:
        raise ValidationFailed("the period ends before it starts", {"from": ["on or before to"]})
    # No holiday calendar: public holidays count as working days here, which the
    # 250-day yearly basis already allows for on average.
    days = (end - start).days + 1
    weeks, rest = divmod(days, 7)
    first = start.weekday()
    return weeks * 5 + sum(1 for offset in range(rest) if (first + offset) % 7 < 5)


def effective_minutes(start: date, end: date, settings: WorkloadSettings) -> Decimal:
    """One employee's effective working minutes in the period, pro rata of the yearly basis."""
    settings.check()
    return (
        Decimal(settings.effective_hours_per_year)
        * 60
        * working_days(start, end)
        / settings.working_days_per_year
    )


def unit_workload(
    unit_id: str,
    people: list[tuple[str, str, int]],
    start: date,
    end: date,
    settings: WorkloadSettings = WorkloadSettings(),
) -> UnitLoad:
    """The ABK staff need of a unit for a period, from (nip, name, verified minutes) per member.

    The yearly formula is applied to the period: annualizing would scale the
    verified minutes by working_days_per_year / working_days(period) and divide
    by the yearly effective minutes, which is the same quotient as dividing the
    period's minutes by the period's effective minutes.
    """
    _check_people(people)
    per_person = effective_minutes(start, end, settings)
    if per_person == 0:
        raise ValidationFailed(
            "the period has no working days",
            {"from": ["a period with working days"], "to": ["a period with working days"]},
        )
    loads = sorted(
        (
            PersonLoad(nip, name, minutes, per_person, Decimal(minutes) / per_person)
            for nip, name, minutes in people
        ),
        # Highest load first; nip breaks ties so the order is the same on every run.
        key=lambda load: (-load.ratio, load.nip),
    )
    total = sum(minutes for _, _, minutes in people)
    head_count = len(people)
    staff_needed = Decimal(total) / per_person
    return UnitLoad(
        unit_id=unit_id,
        head_count=head_count,
        verified_minutes=total,
        effective_minutes_per_person=per_person,
        staff_needed=staff_needed,
        shortfall=staff_needed - head_count,
        overloaded=staff_needed > head_count,
        people=tuple(loads),
        imbalance=loads[0].ratio - loads[-1].ratio if len(loads) > 1 else Decimal(0),
    )


def _check_people(people: list[tuple[str, str, int]]) -> None:
    fields: dict[str, list[str]] = {}
    negative = [nip for nip, _, minutes in people if minutes < 0]
    if negative:
        fields["verified_minutes"] = [f"0 or more (nip {nip})" for nip in negative]
    # A member listed twice would be counted twice in the head count.
    twice = sorted(nip for nip, count in Counter(nip for nip, _, _ in people).items() if count > 1)
    if twice:
        fields["people"] = [f"each member once (nip {nip})" for nip in twice]
    if fields:
        raise ValidationFailed("the unit's members are not valid", fields)
