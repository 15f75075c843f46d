"""Tuning steps, each measured before and after in the same run.

Step 1 (services/appraisal/store.py, replace_scores): the recompute dropped the scores of
people without inputs with delete_many({"cycle": c, "nip": {"$nin": [every nip scored]}}):
the server tests each of the cycle's documents against a list of every nip, which grows as
employees × employees. The step reads the cycle's score ids (indexed on cycle) and deletes only
those not scored now, by _id. `replace_scores_before` is the code as it was, verbatim, so the
harness can time the worker's recompute with either in the same run.
"""

from __future__ import annotations

import statistics
import time

from pymongo import ReplaceOne
from pymongo.database import Database

from services.appraisal import store
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
