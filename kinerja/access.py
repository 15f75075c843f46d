"""Who may see or act on an employee's records: one decision for every service and the UI.

A caller stands in one or more relations to the employee whose records they touch:
the employee themselves, their direct supervisor (the pejabat penilai, who appraises
them), that supervisor's own superior (the atasan pejabat penilai, who decides
objections and, under PermenPANRB 6/2022, evaluates when the supervisor is late), HR
(by role, for everyone; and in the superior's place for the objections of an employee
whose supervisor has no superior in the directory, so no objection waits on nobody), and
ops (by role: metrics, never a person's records). What each relation may do is the table
POLICY below; nothing else grants access to a person's records. It reaches two levels
down the directory's chain and no further: a head of department does not read every
record below them. A unit's aggregate views (workload, calibration) are for a supervisor
of that unit and HR (ensure_own_unit).

The relations are worked out from the directory (each service's copy of it, or the
gateway's own), read inside the caller's transaction when a write depends on them.
"""

from __future__ import annotations

from collections.abc import Sequence
from enum import StrEnum

from pymongo.database import Database

from kinerja import directory_replica, reads
from kinerja.auth import Principal
from kinerja.errors import Forbidden
from kinerja.mongo import Tx, db_and_session


class Relation(StrEnum):
    SELF = "self"
    SUPERVISOR = "supervisor"
    SUPERVISORS_SUPERIOR = "supervisors_superior"
    HR = "hr"
    # HR deciding in place of a superior the directory does not have (the supervisor is at
    # the top of the chain): the authority an objection goes to instead of being stuck
    HR_IN_PLACE_OF_SUPERIOR = "hr_in_place_of_superior"


class Action(StrEnum):
    # the employee's SKP, daily logs, scores and 360 results (within the anonymity rules)
    SEE = "see"
    # how a score was made: groups, weights, reliability, rater flags
    SEE_BREAKDOWN = "see_breakdown"
    # what only the employee does for themselves: draft and submit the SKP, write log
    # entries, nominate peers, object to the appraisal
    ACT_AS_SELF = "act_as_self"
    # historical log entries from CSV: the employee's own, or anyone's by HR
    IMPORT_ENTRIES = "import_entries"
    # the period's actuals: proposed by the employee, recorded directly by the supervisor
    RECORD_REALIZATION = "record_realization"
    # a supervisor's team lists: the supervisor named in the path, and HR
    SEE_TEAM = "see_team"
    # the appraiser's decisions: approve or return the SKP, verify log entries, decide
    # nominations and the behaviour score, finalize
    DECIDE = "decide"
    # the decision on an objection to the appraisal
    DECIDE_OBJECTION = "decide_objection"
    # everything a service holds about the employee, as one download (UU 27/2022)
    EXPORT_OWN_DATA = "export_own_data"


POLICY: dict[Action, frozenset[Relation]] = {
    Action.SEE: frozenset(
        {Relation.SELF, Relation.SUPERVISOR, Relation.SUPERVISORS_SUPERIOR, Relation.HR}
    ),
    Action.SEE_BREAKDOWN: frozenset(
        {Relation.SUPERVISOR, Relation.SUPERVISORS_SUPERIOR, Relation.HR}
    ),
    Action.ACT_AS_SELF: frozenset({Relation.SELF}),
    Action.SEE_TEAM: frozenset({Relation.SELF, Relation.HR}),
    Action.IMPORT_ENTRIES: frozenset({Relation.SELF, Relation.HR}),
    Action.RECORD_REALIZATION: frozenset({Relation.SELF, Relation.SUPERVISOR}),
    Action.DECIDE: frozenset({Relation.SUPERVISOR}),
    Action.DECIDE_OBJECTION: frozenset(
        {Relation.SUPERVISORS_SUPERIOR, Relation.HR_IN_PLACE_OF_SUPERIOR}
    ),
    Action.EXPORT_OWN_DATA: frozenset({Relation.SELF}),
}

# Reads of a person's records: recorded when someone else makes them (kinerja.reads), so
# the employee's export says who read what and when.
RECORDED_READS = frozenset({Action.SEE, Action.SEE_BREAKDOWN})

# What a refused caller reads: who may, in words.
REFUSALS: dict[Action, str] = {
    Action.SEE: (
        "not yours to see: an employee's records are for them, their supervisor, "
        "the supervisor's superior and HR"
    ),
    Action.SEE_BREAKDOWN: (
        "the breakdown is for the employee's supervisor, the supervisor's superior and HR"
    ),
    Action.ACT_AS_SELF: "only the employee does this for themselves",
    Action.SEE_TEAM: "a supervisor sees their own team",
    Action.IMPORT_ENTRIES: "you import your own entries only",
    Action.RECORD_REALIZATION: "the employee or their direct supervisor records realization",
    Action.DECIDE: "only the employee's direct supervisor (pejabat penilai) decides this",
    Action.DECIDE_OBJECTION: (
        "the supervisor's own superior decides objections (HR, when the supervisor has none)"
    ),
    Action.EXPORT_OWN_DATA: "an employee exports their own personal data only",
}

Caller = Principal | str  # a bare NIP: a person acting without roles (CLI, demo, commands)


def relations(caller: Caller, nip: str, above: Sequence[str]) -> frozenset[Relation]:
    """The caller's relations to employee `nip`, whose supervisor and the supervisor's
    superior are `above` (directory_replica.supervisors_of: nearest first, those known)."""
    subject = caller if isinstance(caller, str) else caller.subject
    found = set()
    if subject == nip:
        found.add(Relation.SELF)
    if above and above[0] == subject:
        found.add(Relation.SUPERVISOR)
    if len(above) > 1 and above[1] == subject:
        found.add(Relation.SUPERVISORS_SUPERIOR)
    if not isinstance(caller, str) and caller.has_any(["hr"]):
        found.add(Relation.HR)
        if len(above) == 1:
            found.add(Relation.HR_IN_PLACE_OF_SUPERIOR)
    return frozenset(found)


def allows(found: frozenset[Relation], action: Action) -> bool:
    """Whether any of the relations `found` may do `action`."""
    return bool(found & POLICY[action])


def may(caller: Caller, nip: str, above: Sequence[str], action: Action) -> bool:
    return allows(relations(caller, nip, above), action)


def ensure(db_or_tx: Database | Tx, caller: Caller, nip: str, action: Action) -> frozenset:
    """The caller's relations to `nip` that `action` depends on, or 403 when none of them
    may do it. Inside a transaction the directory is read as its snapshot sees it; an
    action no supervisor may do reads no directory at all. A read by someone other than
    the employee is recorded (kinerja.reads): one record per reader, action and day."""
    chain = POLICY[action] & {Relation.SUPERVISOR, Relation.SUPERVISORS_SUPERIOR}
    above = directory_replica.supervisors_of(db_or_tx, nip) if chain else ()
    found = relations(caller, nip, above)
    if not allows(found, action):
        raise Forbidden(REFUSALS[action])
    if action in RECORDED_READS and Relation.SELF not in found:
        db, _ = db_and_session(db_or_tx)
        subject = caller if isinstance(caller, str) else caller.subject
        reads.record(db, subject, nip, action, [str(r) for r in found])
    return found


def ensure_own_unit(db: Database, caller: Principal, unit_id: str, what: str) -> None:
    """A unit's aggregate view (`what`): HR for every unit, a supervisor for their own
    (the unit the directory puts them in)."""
    if caller.has_any(["hr"]):
        return
    own_unit = (directory_replica.find_employee(db, caller.subject) or {}).get("unit_id")
    if own_unit != unit_id:
        raise Forbidden(f"a supervisor sees {what} of their own unit only")
