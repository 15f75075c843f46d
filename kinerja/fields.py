"""The field types every schema takes user input with: numbers, dates and NIPs that can be
stored and computed with, or a 422 naming the field and the limit.

marshmallow's own types let through what MongoDB cannot store or the domain cannot compute
with: a decimal of 42 digits (Decimal128 holds 34) or of exponent -7000, an integer of
3.9 read as 3, a date of year 1, digits of any script (`int("١٢")` is 12). These refuse
each, and never round: a value is stored as typed or not at all.

- `Decimal(places=, maximum=)`: ASCII digits, at most `places` decimal places (trailing
  zeros do not count), at most `significant` digits (15 by default: what the JSON number
  the API answers with, a double, carries exactly), within minimum..maximum (minimum
  defaults to -maximum: the sign of a value is usually a domain rule, by name).
- `Integer()`: integral or refused: 3 and 3.0 (some clients write integers so) are 3,
  3.9 is refused; with `strict=False` a text of ASCII digits too (CSV cells, query
  strings), with `strict=True` a number only. Within -2**53..2**53 unless told narrower:
  what a JSON number and MongoDB's int64 both hold exactly.
- `Float(minimum=, maximum=)`: finite and within its bounds.
- `Date()`: YYYY-MM-DD in ASCII digits, within 1950-01-01..2100-12-31 or the window a rule
  passes (earliest=, latest=).
- `Nip()`: a well-formed NIP (kinerja.nip, the one rule).
"""

from __future__ import annotations

import datetime as dt
import decimal
import numbers
import re
import typing

from marshmallow import ValidationError, fields

from kinerja.nip import NIP_FORM, nip_problems

# what a double (the JSON number every answer carries) holds exactly
SIGNIFICANT_DIGITS = 15
# the widest integer both a JSON number (a double) and MongoDB's int64 hold exactly
INTEGER_LIMIT = 2**53
# longer text is no number any field takes; refused before decimal parses it
MAX_NUMBER_TEXT = 64
EARLIEST = dt.date(1950, 1, 1)  # before any serving civil servant's birth
LATEST = dt.date(2100, 12, 31)  # past any cycle, deadline or retirement planned today

NUMBER_TEXT = re.compile(r"[+-]?([0-9]+\.?[0-9]*|\.[0-9]+)([eE][+-]?[0-9]+)?")
ISO_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")


def between(minimum: object, maximum: object) -> str:
    """The message of a value out of bounds (the UI translates "between X and Y")."""
    return f"between {_plain(minimum)} and {_plain(maximum)}"


def decimal_places(value: decimal.Decimal) -> int:
    """The places a finite decimal needs: 1.50 needs 1, 12E+3 none."""
    _sign, digits, exponent = _stripped(value)
    return max(0, -exponent) if digits else 0


def significant_digits(value: decimal.Decimal) -> int:
    """The digits of a finite decimal from its first non-zero one to its last (1200: 2)."""
    return len(_stripped(value)[1])


def _stripped(value: decimal.Decimal) -> tuple[int, tuple[int, ...], int]:
    sign, digits, exponent = value.as_tuple()
    digits = tuple(digits)
    while digits and digits[0] == 0:
        digits = digits[1:]
    while digits and digits[-1] == 0:
        digits, exponent = digits[:-1], exponent + 1
    return sign, digits, int(exponent)


def _plain(value: object) -> str:
    if isinstance(value, decimal.Decimal):
        return f"{value:f}"
    return str(value)


def _ascii_text(value: object, pattern: re.Pattern[str]) -> bool:
    return len(value) <= MAX_NUMBER_TEXT and pattern.fullmatch(value.strip()) is not None


class Decimal(fields.Decimal):
    """An exact decimal with a documented number of places and a bounded size; never
    rounded, never NaN or Infinity."""

    def __init__(
        self,
        *,
        places: int,
        maximum: decimal.Decimal | int,
        minimum: decimal.Decimal | int | None = None,
        significant: int = SIGNIFICANT_DIGITS,
        **kwargs: typing.Any,
    ) -> None:
        kwargs.pop("allow_nan", None)
        super().__init__(allow_nan=False, **kwargs)
        self.max_places = places
        self.maximum = decimal.Decimal(maximum)
        self.minimum = -self.maximum if minimum is None else decimal.Decimal(minimum)
        self.significant = significant

    def _validated(self, value: typing.Any) -> decimal.Decimal:
        if isinstance(value, str) and not _ascii_text(value, NUMBER_TEXT):
            raise self.make_error("invalid")
        number = super()._validated(value)
        if not self.minimum <= number <= self.maximum:
            raise ValidationError(between(self.minimum, self.maximum))
        if decimal_places(number) > self.max_places:
            if self.max_places == 0:
                raise ValidationError("a whole number")
            raise ValidationError(f"at most {self.max_places} decimal places")
        if significant_digits(number) > self.significant:
            raise ValidationError(f"at most {self.significant} significant digits")
        return number


class Integer(fields.Integer):
    """A whole number: 3.9 is refused, not read as 3; bounded so that MongoDB stores it.
    strict: numbers only (a JSON body's "90" is refused); else ASCII digit text too."""

    def __init__(
        self,
        *,
        minimum: int = -INTEGER_LIMIT,
        maximum: int = INTEGER_LIMIT,
        strict: bool = False,
        **kwargs: typing.Any,
    ) -> None:
        super().__init__(strict=strict, **kwargs)
        self.minimum, self.maximum = minimum, maximum

    def _validated(self, value: typing.Any) -> int:
        number = self._exact(value)
        if not number.is_finite() or decimal_places(number) > 0:
            raise self.make_error("invalid")
        # compared as a decimal first: int() of 1E+999999999 would take the process down
        if not self.minimum <= number <= self.maximum:
            raise ValidationError(between(self.minimum, self.maximum))
        return int(number)

    def _exact(self, value: typing.Any) -> decimal.Decimal:
        if value is True or value is False:
            raise self.make_error("invalid")
        if isinstance(value, str):
            if self.strict or not _ascii_text(value, NUMBER_TEXT):
                raise self.make_error("invalid")
            return decimal.Decimal(value.strip())
        if isinstance(value, numbers.Integral):
            return decimal.Decimal(int(value))
        if isinstance(value, float):
            return decimal.Decimal(repr(value))
        if isinstance(value, decimal.Decimal):
            return value
        raise self.make_error("invalid")


class Float(fields.Float):
    """A finite float within its bounds (weights, shares): no NaN, no Infinity."""

    def __init__(self, *, minimum: float, maximum: float, **kwargs: typing.Any) -> None:
        kwargs.pop("allow_nan", None)
        super().__init__(allow_nan=False, **kwargs)
        self.minimum, self.maximum = minimum, maximum

    def _validated(self, value: typing.Any) -> float:
        if isinstance(value, str) and not _ascii_text(value, NUMBER_TEXT):
            raise self.make_error("invalid")
        number = super()._validated(value)
        if not self.minimum <= number <= self.maximum:
            raise ValidationError(between(self.minimum, self.maximum))
        return number


class Date(fields.Date):
    """An ISO date (YYYY-MM-DD, ASCII digits) within a window: by default 1950-01-01 to
    2100-12-31, or a rule's own (earliest=, latest=)."""

    def __init__(
        self, *, earliest: dt.date = EARLIEST, latest: dt.date = LATEST, **kwargs: typing.Any
    ) -> None:
        super().__init__(**kwargs)
        self.earliest, self.latest = earliest, latest

    def _deserialize(self, value: typing.Any, attr, data, **kwargs) -> dt.date:
        # fromisoformat also reads 20260310 and 2026-W10-3; the API's dates are one form
        if not isinstance(value, str) or not ISO_DATE.fullmatch(value):
            raise self.make_error("invalid")
        day = super()._deserialize(value, attr, data, **kwargs)
        if not self.earliest <= day <= self.latest:
            raise ValidationError(between(self.earliest, self.latest))
        return day


class Nip(fields.String):
    """A well-formed NIP: 18 ASCII digits whose birth date, appointment and sex code are
    real (kinerja.nip.nip_problems)."""

    def __init__(self, **kwargs: typing.Any) -> None:
        metadata = {"pattern": f"^{NIP_FORM.pattern}$", **kwargs.pop("metadata", {})}
        super().__init__(metadata=metadata, **kwargs)

    def _deserialize(self, value: typing.Any, attr, data, **kwargs) -> str:
        nip = super()._deserialize(value, attr, data, **kwargs)
        problems = nip_problems(nip)
        if problems:
            raise ValidationError(problems)
        return nip


# What MongoDB's Decimal128 holds: 34 digits, exponents down to -6176.
DECIMAL128_DIGITS = 34
DECIMAL128_PLACES = 6176
# Larger than any sum of the services' inputs (a target is at most 10^12)
EVENT_DECIMAL_SIZE = 10**15


def exact_decimal(**kwargs: typing.Any) -> Decimal:
    """A decimal between services (an event's payload, as a string): computed values keep
    the precision they were computed with, so only what MongoDB could not store is
    refused."""
    return Decimal(
        places=DECIMAL128_PLACES,
        significant=DECIMAL128_DIGITS,
        maximum=EVENT_DECIMAL_SIZE,
        as_string=True,
        **kwargs,
    )
