import pytest

from kinerja.bus.consumer import Subscriptions, backoff_seconds


def handler(event, tx):
    return None


@pytest.mark.parametrize(
    ("pattern", "event_type", "matches"),
    [
        ("feedback.response.submitted", "feedback.response.submitted", True),
        ("feedback.response.*", "feedback.response.revised", True),
        ("feedback.*", "feedback.response.submitted", False),
        ("feedback.#", "feedback.response.submitted", True),
        ("gateway.employee.*", "feedback.response.submitted", False),
        ("feedback.response.submitted", "feedbackXresponse.submitted", False),
    ],
)
def test_topic_patterns_match_like_amqp(pattern, event_type, matches):
    subscriptions = Subscriptions()
    subscriptions.on(pattern)(handler)
    assert (subscriptions.handler_for(event_type) is handler) is matches


def test_backoff_doubles_up_to_a_cap():
    assert [backoff_seconds(n) for n in (1, 2, 3)] == [0.2, 0.4, 0.8]
    assert backoff_seconds(50) == 5.0
