import pytest

from kinerja.bus.envelope import Envelope, MalformedEvent
from kinerja.logs import bind_ids, clear_ids


def test_new_event_carries_the_context_ids_and_round_trips():
    bind_ids(correlation_id="corr-1", request_id="req-1")
    try:
        event = Envelope.new("feedback.response.submitted", {"k": 1}, producer="feedback")
    finally:
        clear_ids("correlation_id", "request_id")
    assert (event.correlation_id, event.causation_id) == ("corr-1", "req-1")
    assert Envelope.parse(event.to_dict()) == event


def test_an_event_outside_any_request_starts_its_own_correlation():
    event = Envelope.new("feedback.response.submitted", {}, producer="feedback")
    assert event.correlation_id == event.id


@pytest.mark.parametrize(
    "body",
    [
        None,
        "text",
        {"id": "x"},
        {
            "id": "x",
            "type": "NotAType",
            "version": 1,
            "occurred_at": "t",
            "producer": "p",
            "data": {},
        },
        {"id": "x", "type": "a.b.c", "version": 0, "occurred_at": "t", "producer": "p", "data": {}},
    ],
)
def test_anything_but_a_valid_envelope_is_malformed(body):
    with pytest.raises(MalformedEvent):
        Envelope.parse(body)
