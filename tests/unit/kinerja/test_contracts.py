"""The event contracts' rules, on every event type there is."""

from decimal import Decimal

import pytest

from kinerja.contracts import EVENT_TYPES, InvalidPayload, UnknownVersion, appraisal, logs

EVERY_VERSION = [(t, n) for t in EVENT_TYPES.values() for n in t.versions]


@pytest.mark.parametrize(
    ("event_type", "version"), EVERY_VERSION, ids=[f"{t.name}-v{n}" for t, n in EVERY_VERSION]
)
def test_every_versions_example_is_valid_and_loads_as_the_latest(event_type, version):
    example = event_type.versions[version].example
    assert event_type.versions[version].schema().validate(example) == {}
    loaded = event_type.load(version, example)
    # what a handler receives dumps again as a valid payload of the latest version
    assert event_type.latest.schema().validate(event_type.dump(loaded)) == {}


def test_exact_decimals_and_dates_travel_as_strings():
    wire = appraisal.SCORE_FINALIZED.dump(
        {**appraisal.SCORE_FINALIZED.latest.example, "final_score": Decimal("80.8125")}
    )
    assert wire["final_score"] == "80.8125"
    entry = logs.ENTRY_VERIFIED.load(2, logs.ENTRY_VERIFIED.latest.example)
    assert logs.ENTRY_VERIFIED.dump(entry)["date"] == "2026-09-15"


def test_a_producer_cannot_publish_what_its_contract_rejects():
    payload = dict(appraisal.SCORE_FINALIZED.latest.example)
    del payload["predicate"]
    with pytest.raises(InvalidPayload, match="predicate"):
        appraisal.SCORE_FINALIZED.dump(payload)


def test_a_consumer_refuses_a_version_it_does_not_know_and_a_payload_that_breaks_its_own():
    with pytest.raises(UnknownVersion, match=r"logs.entry.verified version 3 .* reads 1, 2"):
        logs.ENTRY_VERIFIED.load(3, logs.ENTRY_VERIFIED.latest.example)
    broken = {**logs.ENTRY_VERIFIED.latest.example, "quantity": "banyak"}
    with pytest.raises(InvalidPayload, match="quantity"):
        logs.ENTRY_VERIFIED.load(2, broken)


def test_a_field_a_consumer_does_not_know_yet_is_ignored_not_refused():
    newer = {**appraisal.SCHEME_CHANGED.latest.example, "explained": "a later optional field"}
    assert "explained" not in appraisal.SCHEME_CHANGED.load(1, newer)
