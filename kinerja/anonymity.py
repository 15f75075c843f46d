"""The rater groups of a 360 round and the anonymity floor, one definition for every
service, the gateway and the UI.

A superior and a self rating are one known person each: nothing to hide. Peers and
subordinates answer anonymously, so a group of theirs counts toward a score, and its
figures are shown, only when at least `ANONYMITY_FLOOR` of its raters answered; below
it, a single answer could be read back from the group's mean. HR may raise a floor in
a weighting scheme (`DEFAULT_MIN_RATERS` is where a scheme starts), never lower it.
"""

from __future__ import annotations

from collections.abc import Mapping

SUPERIOR, PEER, SUBORDINATE, SELF = "superior", "peer", "subordinate", "self"
RATER_GROUPS = (SUPERIOR, PEER, SUBORDINATE, SELF)
ANONYMOUS_GROUPS = (PEER, SUBORDINATE)

# The least number of raters a group needs before it counts or is shown; HR's schemes
# may ask more (of the anonymous groups, never less than the floor).
ANONYMITY_FLOOR = {PEER: 3, SUBORDINATE: 3}
DEFAULT_MIN_RATERS = {SUPERIOR: 1, **ANONYMITY_FLOOR}


def floor_of(group: str) -> int:
    """The least number of raters `group` may ever be shown with: 1 for the known ones."""
    return ANONYMITY_FLOOR.get(group, 1)


# Peers and subordinates shown as one group: when each is below its floor but their
# union is not, the union's figures are shown and neither group's (SCORING.md,
# "Anonymity in results"). A hidden group is never folded into a larger pool beside
# groups that are shown: its mean could be back-solved from the others.
OTHERS = "others"


def shown_groups(sizes: Mapping[str, int], thresholds: Mapping[str, int]) -> frozenset[str]:
    """Which groups' figures every view may show, given how many raters each has and the
    fewest each may be shown with (`thresholds`, HR's floors; floor_of for the rest):
    the groups at or above their threshold, and OTHERS in place of peers and
    subordinates when both are below theirs (neither empty) but together reach the
    higher of the two."""

    def threshold(group: str) -> int:
        return max(floor_of(group), thresholds.get(group, 0))

    shown = {g for g in RATER_GROUPS if sizes.get(g, 0) and sizes[g] >= threshold(g)}
    hidden = [g for g in ANONYMOUS_GROUPS if 0 < sizes.get(g, 0) < threshold(g)]
    together = sum(sizes.get(g, 0) for g in ANONYMOUS_GROUPS)
    if len(hidden) == len(ANONYMOUS_GROUPS) and together >= max(map(threshold, hidden)):
        shown.add(OTHERS)
    return frozenset(shown)


def others_threshold(thresholds: Mapping[str, int]) -> int:
    """The fewest raters the merged OTHERS group may be shown with, per dimension too."""
    return max(max(floor_of(g), thresholds.get(g, 0)) for g in ANONYMOUS_GROUPS)
