"""Planning a CSV import of the directory: every row checked against the whole
directory as it would be after the import, before anything is written."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field, replace

from marshmallow import ValidationError

from gateway.directory import domain
from gateway.directory.domain import Employee, Unit
from gateway.directory.schemas import EmployeeIn, UnitIn
from kinerja.errors import ValidationFailed

EMPLOYEE_COLUMNS = set(EmployeeIn().fields)
UNIT_COLUMNS = set(UnitIn().fields)


@dataclass(frozen=True)
class RejectedRow:
    row: int  # 1-based line in the file, the header being line 1
    key: str
    fields: dict


@dataclass
class ImportPlan:
    kind: str
    rows: int = 0
    creates: list = field(default_factory=list)
    updates: list = field(default_factory=list)  # (before, after) pairs
    unchanged: int = 0
    rejected: list[RejectedRow] = field(default_factory=list)

    @property
    def changes(self) -> int:
        return len(self.creates) + len(self.updates)


def read_csv(text: str) -> tuple[str, list[dict]]:
    """The import's kind (employees or units) from its header, and its rows."""
    sample = text[:4096]
    try:
        dialect = csv.Sniffer().sniff(sample, delimiters=",;\t") if sample.strip() else csv.excel
    except csv.Error:  # one column, or no delimiter to find: the header check below answers
        dialect = csv.excel
    reader = csv.DictReader(io.StringIO(text), dialect=dialect)
    try:
        header = {(name or "").strip() for name in reader.fieldnames or []}
    except csv.Error as exc:
        raise ValidationFailed("the file is not readable CSV", {"file": [str(exc)]}) from exc
    if "nip" in header:
        kind, known, required = "employees", EMPLOYEE_COLUMNS, {"nip", "name", "unit_id"}
    elif {"id", "name"} <= header:
        kind, known, required = "units", UNIT_COLUMNS, {"id", "name"}
    else:
        raise ValidationFailed(
            "the header names neither employees (nip, name, ...) nor units (id, name, parent_id)",
            {"file": [f"columns found: {sorted(header)}"]},
        )
    unknown, missing = header - known, required - header
    if unknown or missing:
        problems = [f"unknown columns: {sorted(unknown)}"] if unknown else []
        problems += [f"missing columns: {sorted(missing)}"] if missing else []
        raise ValidationFailed("the header does not match the import format", {"file": problems})
    try:
        rows = [
            {
                k.strip(): (v.strip() or None) if isinstance(v, str) else v
                for k, v in row.items()
                if k
            }
            for row in reader
        ]
    except csv.Error as exc:  # e.g. a field over the csv module's size limit
        raise ValidationFailed("the file is not readable CSV", {"file": [str(exc)]}) from exc
    return kind, rows


def plan_employees(rows: list[dict], existing: dict[str, Employee], units: set[str]) -> ImportPlan:
    plan = ImportPlan(kind="employees", rows=len(rows))
    proposed: dict[str, tuple[int, Employee]] = {}
    for line, row in enumerate(rows, start=2):
        key = row.get("nip") or ""
        try:
            loaded = EmployeeIn().load({k: v for k, v in row.items() if v is not None})
        except ValidationError as exc:
            plan.rejected.append(RejectedRow(line, key, exc.messages))
            continue
        if loaded["nip"] in proposed:
            first = proposed[loaded["nip"]][0]
            plan.rejected.append(RejectedRow(line, key, {"nip": [f"repeats line {first}"]}))
            continue
        proposed[loaded["nip"]] = (line, Employee(**loaded))
    _drop_rows_the_directory_refuses(plan, proposed, existing, units)
    for _line, employee in proposed.values():
        before = existing.get(employee.nip)
        if before is None:
            plan.creates.append(replace(employee, version=1))
        elif replace(employee, version=before.version) != before:
            plan.updates.append((before, replace(employee, version=before.version + 1)))
        else:
            plan.unchanged += 1
    return plan


def _drop_rows_the_directory_refuses(plan, proposed, existing, units) -> None:
    """Check rows against the directory as it would be; a refused row can make another
    row invalid (its supervisor), so repeat until nothing more is refused."""
    while True:
        merged = {**existing, **{nip: emp for nip, (_, emp) in proposed.items()}}
        supervising = {e.supervisor_nip for e in merged.values() if e.active}
        refused = {}
        for nip, (line, employee) in proposed.items():
            try:
                domain.check_employee(employee, units.__contains__, merged.get)
            except ValidationFailed as exc:
                refused[nip] = RejectedRow(line, nip, exc.fields)
                continue
            if not employee.active and nip in supervising:
                refused[nip] = RejectedRow(line, nip, {"active": ["others still report to them"]})
        if not refused:
            return
        for nip, rejection in refused.items():
            del proposed[nip]
            plan.rejected.append(rejection)
        plan.rejected.sort(key=lambda r: r.row)


def plan_units(rows: list[dict], existing: dict[str, Unit]) -> ImportPlan:
    plan = ImportPlan(kind="units", rows=len(rows))
    proposed: dict[str, tuple[int, Unit]] = {}
    for line, row in enumerate(rows, start=2):
        try:
            loaded = UnitIn().load({k: v for k, v in row.items() if v is not None})
        except ValidationError as exc:
            plan.rejected.append(RejectedRow(line, row.get("id") or "", exc.messages))
            continue
        if loaded["id"] in proposed:
            plan.rejected.append(
                RejectedRow(line, loaded["id"], {"id": ["repeats an earlier line"]})
            )
            continue
        proposed[loaded["id"]] = (line, Unit(**loaded))
    merged = {**existing, **{uid: unit for uid, (_, unit) in proposed.items()}}
    for line, unit in proposed.values():
        try:
            domain.check_unit(unit, merged.get)
        except ValidationFailed as exc:
            plan.rejected.append(RejectedRow(line, unit.id, exc.fields))
            continue
        before = existing.get(unit.id)
        if before is None:
            plan.creates.append(unit)
        elif before != unit:
            plan.updates.append((before, unit))
        else:
            plan.unchanged += 1
    plan.rejected.sort(key=lambda r: r.row)
    return plan


def report(plan: ImportPlan) -> dict:
    """The row-by-row outcome, before anything is applied."""
    return {
        "kind": plan.kind,
        "rows": plan.rows,
        "created": len(plan.creates),
        "updated": len(plan.updates),
        "unchanged": plan.unchanged,
        "rejected": [{"row": r.row, "key": r.key, "fields": r.fields} for r in plan.rejected],
        "applied": False,
    }
