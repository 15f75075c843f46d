"""Keeping every provisional score current: the worker's recompute job.

Event handlers only record inputs and mark the cycle dirty, in the same transaction; this
job, one replica at a time (a lease), reads a dirty cycle's inputs and rewrites its scores.
A burst of a thousand responses costs a few recomputes, not a thousand.
"""

from __future__ import annotations

import contextlib
import threading
import time
from datetime import UTC, datetime

from pymongo.database import Database
from pymongo.errors import PyMongoError

from kinerja import directory_replica, metrics
from kinerja.anonymity import ANONYMITY_FLOOR
from kinerja.lease import Lease
from kinerja.logs import get_logger
from kinerja.worker import ServiceWorker
from services.appraisal import combination, domain, store
from services.appraisal.provisional import CycleInputs, CycleScores, score_cycle
from services.appraisal.schemes import WeightingScheme

log = get_logger(__name__)
SERVICE = "appraisal"
IDLE_SECONDS = (0.05, 1.0)  # polling backs off from the first to the second when idle


def cycle_inputs(
    db: Database,
    cycle: str,
    schemes: list[WeightingScheme] | None = None,
    published_only: bool = True,
):
    """Everything a cycle's scores depend on, read from the service's own store.

    Peers' and subordinates' ratings count once their round has closed (domain.publishable),
    so a score never moves by one anonymous answer; `published_only=False` takes every
    rating received, for HR's figures on how far the raters agree.
    """
    received = store.cycle_ratings(db, cycle)
    if published_only:
        closed = {r["_id"] for r in store.rounds_of(db, cycle) if r.get("status") == "closed"}
        received = domain.publishable(received, closed, ANONYMITY_FLOOR)
    ratings = [
        combination.Rating(r.rater_id, r.ratee_id, r.rater_group, dimension, float(score))
        for r in received
        for dimension, score in r.scores.items()
    ]
    return CycleInputs(
        cycle=cycle,
        ratings=ratings,
        skp_scores=store.skp_scores_of(db, cycle),
        employees={e["nip"]: e for e in directory_replica.active_employees(db)},
        schemes=store.schemes(db) if schemes is None else schemes,
    )


def recompute_cycle(db: Database, cycle: str, lease: Lease | None = None) -> CycleScores | None:
    """Rewrite one cycle's scores from its inputs; clean the cycle if nothing changed meanwhile.
    A cycle whose raw ratings retention purged keeps its scores (None: nothing computed).

    A large cycle takes seconds: the lease is renewed before writing, and if another replica
    took it meanwhile, this one's result is dropped (the cycle stays dirty for the holder).
    """
    state = store.cycle_state(db, cycle) or {}
    version = state.get("inputs_version", 0)
    if state.get("inputs_purged_before"):
        # the raw ratings went by retention (services/appraisal/retention.py): the scores
        # computed from all of them stand, and the cycle is clean for finalization
        store.mark_computed(db, cycle, version, datetime.now(UTC).isoformat())
        log.info("recompute.skipped_purged_cycle", cycle=cycle)
        return None
    started = time.perf_counter()
    result = score_cycle(cycle_inputs(db, cycle))
    if lease is not None and not lease.renew():
        log.warning("recompute.lease_lost", cycle=cycle)
        return None
    store.replace_scores(db, cycle, list(result.scores.values()))
    store.mark_computed(db, cycle, version, datetime.now(UTC).isoformat())
    elapsed = time.perf_counter() - started
    metrics.RECOMPUTE_DURATION.labels(SERVICE).observe(elapsed)
    log.info("scores.recomputed", cycle=cycle, employees=len(result.scores), seconds=elapsed)
    return result


def recompute_dirty(db: Database, lease: Lease | None = None) -> int:
    """Recompute every dirty cycle once; how many were."""
    dirty = store.dirty_cycles(db)
    metrics.RECOMPUTE_PENDING.labels(SERVICE).set(len(dirty))
    for state in dirty:
        recompute_cycle(db, state["_id"], lease)
    return len(dirty)


def run(worker: ServiceWorker, stop: threading.Event) -> None:
    """The background job: poll for dirty cycles while holding the lease."""
    lease = Lease(worker.db, "appraisal-recompute")
    idle = IDLE_SECONDS[0]
    while not stop.is_set():
        try:
            worked = lease.acquire() and recompute_dirty(worker.db, lease) > 0
        except PyMongoError as exc:
            log.warning("recompute.waiting_for_mongodb", error=str(exc))
            worked = False
        except Exception:
            # a bug must not stop every later recompute; the cycle stays dirty and is retried
            log.exception("recompute.failed")
            worked = False
        idle = IDLE_SECONDS[0] if worked else min(idle * 2, IDLE_SECONDS[1])
        stop.wait(idle)
    with contextlib.suppress(PyMongoError):  # unreleased, it expires on its own
        lease.release()
