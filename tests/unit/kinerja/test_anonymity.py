"""Which rater groups every view may show (kinerja.anonymity.shown_groups)."""

import pytest

from kinerja.anonymity import OTHERS, others_threshold, shown_groups

FLOORS = {"peer": 3, "subordinate": 3}


@pytest.mark.parametrize(
    ("sizes", "shown"),
    [
        ({"superior": 1, "self": 1}, {"superior", "self"}),
        ({"peer": 3, "subordinate": 5}, {"peer", "subordinate"}),
        ({"peer": 2, "subordinate": 2}, {OTHERS}),  # each hidden, the union of 4 reaches 3
        ({"peer": 2, "subordinate": 1}, {OTHERS}),
        ({"peer": 1, "subordinate": 1}, set()),  # the union of 2 does not
        ({"peer": 2}, set()),  # one hidden group alone is never merged with nothing
        ({"peer": 2, "subordinate": 3}, {"subordinate"}),  # nor beside a shown one
        ({"peer": 0, "subordinate": 0, "superior": 0}, set()),
    ],
)
def test_groups_shown_at_the_floor_and_two_hidden_ones_merged(sizes, shown):
    assert shown_groups(sizes, FLOORS) == frozenset(shown)


def test_hrs_raised_floor_counts_and_the_union_needs_the_higher_one():
    raised = {"peer": 5, "subordinate": 3}
    assert shown_groups({"peer": 4, "subordinate": 3}, raised) == {"subordinate"}
    assert shown_groups({"peer": 4, "subordinate": 2}, raised) == {OTHERS}
    assert shown_groups({"peer": 2, "subordinate": 2}, raised) == set()
    assert others_threshold(raised) == 5


def test_a_floor_below_the_anonymity_floor_is_not_honoured():
    assert shown_groups({"peer": 2}, {"peer": 1}) == set()
