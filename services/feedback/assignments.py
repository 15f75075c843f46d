"""Who rates whom in a 360 round: superior, subordinates, self and a balanced set of peers.

Peers come first from one's siblings (the same superior), up to the round's
`peers_per_ratee`. On top of those, SCORING.md step 7 asks for a cross-team link: each
ratee also gets `cross_team_peers` peers from the neighbouring teams (people at the same
level under another superior who shares the ratee's superior's superior), plus as many
more as their own team was short of `peers_per_ratee`. Those links let the scoring tell a
team's shared leniency apart from the team's real quality, and they lift a small peer group
over the anonymity threshold. Pure: the org directory comes in as plain `Person` values,
assignments go out; the same directory always gives the same round.
"""

from __future__ import annotations

import hashlib
import heapq
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass

from kinerja.anonymity import RATER_GROUPS
from kinerja.errors import Conflict, Forbidden, ValidationFailed

CROSS_TEAM_PEERS = 1  # SCORING.md step 7: at least one rater from outside the ratee's team


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


def generate_assignments(
    people: list[Person], peers_per_ratee: int, cross_team_peers: int = CROSS_TEAM_PEERS
) -> list[Assignment]:
    """Assign superior, subordinates, self and peers to every person.

    Peers: up to `peers_per_ratee` siblings, then `cross_team_peers` from neighbouring teams
    plus one more for each sibling the team could not give; no peers at all when
    `peers_per_ratee` is 0.
    """
    if peers_per_ratee < 0:
        raise ValidationFailed(
            "the number of peers cannot be negative", {"peers_per_ratee": ["0 or more"]}
        )
    if cross_team_peers < 0:
        raise ValidationFailed(
            "the number of cross-team peers cannot be negative",
            {"cross_team_peers": ["0 or more"]},
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
    if peers_per_ratee > 0:
        sibling_peers: dict[str, int] = defaultdict(int)
        for assignment in round_.values():
            if assignment.group == "peer":
                sibling_peers[assignment.ratee] += 1
        wanted = {
            nip: cross_team_peers + max(peers_per_ratee - sibling_peers[nip], 0) for nip in active
        }
        for assignment in _cross_team_peers(active, wanted, taken=set(round_)):
            round_.setdefault((assignment.rater, assignment.ratee), assignment)
    return sorted(round_.values(), key=_round_order)


def check_manual_assignment(
    existing: list[Assignment], new: Assignment, conflict_field: str = "rater"
) -> None:
    """Refuse an assignment added by hand that breaks the round's rules; a pair already
    in `existing` conflicts by `conflict_field` (the request's name for the rater)."""
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
        raise already_assigned(conflict_field)


def already_assigned(field: str = "rater") -> Conflict:
    """The refusal of a second live assignment of one rater to one ratee in a round, whether
    the read or the store's unique key found the first. It names no one but the ratee, so
    a ratee nominating (`field` "peer") reads nothing they did not send."""
    return Conflict(
        "the rater already rates this ratee in this round",
        {field: ["already asked to rate this ratee in this round"]},
        code="already_assigned",
    )


def check_nominator(rated_in_round: bool) -> None:
    """Only someone rated in the round asks a colleague to rate them in it."""
    if not rated_in_round:
        raise Forbidden("only a ratee of this round nominates peers in it", code="not_a_ratee")


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


def _cross_team_peers(
    active: dict[str, Person], wanted: dict[str, int], taken: set[tuple[str, str]]
) -> Iterator[Assignment]:
    """Peers from the ratee's neighbouring teams: same level, another superior, same grand-superior.

    Within each such family the least-loaded raters go first, ties broken by a fixed hash of
    the rater. The hash order mixes the teams, so one team's ratees are linked to raters from
    many teams rather than always to the next team (a ring would only chain the teams).
    """
    families: dict[str, list[str]] = defaultdict(list)
    for nip in sorted(active):
        boss = active.get(active[nip].supervisor_nip or "")
        if boss is not None and boss.nip != nip and boss.supervisor_nip is not None:
            families[boss.supervisor_nip].append(nip)
    for family in families.values():
        team = {nip: active[nip].supervisor_nip for nip in family}
        rated_by = _greedy_cross_team(family, team, wanted, taken)
        _rebalance(family, team, rated_by, taken)
        for ratee in family:
            for rater in sorted(rated_by[ratee]):
                yield Assignment(rater, ratee, "peer")


def _greedy_cross_team(
    family: list[str],
    team: dict[str, str | None],
    wanted: dict[str, int],
    taken: set[tuple[str, str]],
) -> dict[str, set[str]]:
    """Each ratee's cross-team raters: the least loaded eligible ones, in hash order."""
    rated_by: dict[str, set[str]] = {nip: set() for nip in family}
    # a heap of (load, hash, rater): the next rater is the least loaded, in hash order
    queue = [(0, _spread(nip), nip) for nip in family]
    heapq.heapify(queue)
    # ratees in a mixed order too, so the raters left for the last ratees are seldom all of
    # the last ratee's own team
    for ratee in sorted(family, key=_spread):
        chosen, passed = [], []
        while queue and len(chosen) < wanted[ratee]:
            load, spread, rater = heapq.heappop(queue)
            if team[rater] == team[ratee] or (rater, ratee) in taken:
                passed.append((load, spread, rater))
                continue
            chosen.append((load + 1, spread, rater))
            taken.add((rater, ratee))
            rated_by[ratee].add(rater)
        for entry in chosen + passed:
            heapq.heappush(queue, entry)
    return rated_by


def _rebalance(
    family: list[str],
    team: dict[str, str | None],
    rated_by: dict[str, set[str]],
    taken: set[tuple[str, str]],
) -> None:
    """Move links from the busiest raters to the idlest until loads differ by at most one.

    The greedy pass can end with only the last ratee's teammates left idle; each move here
    lowers the sum of squared loads, so the repair ends. It stops early when no move is
    possible (a team holding most of the family cannot be balanced).
    """
    load = dict.fromkeys(family, 0)
    for raters in rated_by.values():
        for rater in raters:
            load[rater] += 1
    order = {nip: _spread(nip) for nip in family}
    while True:
        low = min(load.values(), default=0)
        idle = sorted((nip for nip in family if load[nip] == low), key=order.__getitem__)
        busy = sorted(
            (nip for nip in family if load[nip] >= low + 2),
            key=lambda nip: (-load[nip], order[nip]),
        )
        move = next(
            (
                (rater, ratee, substitute)
                for rater in busy
                for ratee in sorted(e for e, raters in rated_by.items() if rater in raters)
                for substitute in idle
                if team[substitute] != team[ratee] and (substitute, ratee) not in taken
            ),
            None,
        )
        if move is None:
            return
        rater, ratee, substitute = move
        rated_by[ratee].remove(rater)
        rated_by[ratee].add(substitute)
        taken.discard((rater, ratee))
        taken.add((substitute, ratee))
        load[rater] -= 1
        load[substitute] += 1


def _spread(nip: str) -> int:
    # a fixed digest, not hash(): Python salts str hashes per process, and the round must be
    # repeatable; not crc32 either, whose values for similar nips are similar
    return int.from_bytes(hashlib.blake2b(nip.encode(), digest_size=8).digest(), "big")


def _round_order(assignment: Assignment) -> tuple[str, int, str]:
    return assignment.ratee, RATER_GROUPS.index(assignment.group), assignment.rater
