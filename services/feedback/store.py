"""The feedback service's MongoDB collections and queries."""

from __future__ import annotations

from dataclasses import asdict

from pymongo.database import Database

from kinerja import directory_replica
from kinerja.errors import Conflict
from kinerja.mongo import Tx
from services.feedback.domain import Response


def ensure_indexes(db: Database) -> None:
    directory_replica.ensure_indexes(db)
    db["responses"].create_index([("round_id", 1), ("ratee_id", 1)])
    db["responses"].create_index([("round_id", 1), ("rater_id", 1)])


def find_response(tx: Tx, response_id: str) -> Response | None:
    doc = tx.db["responses"].find_one({"_id": response_id}, session=tx.session)
    return _to_response(doc) if doc else None


def save_response(tx: Tx, response: Response) -> None:
    """Insert the first revision or replace exactly the one it revises."""
    doc = {"_id": response.id, **asdict(response)}
    if response.revision == 1:
        tx.db["responses"].insert_one(doc, session=tx.session)
        return
    result = tx.db["responses"].replace_one(
        {"_id": response.id, "revision": response.revision - 1}, doc, session=tx.session
    )
    if result.matched_count != 1:
        raise Conflict("the response changed meanwhile; reload and try again")


def get_response(db: Database, response_id: str) -> Response | None:
    doc = db["responses"].find_one({"_id": response_id})
    return _to_response(doc) if doc else None


def _to_response(doc: dict) -> Response:
    doc = dict(doc)
    doc.pop("_id")
    return Response(**doc)
