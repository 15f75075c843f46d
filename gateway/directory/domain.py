"""Rules of the org directory, pure: no Flask, pymongo or kombu."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import asdict, dataclass, replace

from kinerja.errors import Conflict, ValidationFailed
from kinerja.nip import nip_problems

# Golongan (pay grade) I/a .. IV/e, as written on decrees.
GOLONGAN = tuple(
    f"{rank}/{step}"
    for rank, steps in (("I", "abcd"), ("II", "abcd"), ("III", "abcd"), ("IV", "abcde"))
    for step in steps
)
# Eselon of structural positions, I.a (highest) .. V.a.
ECHELONS = ("I.a", "I.b", "II.a", "II.b", "III.a", "III.b", "IV.a", "IV.b", "V.a")
POSITION_KINDS = ("structural", "functional")
EDUCATION = ("SD", "SMP", "SMA", "D-1", "D-2", "D-3", "D-4", "S-1", "S-2", "S-3")
UNIT_ID = re.compile(r"^[a-z0-9][a-z0-9-]{0,63}$")


@dataclass(frozen=True)
class Unit:
    """An organisational unit (unit kerja); units form a tree through parent_id."""

    id: str
    name: str
    parent_id: str | None = None


@dataclass(frozen=True)
class Employee:
    """A civil servant in the directory; supervisor_nip is the direct superior."""

    nip: str
    name: str
    position: str
    unit_id: str
    golongan: str
    position_kind: str
    education: str
    echelon: str | None = None
    supervisor_nip: str | None = None
    email: str | None = None
    active: bool = True
    version: int = 0

    def as_dict(self) -> dict:
        return asdict(self)


Lookup = Callable[[str], object | None]


def supervisor_cycle(nip: str, supervisor_nip: str | None, supervisor_of: Lookup) -> list[str]:
    """The loop that making supervisor_nip the superior of nip would close; empty if none."""
    chain = [nip]
    current = supervisor_nip
    while current is not None:
        chain.append(current)
        if current == nip:
            return chain
        if len(chain) > 10_000:  # a broken directory; refuse rather than spin
            return chain
        current = supervisor_of(current)
    return []


def unit_cycle(unit_id: str, parent_id: str | None, parent_of: Lookup) -> list[str]:
    """The loop that making parent_id the parent of unit_id would close; empty if none."""
    return supervisor_cycle(unit_id, parent_id, parent_of)


def check_employee(
    employee: Employee,
    unit_exists: Callable[[str], bool],
    find_employee: Callable[[str], Employee | None],
) -> None:
    """Rules that need the rest of the directory; raises with the fields at fault."""
    fields: dict[str, list[str]] = {}
    problems = nip_problems(employee.nip)
    if problems:
        fields["nip"] = problems
    if not unit_exists(employee.unit_id):
        fields["unit_id"] = [f"no unit {employee.unit_id!r}"]
    if employee.position_kind == "structural" and not employee.echelon:
        fields["echelon"] = ["a structural position has an echelon"]
    if employee.supervisor_nip:
        fields.update(_supervisor_problems(employee, find_employee))
    if fields:
        raise ValidationFailed("the employee record breaks the directory's rules", fields)


def _supervisor_problems(employee: Employee, find_employee) -> dict[str, list[str]]:
    supervisor = find_employee(employee.supervisor_nip)
    if supervisor is None:
        return {"supervisor_nip": [f"no employee with NIP {employee.supervisor_nip}"]}
    if not supervisor.active and employee.active:
        return {"supervisor_nip": ["the supervisor is no longer active"]}

    def supervisor_of(nip: str) -> str | None:
        found = find_employee(nip)
        return found.supervisor_nip if found else None

    loop = supervisor_cycle(employee.nip, employee.supervisor_nip, supervisor_of)
    if loop:
        return {"supervisor_nip": ["supervisor cycle: " + " -> ".join(loop)]}
    return {}


def check_unit(unit: Unit, find_unit: Callable[[str], Unit | None]) -> None:
    fields: dict[str, list[str]] = {}
    if not UNIT_ID.match(unit.id):
        fields["id"] = ["lowercase letters, digits and '-', at most 64"]
    if unit.parent_id is not None:
        if find_unit(unit.parent_id) is None:
            fields["parent_id"] = [f"no unit {unit.parent_id!r}"]
        else:
            loop = unit_cycle(
                unit.id, unit.parent_id, lambda u: getattr(find_unit(u), "parent_id", None)
            )
            if loop:
                fields["parent_id"] = ["unit cycle: " + " -> ".join(loop)]
    if fields:
        raise ValidationFailed("the unit breaks the directory's rules", fields)


def revise(current: Employee, changes: dict) -> Employee:
    """The next version of an employee record; the NIP never changes."""
    if "nip" in changes and changes["nip"] != current.nip:
        raise ValidationFailed("a NIP cannot change", {"nip": ["create a new record instead"]})
    return replace(current, **{**changes, "nip": current.nip, "version": current.version + 1})


def deactivate(current: Employee, active_reports: list[str]) -> Employee:
    """An employee leaves the directory's active set once nobody reports to them."""
    if active_reports:
        raise Conflict(
            "reassign this employee's reports first",
            fields={"reports": active_reports},
            code="has_reports",
        )
    return replace(current, active=False, version=current.version + 1)
