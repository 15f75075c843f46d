from datetime import date, timedelta
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from kinerja.errors import ValidationFailed
from services.logs.workload import (
    NORMAL,
    OVER,
    UNDER,
    PersonLoad,
    UnitLoad,
    WorkloadSettings,
    effective_minutes,
    unit_workload,
    working_days,
)

MARCH_START, MARCH_END = date(2026, 3, 1), date(2026, 3, 31)
# March 2026 has 22 working days, so one employee's effective time is
# 1250 h × 60 × 22 / 250 = 6,600 minutes.
MARCH_MINUTES = Decimal(6600)
DEFAULTS = WorkloadSettings()


def person(nip: str, minutes: int) -> tuple[str, str, int]:
    return (nip, f"Pegawai {nip}", minutes)


def march(people, settings: WorkloadSettings = DEFAULTS) -> UnitLoad:
    return unit_workload("subbag-umum", people, MARCH_START, MARCH_END, settings)


def test_working_days_count_monday_to_friday_inclusive():
    assert working_days(date(2026, 3, 2), date(2026, 3, 6)) == 5
    assert working_days(MARCH_START, MARCH_END) == 22
    assert working_days(date(2026, 3, 4), date(2026, 3, 4)) == 1


def test_a_weekend_has_no_working_days():
    assert working_days(date(2026, 3, 7), date(2026, 3, 8)) == 0


def test_a_full_basis_year_is_the_yearly_effective_time():
    # 2026-01-01 (Thu) .. 2026-12-16 (Wed) holds exactly 250 weekdays.
    start, end = date(2026, 1, 1), date(2026, 12, 16)
    assert working_days(start, end) == 250
    assert effective_minutes(start, end, DEFAULTS) == Decimal(75000)


def test_march_effective_minutes_are_pro_rata():
    assert effective_minutes(MARCH_START, MARCH_END, DEFAULTS) == MARCH_MINUTES


def test_worked_example_three_people_needing_four_point_two():
    # 13,200 + 9,900 + 4,620 = 27,720 minutes; 27,720 / 6,600 = 4.2 people.
    load = march([person("003", 4620), person("001", 13200), person("002", 9900)])
    assert load.head_count == 3
    assert load.verified_minutes == 27720
    assert load.effective_minutes_per_person == MARCH_MINUTES
    assert load.staff_needed == Decimal("4.2")
    assert load.shortfall == Decimal("1.2")
    assert load.overloaded is True
    assert [(p.nip, p.ratio, p.band) for p in load.people] == [
        ("001", Decimal("2"), OVER),
        ("002", Decimal("1.5"), OVER),
        ("003", Decimal("0.7"), UNDER),
    ]
    assert load.imbalance == Decimal("1.3")


def test_a_unit_with_spare_capacity_has_a_negative_shortfall():
    load = march([person("001", 6600), person("002", 3300)])
    assert load.staff_needed == Decimal("1.5")
    assert load.shortfall == Decimal("-0.5")
    assert load.overloaded is False


def test_need_equal_to_head_count_is_not_overloaded():
    load = march([person("001", 6600), person("002", 6600)])
    assert (load.staff_needed, load.overloaded, load.imbalance) == (Decimal(2), False, Decimal(0))


@pytest.mark.parametrize(
    ("minutes", "band"),
    [(5279, UNDER), (5280, NORMAL), (6600, NORMAL), (7920, NORMAL), (7921, OVER)],
)
def test_bands_at_their_boundaries(minutes, band):
    # 5,280 and 7,920 minutes are exactly 0.8 and 1.2 of March's 6,600.
    (load,) = march([person("001", minutes)]).people
    assert load.band == band


def test_band_reads_the_ratio():
    def band(ratio: str) -> str:
        return PersonLoad("001", "Ani", 0, MARCH_MINUTES, Decimal(ratio)).band

    assert [band(r) for r in ("0.79", "0.8", "1.2", "1.21")] == [UNDER, NORMAL, NORMAL, OVER]


def test_an_empty_unit_needs_no_one():
    load = march([])
    assert (load.head_count, load.verified_minutes, load.staff_needed) == (0, 0, Decimal(0))
    assert (load.shortfall, load.overloaded, load.people, load.imbalance) == (0, False, (), 0)


def test_one_person_has_no_imbalance():
    assert march([person("001", 9000)]).imbalance == Decimal(0)


def test_fewer_effective_hours_raise_the_need_proportionally():
    people = [person("001", 13200), person("002", 9900), person("003", 4620)]
    default = march(people)
    fewer = march(people, WorkloadSettings(effective_hours_per_year=Decimal(1000)))
    assert fewer.effective_minutes_per_person == Decimal(5280)
    assert fewer.staff_needed == Decimal("5.25")
    assert fewer.staff_needed == default.staff_needed * Decimal(1250) / Decimal(1000)


@pytest.mark.parametrize(
    ("start", "end", "field"),
    [
        (date(2026, 3, 6), date(2026, 3, 2), "from"),
        # A weekend-only period has no effective time to divide by.
        (date(2026, 3, 7), date(2026, 3, 8), "from"),
    ],
)
def test_an_invalid_period_names_the_field(start, end, field):
    with pytest.raises(ValidationFailed) as refused:
        unit_workload("subbag-umum", [person("001", 60)], start, end)
    assert field in refused.value.fields


def test_a_reversed_period_has_no_working_days_to_count():
    with pytest.raises(ValidationFailed) as refused:
        working_days(date(2026, 3, 6), date(2026, 3, 2))
    assert "from" in refused.value.fields


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"effective_hours_per_year": Decimal(0)}, "effective_hours_per_year"),
        ({"effective_hours_per_year": Decimal(-1)}, "effective_hours_per_year"),
        ({"effective_hours_per_year": Decimal("NaN")}, "effective_hours_per_year"),
        ({"working_days_per_year": 0}, "working_days_per_year"),
        ({"working_days_per_year": 367}, "working_days_per_year"),
    ],
)
def test_invalid_settings_name_the_field(changes, field):
    with pytest.raises(ValidationFailed) as refused:
        march([], WorkloadSettings(**changes))
    assert field in refused.value.fields


@pytest.mark.parametrize(
    ("people", "field"),
    [
        ([person("001", -1)], "verified_minutes"),
        ([person("001", 10), person("001", 20)], "people"),
    ],
)
def test_invalid_members_name_the_field(people, field):
    with pytest.raises(ValidationFailed) as refused:
        march(people)
    assert field in refused.value.fields


def test_the_yearly_basis_may_be_a_leap_year():
    settings = WorkloadSettings(working_days_per_year=366)
    assert effective_minutes(MARCH_START, MARCH_END, settings) == Decimal(75000) * 22 / 366


minutes = st.lists(st.integers(min_value=0, max_value=200_000), max_size=12)
days = st.dates(min_value=date(2020, 1, 1), max_value=date(2030, 12, 31))


@given(minutes, st.integers(min_value=1, max_value=50))
def test_staff_needed_scales_linearly_with_total_minutes(counts, factor):
    base = march([person(str(i), m) for i, m in enumerate(counts)])
    scaled = march([person(str(i), m * factor) for i, m in enumerate(counts)])
    # Decimal keeps 28 significant digits, so allow for the last one.
    assert abs(scaled.staff_needed - base.staff_needed * factor) <= Decimal("1e-20")


@given(minutes)
def test_a_member_with_no_verified_time_adds_head_count_not_need(counts):
    people = [person(str(i), m) for i, m in enumerate(counts)]
    before = march(people)
    after = march([*people, person("idle", 0)])
    assert after.staff_needed == before.staff_needed
    assert after.head_count == before.head_count + 1


@given(days, st.integers(min_value=0, max_value=800))
def test_working_days_match_counting_day_by_day(start, length):
    end = start + timedelta(days=length)
    by_day = sum(1 for i in range(length + 1) if (start + timedelta(days=i)).weekday() < 5)
    assert working_days(start, end) == by_day
