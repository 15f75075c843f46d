"""The log entry events through their contract: what the producer dumps the consumer loads."""

from datetime import date
from decimal import Decimal

from services.logs import events
from services.logs.domain import Entry


def entry(**changes) -> Entry:
    base = dict(
        id="e1",
        nip="198001012005012002",
        date=date(2026, 3, 10),
        activity_id="surat",
        description="Mengagendakan 40 surat masuk dari dinas",
        quantity=Decimal("40.5"),
        minutes=180,
        completes_output=True,
        revision=3,
    )
    return Entry(**{**base, **changes})


def round_trip(entry_: Entry) -> dict:
    verified = events.ENTRY_VERIFIED
    return verified.load(verified.latest.number, verified.dump(events.entry_output(entry_)))


def test_output_travels_as_an_exact_decimal_string_and_comes_back_exact():
    wire = events.ENTRY_VERIFIED.dump(events.entry_output(entry()))
    assert (wire["completes_output"], wire["quantity"], wire["date"]) == (
        True,
        "40.5",
        "2026-03-10",
    )
    loaded = round_trip(entry())
    assert loaded["quantity"] == Decimal("40.5") and loaded["revision"] == 3


def test_an_ordinary_entry_carries_no_output():
    loaded = round_trip(entry(quantity=None, completes_output=False))
    assert (loaded["completes_output"], loaded["quantity"]) == (False, Decimal(0))


def test_a_version_1_event_is_read_as_the_output_it_counted():
    old = {
        "entry_id": "e1",
        "nip": "198001012005012002",
        "cycle": "2026",
        "date": "2026-03-10",
        "activity_id": "surat",
        "quantity": 3.0,
        "minutes": 60,
    }
    loaded = events.ENTRY_VERIFIED.load(1, old)
    assert (loaded["completes_output"], loaded["quantity"], loaded["revision"]) == (
        True,
        Decimal("3.0"),
        0,
    )
    assert events.ENTRY_VERIFIED.load(1, {**old, "quantity": 0})["completes_output"] is False
