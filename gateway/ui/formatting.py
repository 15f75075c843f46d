"""How the UI writes numbers and dates: in the reader's language, a dash for what is not
there. The pages get `amount` and `day` as template globals; the printouts use them too."""

from __future__ import annotations

from datetime import date

from flask_babel import format_date, format_decimal

MISSING = "—"


def amount(value: float | None) -> str:
    """A quantity or sum: 1.500.000 and 12,5 in Indonesian (1,500,000 and 12.5 in English)."""
    return MISSING if value is None else format_decimal(value, format="#,##0.##")


def day(value: date | str | None, pattern: str = "d MMM yyyy") -> str:
    """A date (or an API's ISO date) in the reader's language: 1 Des 2026."""
    if not value:
        return MISSING
    if isinstance(value, str):
        value = date.fromisoformat(value[:10])
    return format_date(value, pattern)
