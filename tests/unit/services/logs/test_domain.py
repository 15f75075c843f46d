from datetime import date, timedelta
from decimal import Decimal

import pytest

from kinerja.errors import Conflict
from services.logs import domain
from services.logs.domain import ActivityTarget, Context, Entry, LogRules

TODAY = date(2026, 3, 11)  # a Wednesday


def entry(**changes) -> Entry:
    base = dict(
        id="e1",
        nip="198001012005012002",
        date=date(2026, 3, 10),
        activity_id="surat",
        description="Mengagendakan 40 surat masuk dari dinas",
        quantity=Decimal(40),
        minutes=180,
        completes_output=True,  # forty letters registered: output done
    )
    return Entry(**{**base, **changes})


def ordinary(**changes) -> Entry:
    """A day's activity that completes no output: no quantity."""
    return entry(**{"quantity": None, "completes_output": False, **changes})


def context(**changes) -> Context:
    base = dict(
        today=TODAY,
        approved_activities=frozenset({"surat"}),
        minutes_that_day=0,
        previous_description=None,
    )
    return Context(**{**base, **changes})


DEFAULT_RULES = LogRules()


def rules_broken(entry_: Entry, context_: Context, rules: LogRules = DEFAULT_RULES) -> set[str]:
    fields = domain.broken_rules(entry_, context_, rules)
    return {message.split(":")[0] for messages in fields.values() for message in messages}


def test_working_days_skip_the_weekend():
    assert domain.working_days_between(date(2026, 3, 6), date(2026, 3, 9)) == 1  # Fri -> Mon
    assert domain.working_days_between(date(2026, 3, 5), TODAY) == 4


def test_a_good_entry_breaks_no_rule():
    assert rules_broken(entry(), context()) == set()


@pytest.mark.parametrize(
    ("changes", "context_changes", "rule"),
    [
        ({"date": date(2026, 3, 12)}, {}, "no_future_dates"),
        ({"date": date(2026, 3, 5)}, {}, "max_working_days_back"),
        ({"activity_id": "other"}, {}, "approved_activity_only"),
        ({"minutes": 0}, {}, "minutes_per_entry"),
        ({"minutes": 600}, {"minutes_that_day": 900}, "max_minutes_per_day"),
        ({"description": "rapat"}, {}, "min_description_length"),
        (
            {},
            {"previous_description": "  mengagendakan 40 SURAT masuk dari dinas "},
            "no_copied_description",
        ),
        ({"quantity": Decimal(-1)}, {}, "output_quantity_required"),
        ({"quantity": Decimal(0)}, {}, "output_quantity_required"),
        ({"quantity": None}, {}, "output_quantity_required"),
        ({"completes_output": False}, {}, "output_only_when_completed"),
        ({"completes_output": False, "quantity": Decimal(0)}, {}, "output_only_when_completed"),
    ],
)
def test_each_rule(changes, context_changes, rule):
    assert rules_broken(entry(**changes), context(**context_changes)) == {rule}


def test_an_ordinary_entry_is_activity_and_adds_no_output():
    assert rules_broken(ordinary(), context()) == set()
    assert ordinary().output == 0
    assert entry().output == 40


def test_unmarking_an_entry_as_output_takes_its_quantity_with_it():
    unmarked = domain.revise(entry(), {"completes_output": False})
    assert (unmarked.completes_output, unmarked.quantity, unmarked.output) == (False, None, 0)
    assert rules_broken(unmarked, context()) == set()


def test_a_reopened_day_and_changed_rules_allow_older_entries():
    old = entry(date=date(2026, 3, 5))
    assert rules_broken(old, context(day_reopened=True)) == set()
    assert rules_broken(old, context(), LogRules(max_working_days_back=5)) == set()


def test_the_life_of_an_entry():
    verified = domain.verify(entry(), "boss")
    with pytest.raises(Conflict):
        domain.withdraw(verified)
    with pytest.raises(Conflict):
        domain.revise(verified, {"quantity": Decimal(1)})
    assert domain.revoke(verified, "boss").status == "pending"
    rejected = domain.reject(entry(), "boss", "Jumlah tidak sesuai")
    assert domain.revise(rejected, {"quantity": Decimal(30)}).status == "pending"


def test_silent_days_and_repeated_texts():
    entries = [
        entry(id="a", date=date(2026, 3, 2)),
        entry(id="b", date=date(2026, 3, 4)),
        entry(id="c", date=date(2026, 3, 5), description="Menata arsip berkas dinas"),
    ]
    assert domain.missing_days(entries, date(2026, 3, 2), date(2026, 3, 6)) == [
        date(2026, 3, 3),
        date(2026, 3, 6),
    ]
    assert list(domain.repeated_descriptions(entries).values()) == [["a", "b"]]


def test_the_recap_measures_the_month_against_the_targets_pace():
    target = ActivityTarget("surat", "Mengagendakan surat", Decimal(1200), "surat", Decimal(12))
    entries = [
        entry(id="jan", date=date(2026, 1, 5), status="verified", quantity=Decimal(100)),
        entry(id="mar1", date=date(2026, 3, 2), status="verified"),
        entry(id="mar2", date=date(2026, 3, 3)),
        ordinary(id="mar3", date=date(2026, 3, 4), status="verified"),  # activity only
        ordinary(id="mar4", date=date(2026, 3, 5)),
    ]
    [recap] = domain.monthly_recap(entries, [target], date(2026, 3, 1))
    assert (recap.verified_quantity, recap.pending_quantity) == (40, 40)
    assert (recap.verified_to_date, recap.expected_by_now) == (140, 300)
    assert recap.minutes == 720


class CountingDate(date):
    """A date that counts the day arithmetic done with it: what a walk over days costs."""

    steps = 0

    def __add__(self, other):
        CountingDate.steps += 1
        return super().__add__(other)

    def __sub__(self, other):
        CountingDate.steps += 1
        return super().__sub__(other)

    def weekday(self) -> int:
        CountingDate.steps += 1
        return super().weekday()


def test_an_ancient_date_costs_what_yesterday_costs():
    """The days-back rule is arithmetic: a date of year 1 (739,000 days ago) takes a few
    steps, not one per day."""
    CountingDate.steps = 0
    ancient = entry(date=CountingDate(1, 1, 1))
    today = CountingDate(2026, 3, 11)
    assert rules_broken(ancient, context(today=today)) == {"max_working_days_back"}
    assert CountingDate.steps < 20


def test_working_days_between_is_the_walk_over_the_days():
    def walked(earlier: date, later: date) -> int:
        days, current = 0, earlier
        while current < later:
            current += timedelta(days=1)
            days += current.weekday() < 5
        return days

    start = date(2026, 2, 23)
    for first in range(14):
        for length in range(-2, 30):
            earlier = start + timedelta(days=first)
            later = earlier + timedelta(days=length)
            assert domain.working_days_between(earlier, later) == walked(earlier, later)


def test_the_same_work_twice_on_a_day_is_a_duplicate():
    logged = ordinary(id="e0", description="Mengagendakan 40 surat masuk dari dinas")
    again = ordinary(description="  MENGAGENDAKAN 40 surat   masuk dari dinas")
    assert rules_broken(again, context(others_that_day=(logged,))) == {"no_duplicate_entry"}
    # another activity, another day's entry or a withdrawn one is no duplicate
    other_activity = ordinary(activity_id="arsip")
    assert (
        rules_broken(
            other_activity,
            context(approved_activities=frozenset({"surat", "arsip"}), others_that_day=(logged,)),
        )
        == set()
    )
    withdrawn = domain.withdraw(logged)
    assert rules_broken(again, context(others_that_day=(withdrawn,))) == set()
    assert domain.duplicate_key(again) == domain.duplicate_key(logged)
    assert domain.duplicate_key(again) != domain.duplicate_key(ordinary(date=date(2026, 3, 9)))
