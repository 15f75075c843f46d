from kinerja.bus.consumer import Subscriptions, backoff_seconds
from kinerja.contracts import feedback


def handler(event, tx):
    return None


def test_a_service_binds_exactly_the_event_types_it_subscribes_to():
    subscriptions = Subscriptions()
    subscriptions.on(feedback.RESPONSE_SUBMITTED)(handler)
    subscriptions.on(feedback.ROUND_CLOSED)(handler)
    assert subscriptions.patterns == ["feedback.response.submitted", "feedback.round.closed"]
    found = subscriptions.subscription_for("feedback.response.submitted")
    assert (found.event_type, found.handler) == (feedback.RESPONSE_SUBMITTED, handler)
    assert subscriptions.subscription_for("feedback.response.revised") is None


def test_backoff_doubles_up_to_a_cap():
    assert [backoff_seconds(n) for n in (1, 2, 3)] == [0.2, 0.4, 0.8]
    assert backoff_seconds(50) == 5.0
