"""The feedback service's MongoDB collections and queries."""

from __future__ import annotations

from dataclasses import asdict

from pymongo.database import Database

from kinerja import directory_replica
from kinerja.mongo import Tx, save_versioned
from services.feedback.domain import Response


def ensure_indexes(db: Database) -> None:
    directory_replica.ensure_indexes(db)
    db["responses"].create_index([("round_id", 1), ("ratee_id", 1)])
    db["responses"].create_index([("round_id", 1), ("rater_id", 1)])


def find_response(tx: Tx, response_id: str) -> Response | None:
    doc = tx.db["responses"].find_one({"_id": response_id}, session=tx.session)
    return _to_response(doc) if doc else None


def save_response(tx: Tx, response: Response) -> None:
    save_versioned(tx, "responses", {"_id": response.id, **asdict(response)}, "revision")


def get_response(db: Database, response_id: str) -> Response | None:
    doc = db["responses"].find_one({"_id": response_id})
    return _to_response(doc) if doc else None


def _to_response(doc: dict) -> Response:
    doc = dict(doc)
    doc.pop("_id")
    return Response(**doc)
