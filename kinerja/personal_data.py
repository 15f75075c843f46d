"""Personal data rights (UU 27/2022, Pelindungan Data Pribadi), the part every service
does the same way: the contract of its subject-access export and of its retention purge,
and the retention rule itself.

Each service answers `GET /api/v1/<service>/personal-data/<nip>` (the employee only,
access.Action.EXPORT_OWN_DATA) with what it holds about them and who else read their
records there (kinerja.reads); the gateway collects the parts into one download. Each
service that owns expirable data answers `POST /api/v1/<service>/retention/purge` (HR):
the data of cycles that ended before the cut-off, counted (dry run) or deleted. A purge
deletes quietly, with no event: it is not a withdrawal, and what other services derived
from the data (realizations, scores, aggregates) stays.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, date, datetime
from decimal import Decimal

from marshmallow import Schema, fields
from pymongo.database import Database

from kinerja import reads


class PersonalDataOut(Schema):
    """One service's part of the export: its records of the employee, as stored."""

    service = fields.String(required=True)
    nip = fields.String(required=True)
    generated_at = fields.String(required=True)
    records = fields.Dict(keys=fields.String(), values=fields.Raw(), required=True)
    record_reads = fields.List(
        fields.Dict(),
        required=True,
        metadata={"description": "reads of the employee's records by others, one per day"},
    )


class PurgeIn(Schema):
    """What to purge: the data of cycles that ended before `cut_off`."""

    cut_off = fields.Date(required=True)
    dry_run = fields.Boolean(load_default=True)


class PurgeOut(Schema):
    service = fields.String(required=True)
    cut_off = fields.Date(required=True)
    dry_run = fields.Boolean(required=True)
    counts = fields.Dict(keys=fields.String(), values=fields.Integer(), required=True)
    cycles = fields.List(fields.String(), required=True, metadata={"description": "affected"})
    kept = fields.String(required=True, metadata={"description": "what stays, in words"})


def cycle_ended_before(cycle: str, cut_off: date) -> bool:
    """The one retention rule: a cycle (a calendar year, "2026") is past retention when
    its last day lies before the cut-off. A cycle that is not a year never is."""
    if not cycle.isdigit() or len(cycle) != 4:
        return False
    return date(int(cycle), 12, 31) < cut_off


def first_kept_day(cut_off: date) -> date:
    """The first day whose cycle is still within retention: entries dated before it go
    (the cut-off's own year has not ended before it; the year before always has)."""
    return date(cut_off.year, 1, 1)


def jsonable(value: object) -> object:
    """A stored document as JSON carries it: exact decimals as strings, dates as ISO."""
    if isinstance(value, Mapping):
        return {str(k): jsonable(v) for k, v in value.items() if k != "_rev"}
    if isinstance(value, list | tuple | set | frozenset):
        return [jsonable(v) for v in value]
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, datetime | date):
        return value.isoformat()
    if hasattr(value, "__dataclass_fields__"):
        return jsonable(vars(value))
    return value


def export(db: Database, service: str, nip: str, records: Mapping[str, object]) -> dict:
    """A service's part: `records` by kind, and the reads of the employee's records."""
    return {
        "service": service,
        "nip": nip,
        "generated_at": datetime.now(UTC).isoformat(),
        "records": jsonable(records),
        "record_reads": reads.of_subject(db, nip),
    }


def report(service: str, cut_off: date, dry_run: bool, counts: Mapping[str, int], cycles, kept):
    """What a purge answers: counts per kind of record, the cycles touched, what stays."""
    return {
        "service": service,
        "cut_off": cut_off,
        "dry_run": dry_run,
        "counts": dict(counts),
        "cycles": sorted(set(cycles)),
        "kept": kept,
    }
