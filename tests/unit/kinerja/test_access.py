"""Who may see or act on an employee's records (kinerja.access), as a table.

The chain: RUDI reports to BUDI (his supervisor, the pejabat penilai), BUDI to RAHMA
(the atasan pejabat penilai), RAHMA to KEPALA. The table is the README's: change one,
change the other.
"""

import pytest

from kinerja.access import Action, Relation, may, relations
from kinerja.auth import Principal

RUDI, WULAN, BUDI, RAHMA, KEPALA = "rudi", "wulan", "budi", "rahma", "kepala"
ABOVE = {RUDI: (BUDI, RAHMA), WULAN: (BUDI, RAHMA), BUDI: (RAHMA, KEPALA), RAHMA: (KEPALA,)}


def person(subject: str, *roles: str) -> Principal:
    return Principal(subject, frozenset(roles or ("employee",)))


CALLERS = {
    "self": person(RUDI),
    "colleague": person(WULAN),
    "supervisor": person(BUDI, "employee", "supervisor"),
    "supervisor's superior": person(RAHMA, "employee", "supervisor"),
    "three levels up": person(KEPALA, "employee", "supervisor"),
    "hr": person("hr-1", "hr"),
    "ops": person("ops-1", "ops"),
}
Y, N = True, False
# fmt: off
TABLE = {
    #                       self colleague sup  sup's-sup 3-up  hr  ops
    Action.SEE:                (Y, N,       Y,   Y,        N,    Y,  N),
    Action.SEE_BREAKDOWN:      (N, N,       Y,   Y,        N,    Y,  N),
    Action.ACT_AS_SELF:        (Y, N,       N,   N,        N,    N,  N),
    Action.IMPORT_ENTRIES:     (Y, N,       N,   N,        N,    Y,  N),
    Action.RECORD_REALIZATION: (Y, N,       Y,   N,        N,    N,  N),
    Action.DECIDE:             (N, N,       Y,   N,        N,    N,  N),
    Action.DECIDE_OBJECTION:   (N, N,       N,   Y,        N,    N,  N),
    Action.EXPORT_OWN_DATA:    (Y, N,       N,   N,        N,    N,  N),
}
# fmt: on


@pytest.mark.parametrize("action", list(TABLE), ids=str)
def test_who_may_do_what_on_rudis_records(action):
    allowed = tuple(may(caller, RUDI, ABOVE[RUDI], action) for caller in CALLERS.values())
    assert allowed == TABLE[action], dict(zip(CALLERS, allowed, strict=True))


def test_every_action_is_in_the_table():
    assert set(TABLE) == set(Action) - {Action.SEE_TEAM}


def test_a_team_list_is_the_supervisors_own_or_hrs():
    assert may(person(BUDI, "supervisor"), BUDI, ABOVE[BUDI], Action.SEE_TEAM)
    assert not may(person(RAHMA, "supervisor"), BUDI, ABOVE[BUDI], Action.SEE_TEAM)
    assert may(person("hr-1", "hr"), BUDI, ABOVE[BUDI], Action.SEE_TEAM)


def test_a_role_alone_puts_no_one_in_the_chain():
    """The supervisor role grants nothing on people who do not report to its holder; a
    bare NIP (a command run without a token) never stands for HR."""
    assert relations(person(BUDI, "supervisor"), RAHMA, ABOVE[RAHMA]) == frozenset()
    assert relations("hr-1", RUDI, ABOVE[RUDI]) == frozenset()
    assert relations(BUDI, RUDI, ABOVE[RUDI]) == {Relation.SUPERVISOR}


def test_an_objection_whose_supervisor_has_no_superior_goes_to_hr():
    """RAHMA's supervisor KEPALA is at the top of the chain: HR decides her objection in the
    superior's place (never stuck), while for RUDI, whose chain is complete, HR does not."""
    assert relations(person(KEPALA), RAHMA, ABOVE[RAHMA]) == {Relation.SUPERVISOR}
    deciders = [
        name for name, c in CALLERS.items() if may(c, RAHMA, ABOVE[RAHMA], Action.DECIDE_OBJECTION)
    ]
    assert deciders == ["hr"]
    assert not may(CALLERS["hr"], RUDI, ABOVE[RUDI], Action.DECIDE_OBJECTION)
    # with no supervisor at all there is no appraisal to object to, and nothing to stand in for
    assert relations(CALLERS["hr"], KEPALA, ()) == {Relation.HR}
