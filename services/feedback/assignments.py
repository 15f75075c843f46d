"""Who rates whom in a 360 round: superior, subordinates, self and a balanced set of peers.

Pure: the org directory comes in as plain `Person` values, assignments go out.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass

from kinerja.errors import Conflict, ValidationFailed

RATER_GROUPS = ("superior", "peer", "subordinate", "self")


@dataclass(frozen=True)
class Person:
    """An active employee, from the service's copy of the org directory."""

    nip: str
    supervisor_nip: str | None
    unit_id: str


@dataclass(frozen=True)
class Assignment:
    """One rater asked to rate one ratee; the group is seen from the ratee."""

    rater: str
    ratee: str
    group: str


def generate_assignments(people: list[Person], peers_per_ratee: int) -> list[Assignment]:
    """Assign superior, subordinates, self and up to `peers_per_ratee` peers to every person."""
    if peers_per_ratee < 0:
        raise ValidationFailed(
            "the number of peers cannot be negative", {"peers_per_ratee": ["0 or more"]}
        )
    active = _by_nip(people)
    # Listed in priority order: when a pair could come twice, the first group keeps it.
    hierarchy = [
        *_superiors(active),
        *(Assignment(a.ratee, a.rater, "subordinate") for a in _superiors(active)),
        *(Assignment(nip, nip, "self") for nip in active),
    ]
    round_: dict[tuple[str, str], Assignment] = {}
    for assignment in hierarchy:
        round_.setdefault((assignment.rater, assignment.ratee), assignment)
    for assignment in _peers(active, peers_per_ratee, taken=set(round_)):
        round_.setdefault((assignment.rater, assignment.ratee), assignment)
    return sorted(round_.values(), key=_round_order)


def check_manual_assignment(existing: list[Assignment], new: Assignment) -> None:
    """Refuse an assignment added by hand that breaks the round's rules."""
    fields: dict[str, list[str]] = {}
    if not new.rater:
        fields["rater"] = ["required"]
    if not new.ratee:
        fields["ratee"] = ["required"]
    if new.group not in RATER_GROUPS:
        fields["group"] = [f"one of {', '.join(RATER_GROUPS)}"]
    elif new.rater == new.ratee and new.group != "self":
        fields["group"] = ["a person rates themselves only as self"]
    elif new.group == "self" and new.rater != new.ratee:
        fields["group"] = ["self means the rater is the ratee"]
    if fields:
        raise ValidationFailed("the assignment is not valid", fields)
    if any((a.rater, a.ratee) == (new.rater, new.ratee) for a in existing):
        raise Conflict(
            "the rater already rates this ratee in this round",
            {"rater": [f"already assigned to rate {new.ratee}"]},
        )


def _by_nip(people: list[Person]) -> dict[str, Person]:
    active: dict[str, Person] = {}
    for person in people:
        if person.nip in active:
            raise ValidationFailed(
                "the org directory lists a person twice", {"people": [f"{person.nip} repeated"]}
            )
        active[person.nip] = person
    return active


def _superiors(active: dict[str, Person]) -> Iterator[Assignment]:
    for person in active.values():
        boss = person.supervisor_nip
        # An inactive supervisor is absent from the directory copy and rates nobody.
        if boss in active and boss != person.nip:
            yield Assignment(boss, person.nip, "superior")


def _peers(
    active: dict[str, Person], peers_per_ratee: int, taken: set[tuple[str, str]]
) -> Iterator[Assignment]:
    siblings: dict[str, list[str]] = defaultdict(list)
    for nip in sorted(active):
        boss = active[nip].supervisor_nip
        if boss is not None:
            siblings[boss].append(nip)
    # Peers come only from one's siblings, so each sibling group balances on its own.
    for group in siblings.values():
        yield from _balanced_peers(group, peers_per_ratee, taken)


def _balanced_peers(
    siblings: list[str], peers_per_ratee: int, taken: set[tuple[str, str]]
) -> Iterator[Assignment]:
    """Give each sibling peers, always picking the least-loaded raters first."""
    load = dict.fromkeys(siblings, 0)
    for index, ratee in enumerate(siblings):
        # Ties go to the siblings after the ratee, wrapping round. Plain nip order would
        # leave the last ratees only loaded raters (a, b, c with one peer each: loads 2, 1, 0).
        rotation = siblings[index + 1 :] + siblings[:index]
        eligible = [rater for rater in rotation if (rater, ratee) not in taken]
        for rater in sorted(eligible, key=load.__getitem__)[:peers_per_ratee]:
            load[rater] += 1
            yield Assignment(rater, ratee, "peer")


def _round_order(assignment: Assignment) -> tuple[str, int, str]:
    return assignment.ratee, RATER_GROUPS.index(assignment.group), assignment.rater
