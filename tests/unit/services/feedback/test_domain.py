from dataclasses import replace
from datetime import date
from decimal import Decimal

import pytest

from kinerja.errors import Conflict, Forbidden, ValidationFailed
from services.feedback import domain
from services.feedback.domain import BERAKHLAK, PP46, Response


def response(**changes) -> Response:
    base = dict(id="a1", round_id="r", rater="rater", ratee="ratee", group="peer")
    return Response(**{**base, **changes})


def test_the_shipped_frameworks_follow_the_regulation():
    assert [d.key for d in PP46.dimensions_for("functional")] == [
        "orientasi_pelayanan",
        "integritas",
        "komitmen",
        "disiplin",
        "kerja_sama",
    ]
    assert PP46.dimensions_for("structural")[-1].key == "kepemimpinan"
    assert len(BERAKHLAK.dimensions) == 7
    domain.check_framework(PP46)
    domain.check_framework(BERAKHLAK)


def test_a_custom_framework_is_checked():
    bad = replace(PP46, id="Bad Id", scale_min=1, scale_max=10, dimensions=PP46.dimensions[:1] * 2)
    with pytest.raises(ValidationFailed) as refused:
        domain.check_framework(bad)
    assert {"id", "scale", "dimensions[1].key"} <= set(refused.value.fields)


def test_scores_fit_the_scale_and_the_ratees_dimensions():
    dims = PP46.dimensions_for("functional")
    full = {d.key: Decimal(80) for d in dims}
    domain.check_scores(full, PP46, dims, complete=True)
    with pytest.raises(ValidationFailed) as refused:
        domain.check_scores(
            {**full, "integritas": Decimal(101), "kepemimpinan": Decimal(80)},
            PP46,
            dims,
            complete=True,
        )
    assert set(refused.value.fields) == {"scores.integritas", "scores.kepemimpinan"}
    with pytest.raises(ValidationFailed):
        domain.check_scores({"integritas": Decimal(80)}, PP46, dims, complete=True)
    domain.check_scores({"integritas": Decimal(80)}, PP46, dims, complete=False)  # a draft


def test_a_response_is_submitted_once_then_revised():
    submitted = domain.submit(response(), {"x": Decimal(1)}, "")
    assert submitted.revision == 1
    with pytest.raises(Conflict):
        domain.submit(submitted, {"x": Decimal(1)}, "")
    assert domain.revise(submitted, {"x": Decimal(2)}, "").revision == 2
    with pytest.raises(Conflict):
        domain.save_draft(submitted, {}, "")


def test_declining_needs_a_reason_and_clears_the_answer():
    with pytest.raises(ValidationFailed):
        domain.decline(response(), " ")
    declined = domain.decline(domain.submit(response(), {"x": Decimal(1)}, "ok"), "konflik")
    assert (declined.status, declined.scores, declined.revision) == ("declined", {}, 2)


def test_only_the_rater_answers_an_active_assignment():
    domain.ensure_rater(response(), "rater")
    for caller, state in (("ratee", "active"), ("rater", "nominated"), ("rater", "removed")):
        with pytest.raises(Forbidden):
            domain.ensure_rater(response(state=state), caller)


def test_a_closed_round_freezes_answers():
    round_ = domain.Round("r", "2026", "pp46", 1, date(2026, 12, 1))
    closed = domain.close(round_)
    with pytest.raises(Conflict):
        domain.ensure_open(closed)
    with pytest.raises(Conflict):
        domain.close(closed)


def test_a_second_removal_returns_the_response_unchanged():
    removed = domain.remove(response(status=domain.SUBMITTED, revision=1))
    assert (removed.state, removed.revision) == (domain.REMOVED, 2)
    assert domain.remove(removed) == removed


def test_a_pair_asked_again_starts_unanswered_and_keeps_its_revision():
    removed = domain.remove(response(status=domain.SUBMITTED, scores={"a": Decimal(1)}))
    again = domain.reassign(removed, "peer", domain.NOMINATED, "nomination")
    assert (again.state, again.status, again.scores) == (domain.NOMINATED, domain.PENDING, {})
    assert again.revision == removed.revision and again.id == removed.id


FLOORS = {"superior": 1, "peer": 3, "subordinate": 3, "self": 1}


def team(peer_answers: int, peers: int = 4) -> list[Response]:
    """One ratee's superior (answered), self (pending) and peers, `peer_answers` answered."""
    return [
        response(id="s", rater="boss", group="superior", status=domain.SUBMITTED),
        response(id="self", rater="ratee", group="self"),
        *(
            response(
                id=f"p{n}",
                rater=f"peer{n}",
                status=domain.SUBMITTED if n < peer_answers else domain.PENDING,
            )
            for n in range(peers)
        ),
    ]


def without_raters(responses: list[Response], floors=FLOORS) -> dict:
    return domain.completion_without_raters("r", responses, lambda _: floors, lambda _: "unit")


@pytest.mark.parametrize("answers", range(4))
def test_completion_without_raters_moves_only_in_whole_floors_of_anonymous_answers(answers):
    view = without_raters(team(answers))
    anonymous = 3 if answers >= 3 else 0
    for row in (view["round"], *view["by_ratee"], *view["by_unit"]):
        assert (row["assigned"], row["submitted"]) == (6, 1 + anonymous)
    assert {row["key"] for row in view["by_rater"]} == {"boss", "ratee"}  # no peer listed


def test_completion_without_raters_follows_a_raised_floor():
    raised = {**FLOORS, "peer": 5}
    assert without_raters(team(4, peers=5), raised)["round"]["submitted"] == 1
    assert without_raters(team(5, peers=5), raised)["round"]["submitted"] == 6
