"""The rater groups of a 360 round and the anonymity floor, one definition for every
service, the gateway and the UI.

A superior and a self rating are one known person each: nothing to hide. Peers and
subordinates answer anonymously, so a group of theirs counts toward a score, and its
figures are shown, only when at least `ANONYMITY_FLOOR` of its raters answered; below
it, a single answer could be read back from the group's mean. HR may raise a floor in
a weighting scheme (`DEFAULT_MIN_RATERS` is where a scheme starts), never lower it.
"""

from __future__ import annotations

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
