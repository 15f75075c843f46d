"""Tuning steps, each measured before and after in the same run.

Step 1 (services/appraisal/store.py, replace_scores): the recompute dropped the scores of
people without inputs with delete_many({"cycle": c, "nip": {"$nin": [every nip scored]}}):
the server tests each of the cycle's documents against a list of every nip, which grows as
employees × employees. The step reads the cycle's score ids (indexed on cycle) and deletes only
those not scored now, by _id. `replace_scores_before` is the code as it was, verbatim, so the
harness can time the worker's recompute with either in the same run.

Step 2 (services/appraisal/handlers.py): every 360 response marked its cycle for a full
recompute, so during a live round the appraisal worker spent about half its time
recomputing scores that the response could not move (a peer's or subordinate's rating counts
only once its round has closed: domain.publishable). The step marks the cycle only for a
rating that can move a score now. `record_response_before` is the handler as it was.
"""

from __future__ import annotations

import statistics
import time

from pymongo import ReplaceOne
from pymongo.database import Database

from kinerja.bus.envelope import Envelope
from kinerja.mongo import Tx, UnitOfWork
from services.appraisal import domain, handlers, store
from services.appraisal.provisional import ProvisionalScore


def replace_scores_before(db: Database, cycle: str, scores: list[ProvisionalScore]) -> None:
    """services/appraisal/store.py replace_scores before tuning step 1."""
    if scores:
        db["scores"].bulk_write(
            [
                ReplaceOne({"_id": f"{s.nip}:{s.cycle}"}, store._score_doc(s), upsert=True)
                for s in scores
            ],
            ordered=False,
        )
    db["scores"].delete_many({"cycle": cycle, "nip": {"$nin": [s.nip for s in scores]}})


def compare_recompute(db: Database, cycle: str, pairs: int, progress) -> dict:
    """recompute_cycle with the old and the current replace_scores, alternately."""
    from services.appraisal import recompute

    current = store.replace_scores
    times: dict[str, list[float]] = {"before": [], "after": []}
    for n in range(pairs):
        for label, function in (("before", replace_scores_before), ("after", current)):
            store.replace_scores = function
            try:
                started = time.perf_counter()
                recompute.recompute_cycle(db, cycle)
                times[label].append(time.perf_counter() - started)
            finally:
                store.replace_scores = current
        progress(
            f"pair {n + 1}/{pairs}: before {times['before'][-1]:.2f} s, "
            f"after {times['after'][-1]:.2f} s"
        )
    return {
        "name": "store.replace_scores: delete stale scores by _id, not by a $nin of every nip",
        "before": round(statistics.median(times["before"]), 3),
        "after": round(statistics.median(times["after"]), 3),
        "runs": {k: [round(t, 3) for t in v] for k, v in times.items()},
    }


def record_response_before(event: Envelope, tx: Tx) -> None:
    """services/appraisal/handlers.py record_response before tuning step 2."""
    incoming = handlers._rating(event)
    current = store.find_rating(tx, incoming.round_id, incoming.rater_id, incoming.ratee_id)
    if domain.supersedes(incoming, current):
        store.put_rating(tx, incoming)
        round_ = store.find_round(tx, incoming.round_id)
        if round_ is not None:
            store.mark_dirty(tx, round_["cycle"])


def compare_live_round(db: Database, cycle: str, peers: list[tuple], progress) -> dict:
    """The appraisal worker's work per response during an open round, as it runs: the
    consumer's handler for each response event, and the recompute job whenever the cycle is
    marked (here after every 10 events, the batch its polling sees under load)."""
    from services.appraisal import recompute

    uow = UnitOfWork(db.client, db, "appraisal")
    rates: dict[str, float] = {}
    for label, handler in (
        ("before", record_response_before),
        ("after", handlers.record_response),
    ):
        round_id = f"live-{label}"
        db["rounds"].insert_one(
            {"_id": round_id, "cycle": cycle, "framework_id": "pp46", "status": "open"}
        )
        recompute.recompute_cycle(db, cycle)
        started = time.perf_counter()
        for n, (rater, ratee) in enumerate(peers, start=1):
            data = {
                "round_id": round_id,
                "rater_id": rater,
                "ratee_id": ratee,
                "rater_group": "peer",
                "scores": {"integritas": 80},
                "revision": 1,
            }
            event = Envelope.new("feedback.response.submitted", data, producer="feedback")
            uow(lambda tx, event=event, handler=handler: handler(event, tx))
            if n % 10 == 0 and db["cycles"].find_one({"_id": cycle})["dirty"]:
                recompute.recompute_cycle(db, cycle)
        rates[label] = len(peers) / (time.perf_counter() - started)
        db["ratings"].delete_many({"round_id": round_id})
        db["rounds"].delete_one({"_id": round_id})
        progress(f"{label}: {rates[label]:.1f} responses/s")
    return {
        "name": "handlers.record_response: a rating that cannot move a score now does not "
        "mark its cycle for a recompute (responses/s, consumer + recompute job)",
        "before": round(rates["before"], 1),
        "after": round(rates["after"], 1),
        "unit": "responses/s",
    }
