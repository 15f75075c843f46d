"""The retention period, pure: how long a cycle's logs and raw ratings outlive its end."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from kinerja.errors import ValidationFailed

MONTHS_RANGE = (1, 120)  # a month at least (objections run 14 days); ten years at most


@dataclass(frozen=True)
class RetentionPeriod:
    """Months after a cycle ends (and its rounds closed) that its daily logs and raw 360
    answers are kept; scores and aggregates are kept regardless."""

    months: int
    updated_by: str | None = None
    updated_at: str | None = None

    def check(self) -> None:
        low, high = MONTHS_RANGE
        if not low <= self.months <= high:
            raise ValidationFailed(
                "the retention period is out of range",
                {"months": [f"between {low} and {high} months"]},
            )


def cut_off(today: date, months: int) -> date:
    """`months` calendar months before today (the day clamped to the month's end): a
    cycle that ended before it is past retention."""
    month_index = today.year * 12 + today.month - 1 - months
    year, month = divmod(month_index, 12)
    month += 1
    for day in range(today.day, 0, -1):
        try:
            return date(year, month, day)
        except ValueError:
            continue
    raise AssertionError("unreachable: every month has a first day")
