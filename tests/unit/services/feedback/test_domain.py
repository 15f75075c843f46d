import pytest

from kinerja.errors import ValidationFailed
from services.feedback.domain import Response, submit_response


def draft(**changes) -> Response:
    base = dict(
        round_id="2026",
        rater_id="staf01",
        ratee_id="kasubag",
        rater_group="subordinate",
        scores={"integritas": 80},
    )
    return Response(**{**base, **changes})


def test_first_submission_is_revision_one_and_each_revision_counts_up():
    first = submit_response(None, draft())
    assert first.revision == 1
    second = submit_response(first, draft(scores={"integritas": 85}))
    assert (second.revision, second.scores) == (2, {"integritas": 85})


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"rater_group": "self"}, "rater_group"),
        ({"ratee_id": "staf01"}, "rater_group"),
        ({"scores": {"integritas": 120}}, "scores"),
    ],
)
def test_rules_name_the_field_they_refuse(changes, field):
    with pytest.raises(ValidationFailed) as refused:
        submit_response(None, draft(**changes))
    assert field in refused.value.fields


def test_self_rating_is_allowed_in_the_self_group():
    assert submit_response(None, draft(ratee_id="staf01", rater_group="self")).revision == 1


def test_a_revision_cannot_move_the_rater_to_another_group():
    first = submit_response(None, draft())
    with pytest.raises(ValidationFailed):
        submit_response(first, draft(rater_group="peer"))
