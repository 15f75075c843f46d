from decimal import Decimal

import pytest

from kinerja.errors import ValidationFailed
from services.appraisal.domain import Rating, final_score, predicate, summarize, supersedes


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
