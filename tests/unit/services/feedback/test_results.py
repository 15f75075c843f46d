from decimal import Decimal

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from kinerja.anonymity import OTHERS
from kinerja.errors import ValidationFailed
from services.feedback.assignments import RATER_GROUPS
from services.feedback.results import (
    DEFAULT_THRESHOLDS,
    AnonymityPolicy,
    GroupResult,
    RateeResults,
    Rating,
    ratee_results,
    thresholds_for,
)

RATEE = "kabid_a"
DIMENSIONS = ["integritas", "kerjasama"]


def rating(rater: str, group: str, comment: str = "", **scores: int) -> Rating:
    return Rating(rater, group, {key: Decimal(value) for key, value in scores.items()}, comment)


def peers(count: int, score: int = 80) -> list[Rating]:
    return [rating(f"peer{i}", "peer", integritas=score + i, kerjasama=70) for i in range(count)]


def group(results: RateeResults, name: str) -> GroupResult:
    return results.groups[RATER_GROUPS.index(name)]


def test_every_group_is_present_in_order_even_without_responses():
    results = ratee_results(RATEE, [], DIMENSIONS)
    assert [g.group for g in results.groups] == list(RATER_GROUPS)
    assert all(g == GroupResult(g.group, 0, False, {}, ()) for g in results.groups)
    assert results.others_mean_by_dimension == {}
    assert results.dimensions == tuple(DIMENSIONS)


@pytest.mark.parametrize("name", ["peer", "subordinate"])
def test_an_anonymous_group_under_three_shows_only_its_count(name):
    ratings = [rating(f"r{i}", name, "bagus", integritas=80) for i in range(2)]
    assert group(ratee_results(RATEE, ratings, DIMENSIONS), name) == GroupResult(
        name, 2, False, {}, ()
    )


@pytest.mark.parametrize("name", ["peer", "subordinate"])
def test_an_anonymous_group_at_three_shows_its_means(name):
    ratings = [rating(f"r{i}", name, integritas=70 + i) for i in range(3)]
    shown = group(ratee_results(RATEE, ratings, DIMENSIONS), name)
    assert shown.shown
    assert shown.mean_by_dimension == {"integritas": Decimal(71)}


def test_superior_and_self_are_shown_with_one_response():
    ratings = [
        rating("kepala", "superior", "tegas", integritas=90, kerjasama=80),
        rating(RATEE, "self", integritas=95, kerjasama=85),
    ]
    results = ratee_results(RATEE, ratings, DIMENSIONS)
    superior, self_ = group(results, "superior"), group(results, "self")
    assert superior == GroupResult(
        "superior", 1, True, {"integritas": Decimal(90), "kerjasama": Decimal(80)}, ("tegas",)
    )
    assert self_.shown and self_.mean_by_dimension["integritas"] == Decimal(95)


def test_one_answer_of_a_hidden_group_cannot_be_derived_by_difference():
    base = [
        rating("kepala", "superior", integritas=90, kerjasama=80),
        rating(RATEE, "self", integritas=95, kerjasama=85),
        *[rating(f"staf{i}", "subordinate", integritas=60 + i, kerjasama=75) for i in range(3)],
    ]
    two_peers = peers(2)
    before = ratee_results(RATEE, base + two_peers, DIMENSIONS)
    changed = [
        two_peers[0],
        rating("peer1", "peer", "kurang komunikatif", integritas=10, kerjasama=0),
    ]
    after = ratee_results(RATEE, base + changed, DIMENSIONS)
    assert after == before
    assert group(after, "peer").responses == 2
    # The third peer makes the group shown, and only then does its mean appear anywhere.
    third = ratee_results(
        RATEE, base + two_peers + [rating("peer2", "peer", integritas=82)], DIMENSIONS
    )
    assert group(third, "peer").mean_by_dimension["integritas"] == Decimal(81)
    assert third.others_mean_by_dimension != before.others_mean_by_dimension


def test_comments_are_hidden_under_the_threshold_and_sorted_when_shown():
    texts = ["tepat waktu", "  ", "aktif berdiskusi", "bisa lebih teliti"]
    ratings = [rating(f"peer{i}", "peer", text, integritas=80) for i, text in enumerate(texts)]
    assert group(ratee_results(RATEE, ratings[:2], DIMENSIONS), "peer").comments == ()
    shown = group(ratee_results(RATEE, ratings, DIMENSIONS), "peer")
    assert shown.comments == ("aktif berdiskusi", "bisa lebih teliti", "tepat waktu")


def test_a_dimension_scored_by_too_few_of_a_shown_group_is_omitted():
    ratings = [
        rating("peer0", "peer", integritas=80, kerjasama=40),
        rating("peer1", "peer", integritas=70),
        rating("peer2", "peer", integritas=90),
        rating("kepala", "superior", integritas=60, kerjasama=60),
    ]
    results = ratee_results(RATEE, ratings, DIMENSIONS)
    assert group(results, "peer").mean_by_dimension == {"integritas": Decimal(80)}
    # The lone peer's kerjasama stays out of the pool too, or it would leak by difference.
    assert results.others_mean_by_dimension == {"integritas": Decimal(75), "kerjasama": Decimal(60)}


def test_others_mean_pools_only_shown_non_self_groups():
    ratings = [
        rating("kepala", "superior", integritas=60),
        rating(RATEE, "self", integritas=100),
        *[rating(f"staf{i}", "subordinate", integritas=10) for i in range(2)],
        *peers(3, score=80),  # 80, 81, 82
    ]
    results = ratee_results(RATEE, ratings, DIMENSIONS)
    # The two subordinates are hidden, so neither their 10s nor their count weigh in.
    assert results.others_mean_by_dimension == {
        "integritas": (60 + 80 + 81 + 82) / Decimal(4),
        "kerjasama": Decimal(70),  # only the peers scored it
    }


def test_others_mean_with_only_the_superior_shown_is_the_superior_mean():
    ratings = [rating("kepala", "superior", integritas=60), *peers(2)]
    results = ratee_results(RATEE, ratings, DIMENSIONS)
    assert results.others_mean_by_dimension == {"integritas": Decimal(60)}


def test_means_are_exact_decimals():
    ratings = [rating(f"peer{i}", "peer", integritas=score) for i, score in enumerate([1, 1, 2])]
    mean = group(ratee_results(RATEE, ratings, DIMENSIONS), "peer").mean_by_dimension["integritas"]
    assert mean == Decimal(4) / Decimal(3)


def test_a_stricter_policy_hides_more():
    policy = AnonymityPolicy({"peer": 5, "subordinate": 5, "superior": 1, "self": 1})
    assert not group(ratee_results(RATEE, peers(4), DIMENSIONS, policy), "peer").shown


@pytest.mark.parametrize(
    "thresholds",
    [
        {"peer": 0, "subordinate": 3, "superior": 1, "self": 1},
        {"peer": 3},
        {"peer": 3, "subordinate": 3, "superior": 1, "self": 1, "mentor": 1},
    ],
)
def test_an_incomplete_or_zero_policy_is_refused(thresholds):
    with pytest.raises(ValidationFailed):
        AnonymityPolicy(thresholds)


@pytest.mark.parametrize(
    "ratings",
    [
        [rating("peer0", "peer"), rating("peer0", "peer")],  # one person counted twice
        [rating("peer0", "mentor")],
        [rating("peer0", "self")],  # a peer's answer would show at the self threshold
        [rating(RATEE, "peer")],
    ],
)
def test_ratings_that_would_bend_the_thresholds_are_refused(ratings):
    with pytest.raises(ValidationFailed):
        ratee_results(RATEE, ratings, DIMENSIONS)


scores = st.fixed_dictionaries(
    {}, optional={d: st.integers(0, 100).map(Decimal) for d in DIMENSIONS}
)
group_ratings = st.fixed_dictionaries(
    {
        name: st.lists(st.tuples(scores, st.sampled_from(["", "baik", "cukup"])), max_size=5)
        for name in RATER_GROUPS
    }
)


def build(drawn: dict) -> list[Rating]:
    ratings = []
    for name, answers in drawn.items():
        for index, (answer, comment) in enumerate(answers[:1] if name == "self" else answers):
            rater = RATEE if name == "self" else f"{name}{index}"
            ratings.append(Rating(rater, name, answer, comment))
    return ratings


@given(group_ratings)
def test_hidden_groups_reveal_nothing_and_shown_anonymous_groups_have_three(drawn):
    results = ratee_results(RATEE, build(drawn), DIMENSIONS)
    for result in results.groups:
        if not result.shown:
            assert result.mean_by_dimension == {} and result.comments == ()
        elif result.group in ("peer", "subordinate"):
            assert result.responses >= 3


@given(group_ratings, st.sampled_from(["peer", "subordinate"]), scores)
def test_changing_an_answer_of_a_hidden_group_changes_nothing_but_the_merged_others(
    drawn, name, new_scores
):
    """A hidden group's answer shows nowhere on its own: only in the union of peers and
    subordinates when that is shown (and so in the pooled mean beside it)."""
    ratings = build(drawn)
    hidden = [i for i, r in enumerate(ratings) if r.group == name]
    assume(0 < len(hidden) < 3)
    changed = list(ratings)
    changed[hidden[0]] = Rating(ratings[hidden[0]].rater, name, new_scores, "lain")
    before, after = (
        ratee_results(RATEE, ratings, DIMENSIONS),
        ratee_results(RATEE, changed, DIMENSIONS),
    )
    if all(g.group != OTHERS for g in before.groups):
        assert after == before
    else:
        assert after.groups[: len(RATER_GROUPS)] == before.groups[: len(RATER_GROUPS)]


def test_peers_and_subordinates_each_below_three_are_shown_merged_as_others():
    ratings = peers(2) + [
        rating(f"sub{i}", "subordinate", "rapi", integritas=60, kerjasama=90) for i in range(2)
    ]
    results = ratee_results(RATEE, ratings, DIMENSIONS)
    assert not group(results, "peer").shown and not group(results, "subordinate").shown
    others = results.groups[-1]
    assert (others.group, others.responses, others.shown) == (OTHERS, 4, True)
    # (80 + 81 + 60 + 60) / 4 and (70 + 70 + 90 + 90) / 4
    assert others.mean_by_dimension == {"integritas": Decimal("70.25"), "kerjasama": Decimal(80)}
    assert others.comments == ("rapi", "rapi")
    assert results.others_mean_by_dimension == others.mean_by_dimension


def test_a_hidden_group_beside_a_shown_one_is_never_merged():
    """Peers hidden, subordinates shown: a union would give the peers' mean away by
    difference with the subordinates' own."""
    ratings = peers(2) + [rating(f"sub{i}", "subordinate", integritas=60) for i in range(3)]
    results = ratee_results(RATEE, ratings, DIMENSIONS)
    assert [g.group for g in results.groups] == list(RATER_GROUPS)
    assert group(results, "subordinate").shown and not group(results, "peer").shown


def scheme(unit_ids=(), position_kinds=(), **floors) -> dict:
    return {
        "unit_ids": list(unit_ids),
        "position_kinds": list(position_kinds),
        "min_raters": floors,
    }


def test_without_schemes_the_floors_are_the_defaults():
    assert thresholds_for([], "umpeg", "functional").thresholds == DEFAULT_THRESHOLDS


def test_the_strictest_scheme_that_could_apply_sets_the_floor():
    schemes = [
        scheme(peer=3, subordinate=3),  # the default scheme names no one: everyone
        scheme(unit_ids=["umpeg"], peer=5),
        scheme(position_kinds=["structural"], subordinate=4),
        scheme(unit_ids=["bidang"], peer=9, subordinate=9),  # someone else's unit
    ]
    assert thresholds_for(schemes, "umpeg", "structural").thresholds == {
        **DEFAULT_THRESHOLDS,
        "peer": 5,
        "subordinate": 4,
    }
    assert thresholds_for(schemes, "umpeg", "functional").thresholds["subordinate"] == 3


def test_a_scheme_never_lowers_a_floor_or_touches_the_known_groups():
    low = scheme(peer=1, subordinate=2, superior=5, self=5)
    assert thresholds_for([low], "umpeg", "functional").thresholds == DEFAULT_THRESHOLDS


def test_the_refusal_of_a_repeated_rater_names_no_rater():
    """This refusal can reach the ratee: it speaks of "a rater", never by NIP or position."""
    nip = "198001012005012002"
    twice = [rating(nip, "peer", integritas=80), rating(nip, "peer", integritas=90)]
    with pytest.raises(ValidationFailed) as refused:
        ratee_results(RATEE, twice + peers(3), DIMENSIONS)
    said = repr((refused.value.message, refused.value.fields))
    assert nip not in said and "a rater" in said
