"""The feedback service's MongoDB collections: `frameworks` (every version, never changed
once written), `rounds`, `responses` (one per assignment with its answer, guarded by a
change stamp `_rev`) and `anonymity_schemes` (the appraisal service's, for their floors)."""

from __future__ import annotations

from dataclasses import asdict
from datetime import UTC, datetime, time

from pymongo import ASCENDING, DESCENDING
from pymongo.database import Database
from pymongo.errors import BulkWriteError, DuplicateKeyError

from kinerja import audit, directory_replica
from kinerja.errors import Conflict
from kinerja.logs import get_logger
from kinerja.mongo import Tx, db_and_session
from services.feedback.domain import (
    ACTIVE,
    DECLINED,
    DRAFT,
    NOMINATED,
    SHIPPED,
    SUBMITTED,
    Dimension,
    Framework,
    Response,
    Round,
)

log = get_logger(__name__)


def ensure_indexes(db: Database) -> None:
    """Idempotent; seeds the shipped frameworks, never touching a version already there."""
    directory_replica.ensure_indexes(db)
    audit.ensure_indexes(db)
    db["responses"].create_index([("round_id", ASCENDING), ("rater", ASCENDING)])
    db["responses"].create_index([("round_id", ASCENDING), ("ratee", ASCENDING)])
    retire_duplicate_assignments(db)
    db["responses"].create_index(ONE_PER_PAIR, unique=True, name="one_assignment_per_pair")
    db["frameworks"].create_index([("framework_id", ASCENDING), ("version", DESCENDING)])
    for framework in SHIPPED:  # the regulation's frameworks are there from the first start
        db["frameworks"].update_one(
            {"_id": f"{framework.id}:{framework.version}"},
            {"$setOnInsert": _framework_doc(framework)},
            upsert=True,
        )


def _framework_doc(framework: Framework) -> dict:
    doc = asdict(framework)
    doc["framework_id"] = doc.pop("id")
    return doc


def _framework(doc: dict) -> Framework:
    return Framework(
        id=doc["framework_id"],
        version=doc["version"],
        name=doc["name"],
        scale_min=doc["scale_min"],
        scale_max=doc["scale_max"],
        dimensions=tuple(Dimension(**d) for d in doc["dimensions"]),
    )


def latest_framework(db_or_tx, framework_id: str) -> Framework | None:
    """What a new round uses and a new version counts up from; None for an unknown id."""
    db, session = db_and_session(db_or_tx)
    doc = db["frameworks"].find_one(
        {"framework_id": framework_id}, sort=[("version", DESCENDING)], session=session
    )
    return _framework(doc) if doc else None


def framework_version(db_or_tx: Database | Tx, framework_id: str, version: int) -> Framework | None:
    """A round reads the version it was opened with, so a later edit never changes its
    dimensions; None when there is no such version."""
    db, session = db_and_session(db_or_tx)
    doc = db["frameworks"].find_one({"_id": f"{framework_id}:{version}"}, session=session)
    return _framework(doc) if doc else None


def frameworks(db: Database) -> list[Framework]:
    """Each framework at its latest version, ordered by id."""
    latest: dict[str, Framework] = {}
    for doc in db["frameworks"].find().sort([("framework_id", ASCENDING), ("version", ASCENDING)]):
        latest[doc["framework_id"]] = _framework(doc)
    return list(latest.values())


def insert_framework(tx: Tx, framework: Framework) -> None:
    """Insert, never replace: a concurrent save of the same version fails, never overwrites."""
    doc = {"_id": f"{framework.id}:{framework.version}", **_framework_doc(framework)}
    tx.db["frameworks"].insert_one(doc, session=tx.session)


def _round_doc(round_: Round) -> dict:
    return {
        **asdict(round_),
        "_id": round_.id,
        "deadline": datetime.combine(round_.deadline, time()),
    }


def _round(doc: dict) -> Round:
    doc = dict(doc)
    doc.pop("_id")
    doc["deadline"] = doc["deadline"].date()
    return Round(**doc)


def insert_round(tx: Tx, round_: Round) -> None:
    """A new round; the caller refuses a used id first (commands.open_round)."""
    tx.db["rounds"].insert_one(_round_doc(round_), session=tx.session)


def save_round(tx: Tx, round_: Round) -> None:
    """Unguarded: its one change, closing, is decided on what the transaction read."""
    tx.db["rounds"].replace_one({"_id": round_.id}, _round_doc(round_), session=tx.session)


def find_round(db_or_tx, round_id: str) -> Round | None:
    """None for an unknown round."""
    db, session = db_and_session(db_or_tx)
    doc = db["rounds"].find_one({"_id": round_id}, session=session)
    return _round(doc) if doc else None


def rounds(db: Database) -> list[Round]:
    """Every round, the latest deadline first."""
    return [_round(doc) for doc in db["rounds"].find().sort("deadline", DESCENDING)]


# One record per rater, ratee and round, whatever its state: the appraisal service keeps
# one rating per pair too, and a pair asked again reuses its record (commands._assign).
ONE_PER_PAIR = [("round_id", ASCENDING), ("rater", ASCENDING), ("ratee", ASCENDING)]
RETIRED = "retired_responses"  # the copies retire_duplicate_assignments took out
_LIVE = (ACTIVE, NOMINATED)
_ANSWERED = (SUBMITTED, DECLINED, DRAFT)  # most answered first, pending after


class PairTaken(Exception):
    """The round holds a record for this rater and ratee already (the unique key said so)."""


def retire_duplicate_assignments(db: Database) -> int:
    """Before the unique key can be built: of each pair's copies (stored before the key
    existed), keep one and move the others to `retired_responses`; the number moved.

    Kept: a live copy over a removed or refused one, then the most answered, then the
    highest revision. The kept copy takes the highest revision of all, so its next answer
    supersedes whatever copy's rating the appraisal service holds for the pair. Safe to
    run again and from two processes at once (a copy is moved by replace and delete).
    """
    groups = db["responses"].aggregate(
        [
            {"$group": {"_id": {k: f"${k}" for k, _ in ONE_PER_PAIR}, "ids": {"$push": "$_id"}}},
            {"$match": {"ids.1": {"$exists": True}}},
        ]
    )
    moved = 0
    for group in groups:
        copies = list(db["responses"].find({"_id": {"$in": group["ids"]}}))
        copies.sort(key=_keep_first)
        kept, extra = copies[0], copies[1:]
        for doc in extra:
            retired = {**doc, "retired_for": kept["_id"], "retired_at": datetime.now(UTC)}
            db[RETIRED].replace_one({"_id": doc["_id"]}, retired, upsert=True)
            db["responses"].delete_one({"_id": doc["_id"]})
            moved += 1
        top = max(doc.get("revision", 0) for doc in copies)
        db["responses"].update_one(
            {"_id": kept["_id"]}, {"$max": {"revision": top}, "$inc": {"_rev": 1}}
        )
    if moved:
        log.warning("feedback.duplicate_assignments_retired", copies=moved, kept_in=RETIRED)
    return moved


def _keep_first(doc: dict) -> tuple:
    status = doc.get("status")
    answered = _ANSWERED.index(status) if status in _ANSWERED else len(_ANSWERED)
    return (doc.get("state") not in _LIVE, answered, -doc.get("revision", 0), doc["_id"])


def _response_doc(response: Response) -> dict:
    return {**asdict(response), "_id": response.id}


def _response(doc: dict) -> Response:
    doc = dict(doc)
    doc.pop("_id")
    return Response(**doc)


def insert_responses(tx: Tx, responses: list[Response]) -> None:
    """New assignments, each with its change stamp at 0; an empty list writes nothing.
    PairTaken when the round holds one of the pairs already, also one a concurrent
    transaction just wrote (the unique key decides, not a read)."""
    if responses:
        docs = [{**_response_doc(r), "_rev": 0} for r in responses]
        try:
            tx.db["responses"].insert_many(docs, session=tx.session)
        except (DuplicateKeyError, BulkWriteError) as exc:
            if isinstance(exc, BulkWriteError) and not _duplicate_only(exc):
                raise
            raise PairTaken(str(exc)) from exc


def _duplicate_only(exc: BulkWriteError) -> bool:
    return all(error.get("code") == 11000 for error in exc.details.get("writeErrors", []))


def find_pair(tx: Tx, round_id: str, rater: str, ratee: str) -> tuple[Response, int] | None:
    """The pair's record in the round, live or not, with its change stamp; None if never
    assigned."""
    doc = tx.db["responses"].find_one(
        {"round_id": round_id, "rater": rater, "ratee": ratee}, session=tx.session
    )
    if doc is None:
        return None
    stamp = doc.pop("_rev", 0)
    return _response(doc), stamp


def save_response(tx: Tx, response: Response, read_stamp: int) -> None:
    """Replace exactly the state it was read in; a concurrent change gets a 409.

    The stamp `_rev` counts every change; `revision` counts only what the
    appraisal service sees (submissions, revisions, withdrawals).
    """
    result = tx.db["responses"].replace_one(
        {"_id": response.id, "_rev": read_stamp},
        {**_response_doc(response), "_rev": read_stamp + 1},
        session=tx.session,
    )
    if result.matched_count != 1:
        raise Conflict("the response changed meanwhile; reload and try again")


def find_response(db_or_tx, response_id: str) -> tuple[Response, int] | None:
    """With the change stamp to pass back to save_response; None for an unknown id."""
    db, session = db_and_session(db_or_tx)
    doc = db["responses"].find_one({"_id": response_id}, session=session)
    if doc is None:
        return None
    stamp = doc.pop("_rev", 0)
    return _response(doc), stamp


def responses(db_or_tx: Database | Tx, round_id: str, **where) -> list[Response]:
    """Narrowed by equality on stored fields (`state="active"`, `rater=nip`), ordered by
    ratee, group and rater so every listing reads the same."""
    db, session = db_and_session(db_or_tx)
    docs = (
        db["responses"]
        .find({"round_id": round_id, **where}, {"_rev": 0}, session=session)
        .sort([("ratee", ASCENDING), ("group", ASCENDING), ("rater", ASCENDING)])
    )
    return [_response(doc) for doc in docs]


# -- HR's anonymity floors, from the appraisal service's schemes (appraisal.scheme.changed) --

SCHEMES = "anonymity_schemes"


def keep_scheme(tx: Tx, scheme: dict, changed_at: datetime) -> None:
    """The newest change of each scheme wins, whatever order the events arrive in; a
    redelivery changes nothing, and a retirement is kept as retired."""
    held = tx.db[SCHEMES].find_one({"_id": scheme["id"]}, {"changed_at": 1}, session=tx.session)
    if held and held["changed_at"] >= changed_at:
        return
    tx.db[SCHEMES].replace_one(
        {"_id": scheme["id"]},
        {**scheme, "changed_at": changed_at},
        upsert=True,
        session=tx.session,
    )


def live_schemes(db: Database) -> list[dict]:
    """Those not retired; [] until the appraisal service announces one (default floors)."""
    return list(db[SCHEMES].find({"retired": False}))


# --- retention (kinerja.personal_data): closed rounds' raw responses, deleted without events --

RESULTS_KEPT = "retained_results"  # a purged round's aggregates, one per ratee


def responses_per_round(db_or_tx: Database | Tx, round_ids: list[str]) -> dict[str, int]:
    """How many responses (assignments with their answers) each round holds."""
    db, session = db_and_session(db_or_tx)
    rows = db["responses"].aggregate(
        [
            {"$match": {"round_id": {"$in": round_ids}}},
            {"$group": {"_id": "$round_id", "responses": {"$sum": 1}}},
        ],
        session=session,
    )
    return {row["_id"]: row["responses"] for row in rows}


def keep_results(tx: Tx, round_id: str, ratee: str, results: dict) -> None:
    """The ratee's aggregates of a round about to be purged, as its results showed them."""
    tx.db[RESULTS_KEPT].replace_one(
        {"_id": f"{round_id}:{ratee}"},
        {**results, "round_id": round_id},
        upsert=True,
        session=tx.session,
    )


def kept_results(db: Database, round_id: str, ratee: str) -> dict | None:
    """A purged round's aggregates of the ratee; None when the round was not purged."""
    return db[RESULTS_KEPT].find_one({"_id": f"{round_id}:{ratee}"}, {"_id": 0, "round_id": 0})


def purge_responses(tx: Tx, round_ids: list[str]) -> int:
    """Delete every response of these rounds; how many went."""
    result = tx.db["responses"].delete_many({"round_id": {"$in": round_ids}}, session=tx.session)
    return result.deleted_count
