"""The appraisal service's MongoDB collections and queries."""

from __future__ import annotations

from dataclasses import asdict
from datetime import date
from decimal import Decimal

from pymongo.database import Database

from kinerja import directory_replica
from kinerja.mongo import Tx, db_and_session
from services.appraisal.domain import FinalScore, Rating


def ensure_indexes(db: Database) -> None:
    directory_replica.ensure_indexes(db)
    db["ratings"].create_index([("round_id", 1), ("ratee_id", 1)])
    db["skp_scores"].create_index([("cycle", 1)])
    db["rounds"].create_index([("cycle", 1)])


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


def record_skp_score(tx: Tx, nip: str, cycle: str, skp_score: Decimal, complete: bool) -> None:
    tx.db["skp_scores"].replace_one(
        {"_id": f"{nip}:{cycle}"},
        {"nip": nip, "cycle": cycle, "skp_score": skp_score, "complete": complete},
        upsert=True,
        session=tx.session,
    )


def skp_score(db: Database, nip: str, cycle: str) -> dict | None:
    return db["skp_scores"].find_one({"_id": f"{nip}:{cycle}"})


def record_round(tx: Tx, round_id: str, cycle: str, framework_id: str, status: str) -> None:
    tx.db["rounds"].replace_one(
        {"_id": round_id},
        {"cycle": cycle, "framework_id": framework_id, "status": status},
        upsert=True,
        session=tx.session,
    )


def cycle_ratings(db: Database, cycle: str, framework_id: str = "pp46") -> list[Rating]:
    """Every rating of the cycle's rounds of one framework (the model needs them all)."""
    rounds = [r["_id"] for r in db["rounds"].find({"cycle": cycle, "framework_id": framework_id})]
    return [_to_rating(d) for d in db["ratings"].find({"round_id": {"$in": rounds}})]


def _final_doc(score: FinalScore) -> dict:
    doc = asdict(score)
    doc["finalized_on"] = score.finalized_on.isoformat()
    return {"_id": f"{score.nip}:{score.cycle}", **doc}


def save_final(tx: Tx, score: FinalScore) -> None:
    tx.db["final_scores"].replace_one(
        {"_id": f"{score.nip}:{score.cycle}"}, _final_doc(score), upsert=True, session=tx.session
    )


def find_final(db_or_tx, nip: str, cycle: str) -> FinalScore | None:
    db, session = db_and_session(db_or_tx)
    doc = db["final_scores"].find_one({"_id": f"{nip}:{cycle}"}, session=session)
    if doc is None:
        return None
    doc.pop("_id")
    doc["finalized_on"] = date.fromisoformat(doc["finalized_on"])
    return FinalScore(**doc)
