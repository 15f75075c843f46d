"""The appraisal service's MongoDB collections. Inputs from other services' events, newest
winning: `ratings`, `skp_scores`, `rounds`. Derived: `scores`, rewritten by the recompute
when `cycles` marks a cycle dirty. Decided: `behaviour_decisions`, `final_scores`, HR's
`schemes` (every version in `scheme_versions`)."""

from __future__ import annotations

import hashlib
import re
from dataclasses import asdict
from datetime import date
from decimal import Decimal

import bson
from pymongo import ReplaceOne
from pymongo.database import Database

from kinerja import directory_replica
from kinerja.mongo import Tx, db_and_session, keep_newest, save_versioned
from services.appraisal.decisions import BehaviourDecision, as_record, from_record
from services.appraisal.domain import FinalScore, Rating
from services.appraisal.provisional import ProvisionalScore, SkpInput
from services.appraisal.schemes import WeightingScheme


def ensure_indexes(db: Database) -> None:
    """Idempotent, run at every start; the directory copy's indexes too."""
    directory_replica.ensure_indexes(db)
    db["ratings"].create_index([("round_id", 1), ("ratee_id", 1)])
    db["skp_scores"].create_index([("cycle", 1)])
    db["rounds"].create_index([("cycle", 1)])
    db["scores"].create_index([("cycle", 1), ("unit_id", 1)])
    db["cycles"].create_index([("dirty", 1)])
    db["behaviour_decisions"].create_index([("cycle", 1)])


def _rating_id(rating: Rating) -> str:
    return f"{rating.round_id}:{rating.rater_id}:{rating.ratee_id}"


def find_rating(tx: Tx, round_id: str, rater_id: str, ratee_id: str) -> Rating | None:
    """To compare an incoming revision with; None when none is held (or it was withdrawn)."""
    doc = tx.db["ratings"].find_one(
        {"_id": f"{round_id}:{rater_id}:{ratee_id}"}, session=tx.session
    )
    return _to_rating(doc) if doc else None


def put_rating(tx: Tx, rating: Rating) -> None:
    """Upsert; whether it supersedes what is held is the caller's check (domain.supersedes)."""
    tx.db["ratings"].replace_one(
        {"_id": _rating_id(rating)}, asdict(rating), upsert=True, session=tx.session
    )


def withdraw_rating(tx: Tx, rating: Rating) -> None:
    """Forget a withdrawn answer, keeping the withdrawal's revision (in `withdrawals`) so
    that a submission older than it, arriving later, is known to be stale."""
    tx.db["ratings"].delete_one({"_id": _rating_id(rating)}, session=tx.session)
    keep_newest(tx, "withdrawals", _rating_id(rating), {}, rating.revision)


def withdrawn_revision(tx: Tx, rating: Rating) -> int:
    """The revision at which this rater's answer for this ratee was withdrawn; 0 if never."""
    doc = tx.db["withdrawals"].find_one({"_id": _rating_id(rating)}, session=tx.session)
    return doc["revision"] if doc else 0


def ratings_for(db: Database, round_id: str, ratee_id: str) -> list[Rating]:
    """Unfiltered by publishable(), raters named: for HR's eyes only."""
    return [_to_rating(d) for d in db["ratings"].find({"round_id": round_id, "ratee_id": ratee_id})]


def _to_rating(doc: dict) -> Rating:
    doc = dict(doc)
    doc.pop("_id")
    return Rating(**doc)


def record_skp_score(
    tx: Tx,
    nip: str,
    cycle: str,
    skp_score: Decimal | None,
    complete: bool,
    revision: int,
    prorated_to: str | None = None,
) -> bool:
    """Keep the SKP's newest score; False when what is held comes from a newer revision
    (or the same one, redelivered). Revision 0, from events before revisions, always
    overwrites. The caller marks the cycle dirty when it returns True."""
    doc = {
        "nip": nip,
        "cycle": cycle,
        "skp_score": skp_score,
        "complete": complete,
        "prorated_to": prorated_to,
    }
    return keep_newest(tx, "skp_scores", f"{nip}:{cycle}", doc, revision)


def skp_score(db: Database, nip: str, cycle: str) -> dict | None:
    """The SKP score as last received, raw; None before any."""
    return db["skp_scores"].find_one({"_id": f"{nip}:{cycle}"})


def find_round(tx: Tx, round_id: str) -> dict | None:
    """The round's cycle and status, once its "opened" event has arrived."""
    fields = {"cycle": 1, "status": 1}
    return tx.db["rounds"].find_one({"_id": round_id}, fields, session=tx.session)


def rounds_of(db: Database, cycle: str) -> list[dict]:
    """With their status: peers' and subordinates' answers count only from closed ones."""
    return list(db["rounds"].find({"cycle": cycle}))


def record_round(tx: Tx, round_id: str, cycle: str, framework_id: str, status: str) -> None:
    """A round only ever closes: a late "opened" never reopens a closed one."""
    held = tx.db["rounds"].find_one({"_id": round_id}, {"status": 1}, session=tx.session)
    if held is not None and held.get("status") == "closed":
        status = "closed"
    tx.db["rounds"].replace_one(
        {"_id": round_id},
        {"cycle": cycle, "framework_id": framework_id, "status": status},
        upsert=True,
        session=tx.session,
    )


def cycle_ratings(db: Database, cycle: str, framework_id: str = "pp46") -> list[Rating]:
    """Every rating of the cycle's rounds of one framework (the model needs them all); pp46
    by default, so other frameworks' rounds never enter the scores."""
    rounds = [r["_id"] for r in db["rounds"].find({"cycle": cycle, "framework_id": framework_id})]
    return [_to_rating(d) for d in db["ratings"].find({"round_id": {"$in": rounds}})]


def skp_scores_of(db: Database, cycle: str) -> dict[str, SkpInput]:
    """The cycle's SKP scores by NIP, as the recompute reads them."""
    return {
        d["nip"]: SkpInput(d["skp_score"], bool(d["complete"]), d.get("prorated_to"))
        for d in db["skp_scores"].find({"cycle": cycle})
    }


# --- cycles: which need their scores recomputed ---------------------------------------------
# inputs_version counts changes of a cycle's inputs; the recompute records the version it
# read, so a change that lands during a recompute leaves the cycle dirty for the next one.


def mark_dirty(tx: Tx, cycle: str) -> None:
    """Call in the transaction that records the input, so neither is lost without the other."""
    tx.db["cycles"].update_one(
        {"_id": cycle},
        {"$inc": {"inputs_version": 1}, "$set": {"dirty": True}},
        upsert=True,
        session=tx.session,
    )


def mark_every_cycle_dirty(tx: Tx) -> None:
    """A scheme change may touch every cycle's scores (finalized ones stay locked)."""
    tx.db["cycles"].update_many(
        {}, {"$inc": {"inputs_version": 1}, "$set": {"dirty": True}}, session=tx.session
    )


def dirty_cycles(db: Database) -> list[dict]:
    """In cycle order, each with the inputs_version the recompute must record."""
    return list(db["cycles"].find({"dirty": True}).sort("_id", 1))


def cycle_state(db_or_tx: Database | Tx, cycle: str) -> dict | None:
    """Its dirty flag and versions (finalize refuses while dirty); None before any input."""
    db, session = db_and_session(db_or_tx)
    return db["cycles"].find_one({"_id": cycle}, session=session)


def mark_computed(db: Database, cycle: str, inputs_version: int, computed_at: str) -> bool:
    """Clean only if nothing changed since the recompute read its inputs; False: still dirty."""
    result = db["cycles"].update_one(
        {"_id": cycle, "inputs_version": inputs_version},
        {"$set": {"dirty": False, "computed_version": inputs_version, "computed_at": computed_at}},
    )
    return result.modified_count == 1


# --- provisional scores: derived, rewritten by every recompute -------------------------------


def _score_doc(score: ProvisionalScore) -> dict:
    # A shallow copy of the fields, not asdict's deep copy (8 % of a 10,000-person recompute,
    # bench/RESULTS.md tuning step 4): the score is frozen and never mutated.
    return {"_id": f"{score.nip}:{score.cycle}", **vars(score)}


def _digest(doc: dict, db: Database) -> str:
    """A fingerprint of a score document's content, stored beside it."""
    encoded = bson.encode(doc, codec_options=db.codec_options)
    return hashlib.blake2b(encoded, digest_size=16).hexdigest()


def replace_scores(db: Database, cycle: str, scores: list[ProvisionalScore]) -> None:
    """Write a cycle's changed scores and drop those of people who no longer have any input.

    Most recomputes follow one input's change and leave most scores as they were: each stored
    score carries a digest of its content, and only those whose digest differs are rewritten
    (writing 10,000 unchanged documents took longer than computing them; bench/RESULTS.md,
    tuning step 5). A document written any other way has no digest, so it is rewritten.
    No transaction: a reader may meet the cycle half rewritten, still marked dirty.
    """
    docs = [_score_doc(s) for s in scores]
    for doc in docs:
        doc["digest"] = _digest(doc, db)
    # The stale ids are found here, not by a $nin of every nip: the server would test each of
    # the cycle's scores against that whole list (employees × employees; minutes at 10,000).
    stored = {d["_id"]: d.get("digest") for d in db["scores"].find({"cycle": cycle}, {"digest": 1})}
    changed = [doc for doc in docs if stored.get(doc["_id"]) != doc["digest"]]
    if changed:
        db["scores"].bulk_write(
            [ReplaceOne({"_id": doc["_id"]}, doc, upsert=True) for doc in changed], ordered=False
        )
    kept = {doc["_id"] for doc in docs}
    stale = [score_id for score_id in stored if score_id not in kept]
    if stale:
        db["scores"].delete_many({"_id": {"$in": stale}})


def _to_score(doc: dict) -> ProvisionalScore:
    doc = dict(doc)
    doc.pop("_id")
    doc.pop("digest", None)
    return ProvisionalScore(**doc)


def find_score(db_or_tx: Database | Tx, nip: str, cycle: str) -> ProvisionalScore | None:
    """The provisional score; None until a recompute has scored the employee in the cycle."""
    db, session = db_and_session(db_or_tx)
    doc = db["scores"].find_one({"_id": f"{nip}:{cycle}"}, session=session)
    return _to_score(doc) if doc else None


def scores_of(db: Database, cycle: str, unit_id: str | None = None) -> list[ProvisionalScore]:
    """The cycle's scores by NIP, or one unit's (the unit as of the last recompute)."""
    query = {"cycle": cycle} if unit_id is None else {"cycle": cycle, "unit_id": unit_id}
    return [_to_score(d) for d in db["scores"].find(query).sort("nip", 1)]


def finals_of(db: Database, cycle: str) -> dict[str, FinalScore]:
    """The cycle's finalized appraisals by NIP; the unfinalized are absent."""
    return {
        score.nip: score
        for score in (_to_final(d) for d in db["final_scores"].find({"cycle": cycle}))
    }


# --- weighting schemes: the current version of each, and every version kept ------------------


def _scheme_doc(scheme: WeightingScheme) -> dict:
    doc = asdict(scheme)
    doc["unit_ids"] = list(scheme.unit_ids)
    doc["position_kinds"] = list(scheme.position_kinds)
    return {"_id": scheme.id, **doc}


def _to_scheme(doc: dict) -> WeightingScheme:
    doc = dict(doc)
    doc.pop("_id")
    doc["unit_ids"] = tuple(doc["unit_ids"])
    doc["position_kinds"] = tuple(doc["position_kinds"])
    doc["skp_share"] = Decimal(str(doc["skp_share"]))
    return WeightingScheme(**doc)


def save_scheme(tx: Tx, scheme: WeightingScheme) -> None:
    """The new current version (409 if another edit got there first), and its history entry."""
    save_versioned(tx, "schemes", _scheme_doc(scheme))
    history = _scheme_doc(scheme)
    history["_id"] = scheme.ref
    tx.db["scheme_versions"].insert_one(history, session=tx.session)


def retire_scheme(tx: Tx, scheme: WeightingScheme) -> None:
    """The current version only: scheme_versions keeps every version, for the scores' sake."""
    tx.db["schemes"].delete_one({"_id": scheme.id}, session=tx.session)


def schemes(db_or_tx) -> list[WeightingScheme]:
    """Saved ones only, by id: the built-in default is schemes.with_default's to add."""
    db, session = db_and_session(db_or_tx)
    return [_to_scheme(d) for d in db["schemes"].find({}, session=session).sort("_id", 1)]


def find_scheme(db_or_tx, scheme_id: str) -> WeightingScheme | None:
    """None for a retired or never saved id, the still built-in default included."""
    db, session = db_and_session(db_or_tx)
    doc = db["schemes"].find_one({"_id": scheme_id}, session=session)
    return _to_scheme(doc) if doc else None


def last_saved_version(db_or_tx, scheme_id: str) -> int:
    """The highest version ever saved under this id, a retired scheme's too; 0 if none."""
    db, session = db_and_session(db_or_tx)
    doc = db["scheme_versions"].find_one(
        {"id": scheme_id}, {"version": 1}, sort=[("version", -1)], session=session
    )
    return doc["version"] if doc else 0


def scheme_history(db: Database, scheme_id: str) -> list[WeightingScheme]:
    """Every saved version, newest first, those of a retired scheme included."""
    return [
        _to_scheme(d) for d in db["scheme_versions"].find({"id": scheme_id}).sort("version", -1)
    ]


def _final_doc(score: FinalScore) -> dict:
    doc = asdict(score)
    doc["finalized_on"] = score.finalized_on.isoformat()
    return {"_id": f"{score.nip}:{score.cycle}", **doc}


def save_final(tx: Tx, score: FinalScore) -> None:
    """Unguarded: finalize and the objection commands decide whether it may change."""
    tx.db["final_scores"].replace_one(
        {"_id": f"{score.nip}:{score.cycle}"}, _final_doc(score), upsert=True, session=tx.session
    )


def find_final(db_or_tx, nip: str, cycle: str) -> FinalScore | None:
    """None until the appraisal is finalized."""
    db, session = db_and_session(db_or_tx)
    doc = db["final_scores"].find_one({"_id": f"{nip}:{cycle}"}, session=session)
    return _to_final(doc) if doc else None


def _to_final(doc: dict) -> FinalScore:
    doc = dict(doc)
    doc.pop("_id")
    doc["finalized_on"] = date.fromisoformat(doc["finalized_on"])
    return FinalScore(**doc)


# --- the supervisor's behaviour decisions (decisions.py) -------------------------------------


def save_decision(tx: Tx, decision: BehaviourDecision) -> None:
    """Each replaces the last (the audit keeps those); `departure` is derived, not stored."""
    doc = {k: v for k, v in as_record(decision).items() if k != "departure"}
    tx.db["behaviour_decisions"].replace_one(
        {"_id": f"{decision.nip}:{decision.cycle}"}, doc, upsert=True, session=tx.session
    )


def find_decision(db_or_tx, nip: str, cycle: str) -> BehaviourDecision | None:
    """None until the supervisor decides, or finalization adopts the proposal."""
    db, session = db_and_session(db_or_tx)
    doc = db["behaviour_decisions"].find_one({"_id": f"{nip}:{cycle}"}, session=session)
    return from_record(doc) if doc else None


def decisions_of(db: Database, cycle: str) -> dict[str, BehaviourDecision]:
    """The cycle's decisions by NIP, for HR's report on how supervisors depart."""
    return {
        d.nip: d
        for d in (from_record(doc) for doc in db["behaviour_decisions"].find({"cycle": cycle}))
    }


# --- retention (kinerja.personal_data): closed rounds' raw ratings, deleted without events ---


def ratings_per_round(db_or_tx: Database | Tx, round_ids: list[str]) -> dict[str, int]:
    """How many raw ratings (one per rater and ratee) this service holds of each round."""
    db, session = db_and_session(db_or_tx)
    rows = db["ratings"].aggregate(
        [
            {"$match": {"round_id": {"$in": round_ids}}},
            {"$group": {"_id": "$round_id", "ratings": {"$sum": 1}}},
        ],
        session=session,
    )
    return {row["_id"]: row["ratings"] for row in rows}


def purge_ratings(tx: Tx, round_ids: list[str]) -> int:
    """Delete these rounds' raw ratings and their withdrawal marks (which name the rater);
    how many ratings went. The scores computed from them stay as they are."""
    deleted = tx.db["ratings"].delete_many({"round_id": {"$in": round_ids}}, session=tx.session)
    for round_id in round_ids:
        prefix = {"$regex": f"^{re.escape(round_id)}:"}
        tx.db["withdrawals"].delete_many({"_id": prefix}, session=tx.session)
    return deleted.deleted_count


def mark_inputs_purged(tx: Tx, cycle: str, cut_off: date) -> None:
    """Say that the cycle's raw ratings are gone: its scores are what was computed before
    (a recompute of the cycle would now compute them without those ratings)."""
    tx.db["cycles"].update_one(
        {"_id": cycle},
        {"$set": {"inputs_purged_before": cut_off.isoformat()}},
        upsert=True,
        session=tx.session,
    )
