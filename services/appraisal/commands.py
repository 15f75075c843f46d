"""What people do with appraisals, one function per command: each runs in one
transaction with its audit entry and its events."""

from __future__ import annotations

from dataclasses import asdict
from datetime import date
from decimal import Decimal

from pymongo.database import Database

from kinerja import audit, directory_replica
from kinerja.errors import Conflict, Forbidden, NotFound
from kinerja.mongo import Tx
from services.appraisal import combination, domain, events, store

# Until HR's weighting schemes arrive: the superior half, peers and subordinates a quarter each.
DEFAULT_SCHEME = combination.Scheme(
    weights={"superior": 0.5, "peer": 0.25, "subordinate": 0.25, "self": 0.0}
)


def supervisor_of(db: Database, nip: str) -> str | None:
    return (directory_replica.find_employee(db, nip) or {}).get("supervisor_nip")


def provisional(db: Database, cycle: str, nip: str):
    """The SKP record, the combination result and the behaviour score of one employee."""
    skp = store.skp_score(db, nip, cycle)
    ratings = [
        combination.Rating(r.rater_id, r.ratee_id, r.rater_group, dimension, float(score))
        for r in store.cycle_ratings(db, cycle)
        for dimension, score in r.scores.items()
    ]
    result = (
        combination.combine_ratings(ratings, DEFAULT_SCHEME).ratees.get(nip) if ratings else None
    )
    behaviour = Decimal(str(result.score)) if result and result.score is not None else None
    return skp, result, behaviour


def finalize(tx: Tx, cycle: str, nip: str, supervisor: str, today: date) -> domain.FinalScore:
    if supervisor_of(tx.db, nip) != supervisor:
        raise Forbidden("the employee's direct supervisor finalizes the appraisal")
    if store.find_final(tx, nip, cycle) is not None:
        raise Conflict("finalized already; changes go through an objection", code="finalized")
    skp, _, behaviour = provisional(tx.db, cycle, nip)
    score = domain.finalize(
        nip, cycle, skp["skp_score"] if skp else None, behaviour, supervisor, today
    )
    store.save_final(tx, score)
    audit.record(
        tx,
        supervisor,
        "score.finalized",
        "final_score",
        f"{nip}:{cycle}",
        None,
        events.final_score(score),
    )
    tx.publish(events.SCORE_FINALIZED, events.final_score(score))
    return score


def object_to(tx: Tx, cycle: str, nip: str, caller: str, reason: str, today: date):
    if caller != nip:
        raise Forbidden("an employee objects to their own appraisal")
    score = domain.object_to(existing_final(tx, nip, cycle), reason, today)
    store.save_final(tx, score)
    audit.record(
        tx, caller, "objection.filed", "final_score", f"{nip}:{cycle}", None, score.objection
    )
    return score


def decide_objection(
    tx: Tx, cycle: str, nip: str, caller: str, new_final: Decimal | None, why: str, today: date
):
    """The atasan pejabat penilai (the supervisor's superior) decides."""
    supervisor = supervisor_of(tx.db, nip)
    if supervisor is None or supervisor_of(tx.db, supervisor) != caller:
        raise Forbidden("the supervisor's own superior decides objections")
    before = existing_final(tx, nip, cycle)
    score = domain.decide_objection(before, caller, new_final, why, today)
    store.save_final(tx, score)
    audit.record(
        tx,
        caller,
        "objection.decided",
        "final_score",
        f"{nip}:{cycle}",
        events.final_score(before),
        events.final_score(score),
    )
    tx.publish(events.OBJECTION_DECIDED, events.final_score(score))
    return score


def existing_final(tx: Tx, nip: str, cycle: str) -> domain.FinalScore:
    score = store.find_final(tx, nip, cycle)
    if score is None:
        raise NotFound("the appraisal is not finalized")
    return score


def as_dict(score: domain.FinalScore) -> dict:
    return asdict(score)
