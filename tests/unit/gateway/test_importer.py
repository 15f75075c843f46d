import pytest

from gateway.directory.domain import Employee, Unit
from gateway.directory.importer import plan_employees, plan_units, read_csv
from kinerja.errors import ValidationFailed

HEADER = "nip,name,position,unit_id,golongan,position_kind,education,echelon,supervisor_nip"
BOSS = "196505051990031001"
A = "198001012005012002"
B = "198102022006011003"
C = "198203032007012004"


def rows(*lines: str) -> list[dict]:
    return read_csv("\n".join([HEADER, *lines]))[1]


def test_the_header_decides_the_kind_and_unknown_columns_are_refused():
    assert read_csv("id,name,parent_id\nroot,Bappeda,\n")[0] == "units"
    assert read_csv(f"{HEADER}\n")[0] == "employees"
    with pytest.raises(ValidationFailed) as refused:
        read_csv(f"{HEADER},shoe_size\n")
    assert "shoe_size" in refused.value.fields["file"][0]


def test_semicolons_work_as_well_as_commas():
    kind, parsed = read_csv("id;name;parent_id\nroot;Bappeda;\n")
    assert (kind, parsed[0]["id"], parsed[0]["parent_id"]) == ("units", "root", None)


def test_each_bad_row_is_reported_with_its_line_and_fields():
    plan = plan_employees(
        rows(
            f"{BOSS},Kepala,Kasubag,umpeg,III/d,structural,S-2,IV.a,",
            f"12345,Short,Staf,umpeg,II/c,functional,SMA,,{BOSS}",
            f"{A},Dewi,Staf,nowhere,II/c,functional,SMA,,{BOSS}",
            f"{B},Agus,Staf,umpeg,Z/z,functional,SMA,,{BOSS}",
            f"{BOSS},Again,Staf,umpeg,II/c,functional,SMA,,",
        ),
        existing={},
        units={"umpeg"},
    )
    assert [(r.row, set(r.fields)) for r in plan.rejected] == [
        (3, {"nip"}),
        (4, {"unit_id"}),
        (5, {"golongan"}),
        (6, {"nip"}),
    ]
    assert [e.nip for e in plan.creates] == [BOSS]


def test_a_row_whose_supervisor_was_refused_is_refused_too():
    plan = plan_employees(
        rows(
            f"{A},Dewi,Staf,nowhere,II/c,functional,SMA,,",
            f"{B},Agus,Staf,umpeg,II/c,functional,SMA,,{A}",
        ),
        existing={},
        units={"umpeg"},
    )
    assert [r.row for r in plan.rejected] == [2, 3]
    assert plan.creates == []


def test_supervisors_may_come_later_in_the_file_and_cycles_are_caught():
    plan = plan_employees(
        rows(
            f"{A},Dewi,Staf,umpeg,II/c,functional,SMA,,{BOSS}",
            f"{BOSS},Kepala,Kasubag,umpeg,III/d,structural,S-2,IV.a,",
            f"{B},Agus,Staf,umpeg,II/c,functional,SMA,,{C}",
            f"{C},Citra,Staf,umpeg,II/c,functional,SMA,,{B}",
        ),
        existing={},
        units={"umpeg"},
    )
    assert {e.nip for e in plan.creates} == {A, BOSS}
    assert {r.row for r in plan.rejected} == {4, 5}


def test_existing_records_are_updated_or_left_unchanged():
    existing = {
        A: Employee(A, "Dewi", "Staf", "umpeg", "II/c", "functional", "SMA", version=3),
        B: Employee(B, "Agus", "Staf", "umpeg", "II/c", "functional", "SMA", version=1),
    }
    plan = plan_employees(
        rows(
            f"{A},Dewi,Staf,umpeg,II/c,functional,SMA,,",
            f"{B},Agus Salim,Staf,umpeg,II/c,functional,SMA,,",
        ),
        existing=existing,
        units={"umpeg"},
    )
    assert plan.unchanged == 1
    [(before, after)] = plan.updates
    assert (before.name, after.name, after.version) == ("Agus", "Agus Salim", 2)


def test_a_unit_import_checks_the_tree():
    plan = plan_units(
        read_csv("id,name,parent_id\nsek,Sekretariat,root\nroot,Bappeda,\nx,X,missing\n")[1],
        existing={"old": Unit("old", "Old")},
    )
    assert [u.id for u in plan.creates] == ["sek", "root"]
    assert [(r.row, list(r.fields)) for r in plan.rejected] == [(4, ["parent_id"])]
