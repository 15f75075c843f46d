from services.appraisal.domain import Rating, summarize, supersedes


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
