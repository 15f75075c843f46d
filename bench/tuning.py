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

Step 3 (kinerja/bus/consumer.py): a consumer applied each event in a transaction of its own
(its id recorded, its handler run, a commit), so a backlog cost a commit and an applied-id
insert per event. The step applies the events that arrive together (up to 32, waiting at most
5 ms for one more) in one transaction; `batch_size=1` is the consumer as it was.

Step 4 (services/appraisal/store.py, provisional.py): the recompute turned every score and
every group result into a document with dataclasses.asdict, a recursive deep copy (3.5 + 0.8 s
of a 10,000-person recompute under pyinstrument). The results are frozen and never mutated
after, so a shallow copy of their fields is the same document.

Step 5 (services/appraisal/store.py, replace_scores): every recompute rewrote every score of
the cycle, though most follow one input's change and move few scores; the writes were the
largest part of a recompute. Each score now carries a digest of its content and only those
whose digest differs are rewritten. Measured three ways in the same run: as it was, and as it
is after every score changed (the worst case: the digests read for nothing) and after nothing
changed. `replace_scores_before_digest` is the function as it was after step 1.
"""

from __future__ import annotations

import statistics
import threading
import time
from dataclasses import asdict

from pymongo import ReplaceOne
from pymongo.database import Database

from bench import raw
from kinerja.bus.consumer import EventConsumer, run_consumer
from kinerja.bus.envelope import Envelope
from kinerja.bus.topology import Topology, broker_connection
from kinerja.config import Settings
from kinerja.contracts.feedback import RESPONSE_SUBMITTED
from kinerja.mongo import Tx, UnitOfWork
from services.appraisal import domain, handlers, provisional, store
from services.appraisal.provisional import ProvisionalScore


def _write_every_score(db: Database, scores: list[ProvisionalScore]) -> None:
    """How replace_scores wrote the scores before step 5: all of them, changed or not."""
    if scores:
        db["scores"].bulk_write(
            [
                ReplaceOne({"_id": f"{s.nip}:{s.cycle}"}, store._score_doc(s), upsert=True)
                for s in scores
            ],
            ordered=False,
        )


def replace_scores_before(db: Database, cycle: str, scores: list[ProvisionalScore]) -> None:
    """services/appraisal/store.py replace_scores before tuning step 1."""
    _write_every_score(db, scores)
    db["scores"].delete_many({"cycle": cycle, "nip": {"$nin": [s.nip for s in scores]}})


def _score_doc_before(score: ProvisionalScore) -> dict:
    """services/appraisal/store.py _score_doc before tuning step 4."""
    return {"_id": f"{score.nip}:{score.cycle}", **asdict(score)}


def _group_doc_before(group) -> dict:
    """services/appraisal/provisional.py's group serialization before tuning step 4."""
    return provisional._rounded(asdict(group), 3)


# Each recompute step: its name, and the functions as they were: (module, attribute, function).
RECOMPUTE_STEPS = {
    "replace_scores": (
        "store.replace_scores: delete stale scores by _id, not by a $nin of every nip",
        [(store, "replace_scores", replace_scores_before)],
    ),
    "shallow_score_docs": (
        "store._score_doc, provisional._group_doc: shallow copies of frozen results, "
        "not dataclasses.asdict's deep copies",
        [(store, "_score_doc", _score_doc_before), (provisional, "_group_doc", _group_doc_before)],
    ),
}


def compare_recompute(db: Database, cycle: str, step: str, pairs: int, progress) -> dict:
    """recompute_cycle with the step's functions as they were and as they are, alternately."""
    from services.appraisal import recompute

    name, olds = RECOMPUTE_STEPS[step]
    currents = [(module, attribute, getattr(module, attribute)) for module, attribute, _ in olds]
    times: dict[str, list[float]] = {"before": [], "after": []}
    for n in range(pairs):
        for label, functions in (("before", olds), ("after", currents)):
            for module, attribute, function in functions:
                setattr(module, attribute, function)
            raw.every_score_changed(db)
            try:
                started = time.perf_counter()
                recompute.recompute_cycle(db, cycle)
                times[label].append(time.perf_counter() - started)
            finally:
                for module, attribute, function in currents:
                    setattr(module, attribute, function)
        progress(
            f"pair {n + 1}/{pairs}: before {times['before'][-1]:.2f} s, "
            f"after {times['after'][-1]:.2f} s"
        )
    return {
        "name": name,
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


def _response_event(round_id: str, rater: str, ratee: str) -> Envelope:
    data = {
        "response_id": f"{rater}-{ratee}",
        "round_id": round_id,
        "rater_id": rater,
        "ratee_id": ratee,
        "rater_group": "peer",
        "scores": {"integritas": "80"},
        "revision": 1,
    }
    event = Envelope.new(RESPONSE_SUBMITTED.name, data, producer="feedback")
    return RESPONSE_SUBMITTED.read(event)  # as the consumer hands it to the handler


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
            event = _response_event(round_id, rater, ratee)
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


def _transactions(service: str) -> tuple[float, float]:
    """(transactions, events) the consumer's histogram has counted in this process."""
    from prometheus_client import REGISTRY

    labels = {"service": service}
    count = REGISTRY.get_sample_value("kinerja_events_per_transaction_count", labels) or 0.0
    total = REGISTRY.get_sample_value("kinerja_events_per_transaction_sum", labels) or 0.0
    return count, total


def compare_consumer_batching(
    db: Database, cycle: str, peers: list[tuple], settings: Settings, progress
) -> dict:
    """The appraisal worker's event consumer, as the worker builds it (the service's own
    subscriptions and unit of work, the stack's broker), draining a backlog of response events
    of an open round: one transaction per event (batch_size=1), then a batch per transaction.
    The backlog is published before the consumer starts; the clock runs from its start until
    the last rating is in the appraisal database."""
    topology = Topology(f"{settings.bus_namespace}-step3", None)
    uow = UnitOfWork(db.client, db, "appraisal")
    rates: dict[str, float] = {}
    per_transaction: dict[str, float] = {}
    for label, batch_size in (("before", 1), ("after", 32)):
        round_id = f"backlog-{label}"
        db["rounds"].insert_one(
            {"_id": round_id, "cycle": cycle, "framework_id": "pp46", "status": "open"}
        )
        consumer = EventConsumer(
            "appraisal",
            broker_connection(settings),
            topology,
            uow,
            handlers.subscriptions,
            batch_size=batch_size,
        )
        with broker_connection(settings) as connection:
            channel = connection.channel()
            consumer.queue.bind(channel).declare()
            producer = connection.Producer(channel, exchange=topology.events)
            for rater, ratee in peers:
                event = _response_event(round_id, rater, ratee)
                producer.publish(
                    event.to_dict(),
                    routing_key=event.type,
                    serializer="json",
                    message_id=event.id,
                    delivery_mode=2,
                )
        transactions_before, events_before = _transactions("appraisal")
        stop = threading.Event()
        worker = threading.Thread(target=run_consumer, args=(consumer, stop), daemon=True)
        started = time.perf_counter()
        worker.start()
        applied = 0
        deadline = started + 300
        while applied < len(peers) and time.perf_counter() < deadline:
            time.sleep(0.02)
            applied = db["ratings"].count_documents({"round_id": round_id})
        elapsed = time.perf_counter() - started
        stop.set()
        worker.join(timeout=10)
        if applied < len(peers):
            raise RuntimeError(f"{label}: {applied} of {len(peers)} events applied in 300 s")
        transactions, events = (
            after - before
            for after, before in zip(
                _transactions("appraisal"), (transactions_before, events_before), strict=True
            )
        )
        rates[label] = len(peers) / elapsed
        per_transaction[label] = events / transactions if transactions else 0.0
        db["ratings"].delete_many({"round_id": round_id})
        db["rounds"].delete_one({"_id": round_id})
        progress(
            f"{label} (batch_size {batch_size}): {rates[label]:.1f} events/s, "
            f"{per_transaction[label]:.1f} events per transaction"
        )
    with broker_connection(settings) as connection, connection.channel() as channel:
        topology.consumer_queue("appraisal", []).bind(channel).delete()
        topology.dead_letter_queue("appraisal").bind(channel).delete()
        for exchange in (topology.events, topology.replay, topology.dead):
            exchange.bind(channel).delete()
    return {
        "name": "consumer: the events that arrive together applied in one transaction "
        f"(a backlog of {len(peers)} response events through the appraisal consumer, events/s)",
        "before": round(rates["before"], 1),
        "after": round(rates["after"], 1),
        "events_per_transaction": {k: round(v, 1) for k, v in per_transaction.items()},
        "detail": "events per transaction: before {before:.1f}, after {after:.1f}".format(
            **per_transaction
        ),
        "unit": "events/s",
    }


def replace_scores_before_digest(db: Database, cycle: str, scores: list[ProvisionalScore]) -> None:
    """services/appraisal/store.py replace_scores before tuning step 5 (after step 1)."""
    _write_every_score(db, scores)
    kept = {f"{s.nip}:{s.cycle}" for s in scores}
    stale = [d["_id"] for d in db["scores"].find({"cycle": cycle}, {"_id": 1})]
    stale = [score_id for score_id in stale if score_id not in kept]
    if stale:
        db["scores"].delete_many({"_id": {"$in": stale}})


def compare_changed_only(db: Database, cycle: str, repeats: int, progress) -> dict:
    """recompute_cycle writing every score (as it was), then writing only the changed ones
    after every score changed and after nothing changed; `repeats` rounds of the three."""
    from services.appraisal import recompute

    current = store.replace_scores
    times: dict[str, list[float]] = {"before": [], "every_changed": [], "nothing_changed": []}

    def timed(label: str) -> None:
        started = time.perf_counter()
        recompute.recompute_cycle(db, cycle)
        times[label].append(time.perf_counter() - started)

    for n in range(repeats):
        store.replace_scores = replace_scores_before_digest
        try:
            timed("before")
        finally:
            store.replace_scores = current
        raw.every_score_changed(db)
        timed("every_changed")
        timed("nothing_changed")
        progress(
            f"round {n + 1}/{repeats}: before {times['before'][-1]:.2f} s, after "
            f"{times['every_changed'][-1]:.2f} s (every score changed), "
            f"{times['nothing_changed'][-1]:.2f} s (nothing changed)"
        )
    median = {label: round(statistics.median(t), 3) for label, t in times.items()}
    return {
        "name": "store.replace_scores: rewrite only the scores whose digest changed "
        "(a recompute after nothing changed)",
        "before": median["before"],
        "after": median["nothing_changed"],
        "every_changed": median["every_changed"],
        "detail": f"after every score changed (the worst case) {median['every_changed']} s",
        "runs": {label: [round(x, 3) for x in t] for label, t in times.items()},
    }
