"""The gateway's retention setting: one document in `settings`."""

from __future__ import annotations

from dataclasses import asdict

from pymongo.database import Database

from gateway.privacy.domain import RetentionPeriod
from kinerja.mongo import Tx, db_and_session

RETENTION_ID = "retention"


def retention(db_or_tx: Database | Tx) -> RetentionPeriod | None:
    """The period in force; None until HR sets one (nothing is purged before)."""
    db, session = db_and_session(db_or_tx)
    doc = db["settings"].find_one({"_id": RETENTION_ID}, {"_id": 0}, session=session)
    return RetentionPeriod(**doc) if doc else None


def save_retention(tx: Tx, period: RetentionPeriod) -> None:
    """Replace whole; the caller checks and audits it (commands.set_retention)."""
    tx.db["settings"].replace_one(
        {"_id": RETENTION_ID}, asdict(period), upsert=True, session=tx.session
    )
