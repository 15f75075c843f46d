import pytest

from gateway.directory.domain import (
    Employee,
    Unit,
    check_employee,
    check_unit,
    deactivate,
    nip_problems,
    revise,
    supervisor_cycle,
)
from kinerja.errors import Conflict, ValidationFailed

BOSS = "196505051990031001"
STAFF = "198001012005012002"


def employee(nip=STAFF, **changes) -> Employee:
    base = dict(
        nip=nip,
        name="Dewi",
        position="Pengadministrasi Umum",
        unit_id="umpeg",
        golongan="II/c",
        position_kind="functional",
        education="SMA",
        supervisor_nip=BOSS,
        version=1,
    )
    return Employee(**{**base, **changes})


@pytest.mark.parametrize(
    ("nip", "problem"),
    [
        ("19800101200501200", "18 digits"),
        ("1980010120050120021", "18 digits"),
        ("19800101200501200x", "18 digits"),
        ("198013012005012002", "birth date"),
        ("198001012005132002", "appointment month"),
        ("198001011990012002", "15 years after birth"),
        ("198001012005013002", "sex code"),
    ],
)
def test_malformed_nips_say_what_is_wrong(nip, problem):
    assert any(problem in p for p in nip_problems(nip))


def test_a_well_formed_nip_has_no_problems():
    assert nip_problems(STAFF) == []


def test_a_supervisor_loop_is_found_and_spelled_out():
    supervisors = {"b": "c", "c": "a"}
    assert supervisor_cycle("a", "b", supervisors.get) == ["a", "b", "c", "a"]
    assert supervisor_cycle("a", "x", supervisors.get) == []
    assert supervisor_cycle("a", "a", supervisors.get) == ["a", "a"]


def test_employee_rules_name_the_fields_at_fault():
    boss = employee(BOSS, supervisor_nip=STAFF)
    directory = {BOSS: boss}
    with pytest.raises(ValidationFailed) as refused:
        check_employee(
            employee(unit_id="nowhere", position_kind="structural"), lambda u: False, directory.get
        )
    assert set(refused.value.fields) == {"unit_id", "echelon", "supervisor_nip"}
    assert "cycle" in refused.value.fields["supervisor_nip"][0]


def test_an_inactive_supervisor_cannot_take_reports():
    directory = {BOSS: employee(BOSS, supervisor_nip=None, active=False)}
    with pytest.raises(ValidationFailed) as refused:
        check_employee(employee(), lambda u: True, directory.get)
    assert "no longer active" in refused.value.fields["supervisor_nip"][0]


def test_units_form_a_tree():
    units = {"root": Unit("root", "Bappeda"), "sek": Unit("sek", "Sekretariat", "root")}
    check_unit(Unit("umpeg", "Umum", "sek"), units.get)
    with pytest.raises(ValidationFailed) as refused:
        check_unit(Unit("root", "Bappeda", "sek"), units.get)
    assert "cycle" in refused.value.fields["parent_id"][0]
    with pytest.raises(ValidationFailed):
        check_unit(Unit("Bad Id", "x"), units.get)


def test_revisions_count_up_and_keep_the_nip():
    assert revise(employee(), {"name": "Dewi L."}).version == 2
    with pytest.raises(ValidationFailed):
        revise(employee(), {"nip": BOSS})


def test_nobody_is_deactivated_while_people_report_to_them():
    with pytest.raises(Conflict) as refused:
        deactivate(employee(BOSS), [STAFF])
    assert refused.value.fields == {"reports": [STAFF]}
    assert deactivate(employee(), []).active is False
