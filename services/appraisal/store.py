"""The appraisal service's MongoDB collections and queries."""

from __future__ import annotations

from dataclasses import asdict

from pymongo.database import Database

from kinerja import directory_replica
from kinerja.mongo import Tx
from services.appraisal.domain import Rating


def ensure_indexes(db: Database) -> None:
    directory_replica.ensure_indexes(db)
    db["ratings"].create_index([("round_id", 1), ("ratee_id", 1)])


def _rating_id(rating: Rating) -> str:
    return f"{rating.round_id}:{rating.rater_id}:{rating.ratee_id}"


def find_rating(tx: Tx, round_id: str, rater_id: str, ratee_id: str) -> Rating | None:
    doc = tx.db["ratings"].find_one(
        {"_id": f"{round_id}:{rater_id}:{ratee_id}"}, session=tx.session
    )
    return _to_rating(doc) if doc else None


def put_rating(tx: Tx, rating: Rating) -> None:
    tx.db["ratings"].replace_one(
        {"_id": _rating_id(rating)}, asdict(rating), upsert=True, session=tx.session
    )


def delete_rating(tx: Tx, rating: Rating) -> None:
    tx.db["ratings"].delete_one({"_id": _rating_id(rating)}, session=tx.session)


def ratings_for(db: Database, round_id: str, ratee_id: str) -> list[Rating]:
    return [_to_rating(d) for d in db["ratings"].find({"round_id": round_id, "ratee_id": ratee_id})]


def _to_rating(doc: dict) -> Rating:
    doc = dict(doc)
    doc.pop("_id")
    return Rating(**doc)
