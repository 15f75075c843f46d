"""The kit's field types: what can be stored and computed with passes as typed, the rest is
refused with a message naming the limit, never rounded or truncated."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from marshmallow import Schema, ValidationError

from kinerja import fields as kit
from kinerja.nip import nip_problems

WELL_FORMED_NIP = "198001012005012002"


class Inputs(Schema):
    amount = kit.Decimal(places=2, maximum=1_000_000)
    credit = kit.Decimal(places=4, minimum=0, maximum=100)
    count = kit.Integer(minimum=0, maximum=100)
    minutes = kit.Integer(strict=True)
    share = kit.Float(minimum=0, maximum=1)
    day = kit.Date()
    deadline = kit.Date(earliest=date(2026, 1, 1), latest=date(2026, 12, 31))
    nip = kit.Nip()


def refusal(field: str, value: object) -> list[str]:
    with pytest.raises(ValidationError) as refused:
        Inputs().load({field: value})
    return refused.value.messages[field]


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("12.50", Decimal("12.50")),
        (12.5, Decimal("12.5")),
        (3, Decimal(3)),
        ("1.500", Decimal("1.500")),  # trailing zeros are no places
        ("-999999.99", Decimal("-999999.99")),
        ("1E+3", Decimal("1E+3")),
    ],
)
def test_a_decimal_within_its_places_and_bounds_is_kept_as_typed(value, expected):
    assert Inputs().load({"amount": value})["amount"] == expected


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("1.555", "at most 2 decimal places"),
        ("1E-7000", "at most 2 decimal places"),
        ("1E+400", "between -1000000 and 1000000"),
        ("1" * 42, "between -1000000 and 1000000"),
        (1e308, "between -1000000 and 1000000"),
        (1e-300, "at most 2 decimal places"),
        ("NaN", "Not a valid number."),
        ("Infinity", "Not a valid number."),
        (float("inf"), "Special numeric values (nan or infinity) are not permitted."),
        ("١٢", "Not a valid number."),  # Arabic-Indic digits, which Decimal() reads
        ("1" * 70, "Not a valid number."),  # no number a field takes is this long
        (True, "Not a valid number."),
    ],
)
def test_a_decimal_that_cannot_be_stored_or_computed_is_refused_naming_the_limit(value, message):
    """Class: decimals MongoDB's Decimal128 cannot hold or the domain cannot compute with
    (too many places or digits, huge or tiny exponents, NaN, other scripts' digits)."""
    assert refusal("amount", value) == [message]


def test_a_decimal_is_never_rounded_to_its_places():
    assert refusal("credit", "0.12345") == ["at most 4 decimal places"]
    assert Inputs().load({"credit": "0.1234"})["credit"] == Decimal("0.1234")


def test_significant_digits_are_bounded_even_within_places_and_size():
    class Wide(Schema):
        value = kit.Decimal(places=30, maximum=10, significant=15)

    with pytest.raises(ValidationError) as refused:
        Wide().load({"value": "1." + "1" * 20})
    assert refused.value.messages["value"] == ["at most 15 significant digits"]


@pytest.mark.parametrize(("value", "expected"), [(3, 3), (3.0, 3), ("3", 3), (" 7 ", 7), (0, 0)])
def test_an_integer_is_a_whole_number_in_any_of_its_forms(value, expected):
    assert Inputs().load({"count": value})["count"] == expected


@pytest.mark.parametrize("value", [3.9, "3.9", "٣", float("nan"), float("inf"), True, [], "x"])
def test_a_number_that_is_not_whole_is_refused_not_truncated(value):
    """Class: silent truncation (3.9 read as 3, 1440.5 as 1440) and foreign digits."""
    assert refusal("count", value) == ["Not a valid integer."]


def test_an_integer_out_of_its_bounds_is_refused_without_being_built():
    assert refusal("count", 101) == ["between 0 and 100"]
    # int() of this would take minutes and gigabytes: the bound is checked first
    assert refusal("count", "1E+999999999") == ["between 0 and 100"]


def test_an_integer_without_bounds_stays_what_mongodb_and_json_hold_exactly():
    class Unbounded(Schema):
        value = kit.Integer()

    assert Unbounded().load({"value": 2**53})["value"] == 2**53
    with pytest.raises(ValidationError):
        Unbounded().load({"value": 10**30})


def test_a_strict_integer_takes_numbers_only():
    assert Inputs().load({"minutes": 90.0})["minutes"] == 90
    assert refusal("minutes", "90") == ["Not a valid integer."]


@pytest.mark.parametrize("value", [float("nan"), float("inf"), "inf", 1.5, -0.1])
def test_a_float_is_finite_and_within_its_bounds(value):
    assert refusal("share", value)


def test_a_date_is_iso_within_its_window():
    assert Inputs().load({"day": "2026-03-10"})["day"] == date(2026, 3, 10)
    assert refusal("day", "0001-01-01") == ["between 1950-01-01 and 2100-12-31"]
    assert refusal("day", "9999-12-31") == ["between 1950-01-01 and 2100-12-31"]
    for other_form in ("20260310", "2026-W10-3", "٢٠٢٦-٠٣-١٠", 20260310):
        assert refusal("day", other_form) == ["Not a valid date."]


def test_a_rule_passes_its_own_date_window():
    assert refusal("deadline", "2027-01-01") == ["between 2026-01-01 and 2026-12-31"]
    assert Inputs().load({"deadline": "2026-06-30"})["deadline"] == date(2026, 6, 30)


def test_a_nip_is_eighteen_ascii_digits_of_a_real_structure():
    """Class: NIPs of other scripts' digits or impossible dates taken as new people."""
    assert Inputs().load({"nip": WELL_FORMED_NIP})["nip"] == WELL_FORMED_NIP
    assert refusal("nip", "١٩٨٠٠١٠١٢٠٠٥٠١٢٠٠٢") == ["a NIP is 18 digits"]
    assert refusal("nip", "198013012005012002") == ["digits 1-8 must be a birth date (YYYYMMDD)"]
    assert refusal("nip", "198001012005013002") == ["digit 15 is the sex code: 1 or 2"]


def test_the_harness_and_demo_nips_are_well_formed():
    from kinerja360.harness import series_nip

    assert nip_problems(series_nip(0, "1985", "201001")) == []
    assert nip_problems(series_nip(400, "1990", "201503")) == []


def test_a_series_of_a_province_gets_distinct_well_formed_nips():
    """The load and bench series reach 30,000 people (a province): past a serial of 999 the
    NIP must still be 18 digits, well formed and not anyone else's."""
    from kinerja360.harness import series_nip

    series = [series_nip(index, "1985", "201001") for index in range(30_000)]
    assert len(set(series)) == len(series)
    assert not [nip for nip in series if nip_problems(nip)]
