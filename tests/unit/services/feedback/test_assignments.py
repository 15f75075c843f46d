import random
from collections import Counter

import pytest
from hypothesis import given
from hypothesis import strategies as st

from kinerja.errors import Conflict, ValidationFailed
from services.feedback.assignments import (
    RATER_GROUPS,
    Assignment,
    Person,
    check_manual_assignment,
    generate_assignments,
)

STAFF_A = ["staf_a1", "staf_a2", "staf_a3"]
STAFF_B = ["staf_b1", "staf_b2", "staf_b3", "staf_b4"]


def org() -> list[Person]:
    """A head, two supervisors under them, and three and four staff under those."""
    return [
        Person("kepala", None, "dinas"),
        Person("kabid_a", "kepala", "bidang_a"),
        Person("kabid_b", "kepala", "bidang_b"),
        *(Person(nip, "kabid_a", "bidang_a") for nip in STAFF_A),
        *(Person(nip, "kabid_b", "bidang_b") for nip in STAFF_B),
    ]


def raters_of(round_: list[Assignment], ratee: str, group: str) -> set[str]:
    return {a.rater for a in round_ if a.ratee == ratee and a.group == group}


def peer_loads(round_: list[Assignment], raters: list[str]) -> list[int]:
    counts = Counter(a.rater for a in round_ if a.group == "peer")
    return [counts[rater] for rater in raters]


def test_superior_subordinate_and_self_follow_the_tree():
    round_ = generate_assignments(org(), peers_per_ratee=0)
    assert raters_of(round_, "kepala", "superior") == set()
    assert raters_of(round_, "kepala", "subordinate") == {"kabid_a", "kabid_b"}
    assert raters_of(round_, "kabid_a", "superior") == {"kepala"}
    assert raters_of(round_, "kabid_a", "subordinate") == set(STAFF_A)
    assert raters_of(round_, "kabid_b", "subordinate") == set(STAFF_B)
    assert raters_of(round_, "staf_b2", "superior") == {"kabid_b"}
    assert raters_of(round_, "staf_b2", "subordinate") == set()
    assert all(raters_of(round_, p.nip, "self") == {p.nip} for p in org())
    assert not [a for a in round_ if a.group == "peer"]


def test_peers_are_siblings_plus_one_from_a_neighbouring_team():
    round_ = generate_assignments(org(), peers_per_ratee=2)
    assert raters_of(round_, "kepala", "peer") == set()  # no supervisor, no siblings
    # the heads of bidang have no grand-superior, so no neighbouring team to draw from
    assert raters_of(round_, "kabid_a", "peer") == {"kabid_b"}  # only one sibling to give
    for staff, other in ((STAFF_A, STAFF_B), (STAFF_B, STAFF_A)):
        for nip in staff:
            peers = raters_of(round_, nip, "peer")
            assert len(peers & set(staff)) == 2
            assert len(peers & set(other)) == 1  # the cross-team link (SCORING.md step 7)
            assert nip not in peers


def test_without_cross_team_peers_peers_are_siblings_only():
    round_ = generate_assignments(org(), peers_per_ratee=2, cross_team_peers=0)
    for staff in (STAFF_A, STAFF_B):
        for nip in staff:
            peers = raters_of(round_, nip, "peer")
            assert len(peers) == 2
            assert peers <= set(staff) - {nip}


def test_a_small_team_is_topped_up_from_neighbouring_teams():
    people = [
        Person("kepala", None, "dinas"),
        Person("kabid_a", "kepala", "bidang_a"),
        Person("kabid_b", "kepala", "bidang_b"),
        *(Person(nip, "kabid_a", "bidang_a") for nip in ["staf_a1", "staf_a2"]),
        *(Person(nip, "kabid_b", "bidang_b") for nip in STAFF_B),
    ]
    round_ = generate_assignments(people, peers_per_ratee=3)
    # one sibling only: two more from bidang_b for the shortfall, plus the usual one
    assert raters_of(round_, "staf_a1", "peer") == {"staf_a2"} | (
        raters_of(round_, "staf_a1", "peer") & set(STAFF_B)
    )
    assert len(raters_of(round_, "staf_a1", "peer") & set(STAFF_B)) == 3
    # a full team gets its three siblings and one neighbour
    assert len(raters_of(round_, "staf_b1", "peer") & set(STAFF_B)) == 3
    assert len(raters_of(round_, "staf_b1", "peer") - set(STAFF_B)) == 1


def test_no_peers_asked_means_no_cross_team_peers_either():
    round_ = generate_assignments(org(), peers_per_ratee=0, cross_team_peers=2)
    assert not [a for a in round_ if a.group == "peer"]


def regular_org(teams: int, staff: int) -> list[Person]:
    people = [Person("kepala", None, "dinas")]
    for t in range(teams):
        people.append(Person(f"kabid{t}", "kepala", f"bidang{t}"))
        people.extend(Person(f"staf{t}_{s}", f"kabid{t}", f"bidang{t}") for s in range(staff))
    return people


def test_cross_team_links_are_balanced_and_spread_over_many_teams():
    people = regular_org(teams=6, staff=5)
    team = {p.nip: p.supervisor_nip for p in people}
    round_ = generate_assignments(people, peers_per_ratee=3, cross_team_peers=1)
    crossing = [
        a
        for a in round_
        if a.group == "peer" and a.ratee.startswith("staf") and team[a.rater] != team[a.ratee]
    ]
    staff = [p.nip for p in people if p.nip.startswith("staf")]
    assert Counter(a.ratee for a in crossing) == dict.fromkeys(staff, 1)
    loads = Counter(a.rater for a in crossing)
    assert {loads[nip] for nip in staff} == {1}
    # one team's links come from several teams, not always from the next one
    for t in range(6):
        sources = {team[a.rater] for a in crossing if team[a.ratee] == f"kabid{t}"}
        assert len(sources) >= 3


def test_a_negative_cross_team_count_is_refused():
    with pytest.raises(ValidationFailed) as refused:
        generate_assignments(org(), peers_per_ratee=2, cross_team_peers=-1)
    assert "cross_team_peers" in refused.value.fields


def test_peer_load_within_a_sibling_group_differs_by_at_most_one():
    round_ = generate_assignments(org(), peers_per_ratee=2)
    for staff in (STAFF_A, STAFF_B):
        loads = peer_loads(round_, staff)
        assert max(loads) - min(loads) <= 1


@given(siblings=st.integers(1, 15), peers_per_ratee=st.integers(0, 16))
def test_peer_load_stays_balanced_for_any_group_size(siblings, peers_per_ratee):
    staff = [f"staf{i:02d}" for i in range(siblings)]
    people = [Person("kepala", None, "dinas"), *(Person(nip, "kepala", "dinas") for nip in staff)]
    round_ = generate_assignments(people, peers_per_ratee)
    loads = peer_loads(round_, staff)
    assert max(loads) - min(loads) <= 1
    assert all(
        len(raters_of(round_, nip, "peer")) == min(peers_per_ratee, siblings - 1) for nip in staff
    )


def test_nobody_is_their_own_peer_and_no_pair_repeats():
    round_ = generate_assignments(org(), peers_per_ratee=5)
    assert all(a.rater != a.ratee for a in round_ if a.group != "self")
    pairs = [(a.rater, a.ratee) for a in round_]
    assert len(pairs) == len(set(pairs))


def test_output_is_deterministic_and_sorted_whatever_the_input_order():
    expected = generate_assignments(org(), peers_per_ratee=2)
    shuffled = org()
    random.Random(7).shuffle(shuffled)
    assert generate_assignments(shuffled, peers_per_ratee=2) == expected
    order = [(a.ratee, RATER_GROUPS.index(a.group), a.rater) for a in expected]
    assert order == sorted(order)


def test_an_inactive_supervisor_rates_nobody_but_their_staff_stay_peers():
    people = [p for p in org() if p.nip != "kabid_a"]
    round_ = generate_assignments(people, peers_per_ratee=2)
    assert raters_of(round_, "staf_a1", "superior") == set()
    assert not [a for a in round_ if "kabid_a" in (a.rater, a.ratee)]
    assert len(raters_of(round_, "staf_a1", "peer")) == 2


def test_a_negative_peer_count_is_refused():
    with pytest.raises(ValidationFailed) as refused:
        generate_assignments(org(), peers_per_ratee=-1)
    assert "peers_per_ratee" in refused.value.fields


def test_a_person_listed_twice_is_refused():
    with pytest.raises(ValidationFailed) as refused:
        generate_assignments([*org(), Person("kepala", None, "dinas")], peers_per_ratee=0)
    assert "people" in refused.value.fields


@pytest.mark.parametrize(
    ("new", "field"),
    [
        (Assignment("staf_a1", "staf_b1", "mentor"), "group"),
        (Assignment("staf_a1", "staf_a1", "peer"), "group"),
        (Assignment("staf_a1", "staf_b1", "self"), "group"),
        (Assignment("", "staf_b1", "peer"), "rater"),
        (Assignment("staf_a1", "", "peer"), "ratee"),
    ],
)
def test_a_manual_assignment_names_the_field_it_breaks(new, field):
    with pytest.raises(ValidationFailed) as refused:
        check_manual_assignment([], new)
    assert field in refused.value.fields


def test_a_manual_assignment_of_a_pair_already_in_the_round_conflicts():
    existing = generate_assignments(org(), peers_per_ratee=0)
    with pytest.raises(Conflict) as refused:
        check_manual_assignment(existing, Assignment("kepala", "kabid_a", "peer"))
    assert "rater" in refused.value.fields


def test_a_valid_manual_assignment_passes():
    existing = generate_assignments(org(), peers_per_ratee=0)
    check_manual_assignment(existing, Assignment("staf_a1", "staf_b1", "peer"))
    check_manual_assignment([], Assignment("staf_a1", "staf_a1", "self"))
