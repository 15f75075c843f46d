from datetime import date
from decimal import Decimal

import pytest

from kinerja.errors import Conflict, ValidationFailed
from services.appraisal import domain
from services.appraisal.domain import (
    Rating,
    final_score,
    predicate,
    publishable,
    summarize,
    supersedes,
)


def rating(rater: str, group: str, scores: dict, revision: int = 1) -> Rating:
    return Rating("2026", rater, "kasubag", group, scores, revision)


def test_only_a_newer_revision_replaces_the_one_held():
    held = rating("a", "peer", {"x": 70}, revision=2)
    assert supersedes(rating("a", "peer", {"x": 90}, revision=3), held)
    assert not supersedes(rating("a", "peer", {"x": 50}, revision=1), held)
    assert not supersedes(rating("a", "peer", {"x": 50}, revision=2), held)
    assert supersedes(held, None)


def test_summary_counts_groups_and_averages_each_dimension():
    summary = summarize(
        [
            rating("a", "peer", {"integritas": 70, "disiplin": 80}),
            rating("b", "peer", {"integritas": 75}),
            rating("c", "superior", {"integritas": 90, "disiplin": 60}),
        ]
    )
    assert summary.responses == 3
    assert summary.by_group == {"peer": 2, "superior": 1}
    assert summary.mean_by_dimension == {"disiplin": 70.0, "integritas": 78.33}


@pytest.mark.parametrize(
    ("score", "expected"),
    [
        ("100", "Sangat Baik"),
        ("91", "Sangat Baik"),
        ("90.5", "Baik"),
        ("90.99", "Baik"),
        ("76", "Baik"),
        ("75.99", "Cukup"),
        ("61", "Cukup"),
        ("60.5", "Kurang"),
        ("51", "Kurang"),
        ("50.99", "Buruk"),
        ("0", "Buruk"),
    ],
)
def test_predicate_bands_are_not_rounded_first(score, expected):
    assert predicate(Decimal(score)) == expected


def test_the_final_score_weights_skp_and_behaviour_60_40_by_default():
    assert final_score(Decimal(92), Decimal(80)) == Decimal("87.2")
    assert final_score(Decimal(92), Decimal(80), Decimal("0.7")) == Decimal("88.4")
    with pytest.raises(ValidationFailed):
        final_score(Decimal(92), Decimal(80), Decimal("1.5"))


# --- which ratings the scores may use (anonymity) -----------------------------------------

FLOOR = {"peer": 3, "subordinate": 3}


def received(round_id: str, group: str, raters: int, ratee: str = "staff") -> list[Rating]:
    return [
        Rating(round_id, f"{group}{i}-{round_id}", ratee, group, {"integritas": 80}, 1)
        for i in range(raters)
    ]


def test_superior_and_self_count_at_once_peers_once_their_round_closed():
    ratings = received("r1", "superior", 1) + received("r1", "self", 1) + received("r1", "peer", 3)
    open_round = publishable(ratings, closed_rounds=set(), floor=FLOOR)
    assert [r.rater_group for r in open_round] == ["superior", "self"]
    assert publishable(ratings, closed_rounds={"r1"}, floor=FLOOR) == ratings


def test_a_later_round_counts_only_if_it_alone_reaches_the_floor():
    first = received("r1", "peer", 3)
    one_more = received("r2", "peer", 1)
    three_more = received("r3", "peer", 3)
    kept = publishable(first + one_more + three_more, {"r1", "r2", "r3"}, FLOOR)
    assert kept == first + three_more  # the lone answer of r2 would be read by difference


def test_a_single_closed_round_keeps_a_small_group_for_the_combination_to_hide():
    # under the floor the group is shown only by its size; that is the combination's job
    small = received("r1", "subordinate", 2)
    assert publishable(small, {"r1"}, FLOOR) == small


def test_a_provisional_skp_score_cannot_be_finalized():
    with pytest.raises(Conflict) as refused:
        domain.finalize(
            "e1", "2026", Decimal(92), Decimal(80), "boss", date(2026, 6, 30), skp_complete=False
        )
    assert refused.value.code == "incomplete" and "skp_score" in refused.value.fields


def test_a_complete_score_is_finalized_with_its_predicate():
    score = domain.finalize(
        "e1", "2026", Decimal(92), Decimal(80), "boss", date(2027, 1, 5), skp_complete=True
    )
    assert (score.final_score, score.predicate) == (Decimal("87.2"), "Baik")
