"""The targets service's MongoDB collections: `skps` (one document per employee and cycle,
every version inside, saved whole on its `revision`) and `log_output` (each log entry's
output as last announced; the verified sum is an activity's realized quantity)."""

from __future__ import annotations

from dataclasses import asdict
from decimal import Decimal

from pymongo import ASCENDING
from pymongo.database import Database

from kinerja import audit, directory_replica
from kinerja.mongo import Tx, keep_newest, save_versioned
from services.targets.domain import (
    Achievement,
    ActivityTarget,
    PendingRealization,
    Realization,
    Skp,
    SkpVersion,
    skp_key,
)


def ensure_indexes(db: Database) -> None:
    """Idempotent; the directory copy's and the audit trail's too, which live here as well."""
    directory_replica.ensure_indexes(db)
    audit.ensure_indexes(db)
    db["skps"].create_index([("cycle", ASCENDING), ("nip", ASCENDING)])
    db["log_output"].create_index([("skp_key", ASCENDING), ("activity_id", ASCENDING)])


def _to_doc(skp: Skp) -> dict:
    doc = asdict(skp)
    doc["_id"] = skp.key
    doc["status"] = skp.status  # stored for listing by status
    return doc


def _from_doc(doc: dict) -> Skp:
    return Skp(
        nip=doc["nip"],
        cycle=doc["cycle"],
        versions=tuple(
            SkpVersion(**{**v, "activities": tuple(ActivityTarget(**a) for a in v["activities"])})
            for v in doc["versions"]
        ),
        realization={k: Realization(**v) for k, v in doc.get("realization", {}).items()},
        pending={k: PendingRealization(**v) for k, v in doc.get("pending", {}).items()},
        achievements=tuple(Achievement(**a) for a in doc.get("achievements", ())),
        revision=doc["revision"],
    )


def find_skp(tx: Tx, nip: str, cycle: str) -> Skp | None:
    """The SKP as the transaction's snapshot sees it, so the save that follows is checked
    against the revision read; None when the employee has none for the cycle."""
    doc = tx.db["skps"].find_one({"_id": skp_key(nip, cycle)}, session=tx.session)
    return _from_doc(doc) if doc else None


def get_skp(db: Database, nip: str, cycle: str) -> Skp | None:
    """find_skp for a read outside any transaction; None when there is no SKP."""
    doc = db["skps"].find_one({"_id": skp_key(nip, cycle)})
    return _from_doc(doc) if doc else None


def save_skp(tx: Tx, skp: Skp) -> None:
    """Revision 1 is inserted; revision N replaces exactly N - 1, so a save never overwrites
    a change it did not read (Conflict, 409). The caller counts it up."""
    save_versioned(tx, "skps", _to_doc(skp), "revision")


def skps_of(db: Database, nips: list[str], cycle: str) -> dict[str, Skp]:
    """The cycle's SKPs of these employees by NIP; one without an SKP is absent."""
    docs = db["skps"].find({"cycle": cycle, "nip": {"$in": nips}})
    return {doc["nip"]: _from_doc(doc) for doc in docs}


def record_log_output(
    tx: Tx,
    entry_id: str,
    key: str,
    activity_id: str,
    quantity: Decimal,
    verified: bool,
    revision: int,
    completes_output: bool = True,
) -> bool:
    """Keep the entry's newest revision, one record per entry, so a redelivered or late
    event counts once: False, nothing written, when what is held is as new or newer.
    Revision 0 (events from before entries carried one) always overwrites."""
    doc = {
        "skp_key": key,
        "activity_id": activity_id,
        "quantity": quantity,
        "verified": verified,
        "completes_output": completes_output,
    }
    return keep_newest(tx, "log_output", entry_id, doc, revision)


def logged_quantity(tx: Tx, key: str, activity_id: str) -> Decimal:
    """The verified output logged against an activity, summed; 0 when there is none."""
    docs = tx.db["log_output"].find(
        {"skp_key": key, "activity_id": activity_id, "verified": True},
        {"quantity": 1},
        session=tx.session,
    )
    return sum((doc["quantity"] for doc in docs), Decimal(0))


def has_logs(tx: Tx, key: str, activity_id: str) -> bool:
    """Whether daily logs completing output decide this activity's quantity: true once
    such an entry was verified, even if revoked since, so the quantity is not typed in."""
    # records from before entries said so lack the field; each of them was output
    query = {"skp_key": key, "activity_id": activity_id, "completes_output": {"$ne": False}}
    return tx.db["log_output"].count_documents(query, limit=1, session=tx.session) > 0
