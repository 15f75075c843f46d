"""The raw limits of the backing servers, and the full recompute against one $group.

Everything here talks to the same MongoDB-compatible server and broker as the stack.
"""

from __future__ import annotations

import random
import statistics
import threading
import time
import uuid
from collections.abc import Callable
from pathlib import Path

from bson.decimal128 import Decimal128
from kombu import Connection, Consumer, Exchange, Producer, Queue
from pymongo import MongoClient

from kinerja.config import Settings
from kinerja.mongo import connect

Progress = Callable[[str], None]


# --- 1a. single-document inserts with pymongo ------------------------------------------------


def mongo_inserts(url: str, threads: int, seconds: float, warmup: float, progress: Progress):
    """insert_one of a small document, in a loop, from `threads` threads (one client, as a
    service process has); the rate over `seconds` after `warmup`."""
    client = MongoClient(url, maxPoolSize=max(threads, 4))
    collection = client["bench_raw"][f"inserts_{uuid.uuid4().hex[:8]}"]
    counts = [0] * threads
    stop = threading.Event()
    window: dict[str, float] = {}

    def loop(slot: int) -> None:
        n = 0
        while not stop.is_set():
            collection.insert_one({"slot": slot, "n": n, "payload": "x" * 100})
            n += 1
            counts[slot] += 1

    workers = [threading.Thread(target=loop, args=(i,), daemon=True) for i in range(threads)]
    for worker in workers:
        worker.start()
    time.sleep(warmup)
    start_count, window["start"] = sum(counts), time.monotonic()
    end = window["start"] + seconds
    while time.monotonic() < end:
        time.sleep(min(2.0, max(end - time.monotonic(), 0)))
        done = sum(counts) - start_count
        progress(
            f"{threads} thread(s): {done} inserts in {time.monotonic() - window['start']:.0f} s"
        )
    total = sum(counts) - start_count
    elapsed = time.monotonic() - window["start"]
    stop.set()
    for worker in workers:
        worker.join(timeout=10)
    collection.drop()
    client.close()
    return {
        "threads": threads,
        "inserts": total,
        "seconds": round(elapsed, 2),
        "per_second": round(total / elapsed, 1),
    }


def opcounters(url: str) -> dict:
    """The server's operation counters (serverStatus), for operations per response."""
    client = MongoClient(url)
    try:
        return dict(client.admin.command("serverStatus").get("opcounters", {}))
    except Exception:  # noqa: BLE001 - a server without serverStatus: no breakdown
        return {}
    finally:
        client.close()


# --- 1b. publish-to-consume with kombu -------------------------------------------------------


def broker_round_trip(
    broker_url: str, broker_options: dict, seconds: float, warmup: float, progress: Progress
) -> dict:
    """One producer (publisher confirms, persistent, as the outbox relay publishes) and one
    consumer (prefetch 32, ack each, as the services consume) on a queue of its own; the
    rate of messages consumed over `seconds`, after `warmup`."""
    from kinerja.bus import filesystem

    name = f"bench-raw-{uuid.uuid4().hex[:8]}"
    exchange = Exchange(name, type="topic", durable=True)
    queue = Queue(name, exchange=exchange, routing_key="#", durable=True)
    transport = filesystem.Transport if broker_url.startswith("filesystem:") else None
    options = {**broker_options, "confirm_publish": True}

    def connection() -> Connection:
        return Connection(broker_url, transport=transport, transport_options=options)

    consumed = [0]
    published = [0]
    stop = threading.Event()
    ready = threading.Event()

    def consume() -> None:
        with connection() as conn, conn.channel() as channel:

            def on_message(body, message):
                message.ack()
                consumed[0] += 1

            with Consumer(
                channel, queues=[queue], callbacks=[on_message], accept=["json"], prefetch_count=32
            ):
                ready.set()
                while not stop.is_set():
                    try:
                        conn.drain_events(timeout=0.2)
                    except TimeoutError:
                        pass
                    except OSError:
                        pass

    def publish() -> None:
        body = {"id": "", "type": "bench.raw.sent", "data": {"payload": "x" * 300}}
        with connection() as conn, conn.channel() as channel:
            producer = Producer(channel, exchange=exchange)
            n = 0
            while not stop.is_set():
                # keep a bounded backlog: the rate measured is the pipe's, not a queue filling
                if published[0] - consumed[0] > 500:
                    time.sleep(0.001)
                    continue
                body["id"] = str(n)
                producer.publish(
                    body, routing_key="bench.raw.sent", serializer="json", delivery_mode=2
                )
                published[0] += 1
                n += 1

    with connection() as conn:
        queue.bind(conn.default_channel).declare()
    consumer = threading.Thread(target=consume, daemon=True)
    consumer.start()
    ready.wait(10)
    producer = threading.Thread(target=publish, daemon=True)
    producer.start()
    time.sleep(warmup)
    start_count, started = consumed[0], time.monotonic()
    end = started + seconds
    while time.monotonic() < end:
        time.sleep(min(2.0, max(end - time.monotonic(), 0)))
        progress(
            f"{consumed[0] - start_count} messages consumed in {time.monotonic() - started:.0f} s"
        )
    total, elapsed = consumed[0] - start_count, time.monotonic() - started
    stop.set()
    producer.join(timeout=10)
    consumer.join(timeout=10)
    try:
        with connection() as conn:
            channel = conn.default_channel
            queue.bind(channel).delete()
            exchange.bind(channel).delete()
    except Exception:  # noqa: BLE001 - leftovers on a scratch queue are harmless
        pass
    return {
        "messages": total,
        "seconds": round(elapsed, 2),
        "per_second": round(total / elapsed, 1),
    }


# --- 3. the full recompute against one $group ------------------------------------------------

CYCLE = "2031"
ROUND = "bench-recompute"
DIMENSIONS = ("orientasi_pelayanan", "integritas", "komitmen", "disiplin", "kerja_sama")
UNIT_SIZE = 10  # a head and nine staff: each person gets exactly ten ratings


def _nip(i: int) -> str:
    return f"19{i:016d}"


def build_dataset(url: str, database: str, employees: int, progress: Progress) -> dict:
    """`employees` people in units of ten (a head, nine staff), every one rated ten times on the
    five PP 46 dimensions in one closed round: a staff member by the head, themselves and their
    eight fellow staff; a head by themselves and their nine staff. Written straight into an
    appraisal-shaped database (ratings, rounds, directory copy, SKP scores, cycle state)."""
    assert employees % UNIT_SIZE == 0
    client = MongoClient(url)
    client.drop_database(database)
    db = client[database]
    rng = random.Random(11)
    truth = [rng.gauss(78, 6) for _ in range(employees)]
    leniency = [rng.gauss(0, 4) for _ in range(employees)]
    ratings, people, skps = [], [], []
    for unit in range(employees // UNIT_SIZE):
        members = list(range(unit * UNIT_SIZE, (unit + 1) * UNIT_SIZE))
        head, staff = members[0], members[1:]
        for i in members:
            people.append(
                {
                    "_id": _nip(i),
                    "nip": _nip(i),
                    "name": f"Pegawai {i}",
                    "unit_id": f"u{unit}",
                    "golongan": "III/a",
                    "position_kind": "structural" if i == head else "functional",
                    "education": "S-1",
                    "position": "Kepala" if i == head else "Staf",
                    "supervisor_nip": None if i == head else _nip(head),
                    "active": True,
                    "version": 1,
                }
            )
            skps.append(
                {
                    "_id": f"{_nip(i)}:{CYCLE}",
                    "nip": _nip(i),
                    "cycle": CYCLE,
                    "skp_score": Decimal128("85.50"),
                    "complete": True,
                    "revision": 1,
                }
            )
        for ratee in members:
            if ratee == head:
                raters = [(ratee, "self")] + [(s, "subordinate") for s in staff]
            else:
                raters = [(head, "superior"), (ratee, "self")]
                raters += [(s, "peer") for s in staff if s != ratee]
            for rater, group in raters:
                base = truth[ratee] + (leniency[rater] if group != "self" else 5)
                ratings.append(
                    {
                        "_id": f"{ROUND}:{_nip(rater)}:{_nip(ratee)}",
                        "round_id": ROUND,
                        "rater_id": _nip(rater),
                        "ratee_id": _nip(ratee),
                        "rater_group": group,
                        "scores": {
                            d: int(min(100, max(1, round(base + rng.gauss(0, 5)))))
                            for d in DIMENSIONS
                        },
                        "revision": 1,
                    }
                )
    started = time.monotonic()
    db["rounds"].insert_one(
        {"_id": ROUND, "cycle": CYCLE, "framework_id": "pp46", "status": "closed"}
    )
    db["directory_employees"].insert_many(people, ordered=False)
    db["skp_scores"].insert_many(skps, ordered=False)
    db["cycles"].insert_one({"_id": CYCLE, "inputs_version": 1, "dirty": True})
    for start in range(0, len(ratings), 10_000):
        db["ratings"].insert_many(ratings[start : start + 10_000], ordered=False)
        progress(f"{min(start + 10_000, len(ratings)):,} of {len(ratings):,} ratings written")
    # the indexes the appraisal worker keeps (services/appraisal/store.py ensure_indexes)
    from services.appraisal import store

    store.ensure_indexes(db)
    client.close()
    return {
        "employees": employees,
        "ratings": len(ratings),
        "item_scores": len(ratings) * len(DIMENSIONS),
        "build_seconds": round(time.monotonic() - started, 1),
    }


def group_pipeline() -> list[dict]:
    """Mean per ratee over all of their ratings (each rating's mean over its items)."""
    return [
        {"$match": {"round_id": {"$in": [ROUND]}}},
        {
            "$group": {
                "_id": "$ratee_id",
                "mean": {"$avg": {"$avg": [f"$scores.{d}" for d in DIMENSIONS]}},
            }
        },
    ]


def time_group(url: str, database: str, repeats: int) -> dict:
    """One aggregation, read to the end by the client: a warm-up, then `repeats` timed."""
    client = MongoClient(url)
    ratings = client[database]["ratings"]
    list(ratings.aggregate(group_pipeline()))  # warm-up
    times, groups = [], 0
    for _ in range(repeats):
        started = time.perf_counter()
        groups = len(list(ratings.aggregate(group_pipeline(), allowDiskUse=True)))
        times.append(time.perf_counter() - started)
    client.close()
    return {
        "seconds": round(statistics.median(times), 3),
        "runs": [round(t, 3) for t in times],
        "groups": groups,
    }


def appraisal_db(url: str, database: str):
    settings = Settings.from_env(
        "appraisal", {"MONGO_URL": url, "BROKER_URL": "memory://", "JWT_SECRET": "x" * 32}
    )
    return connect(settings)[database]


def every_score_changed(db) -> None:
    """Make the next recompute rewrite every score, as when every one of them moved: a stored
    score without its digest counts as changed (services/appraisal/store.py replace_scores)."""
    db["scores"].update_many({"cycle": CYCLE}, {"$unset": {"digest": ""}})


def time_recompute(url: str, database: str, repeats: int, profile_html=None) -> dict:
    """services.appraisal.recompute.recompute_cycle, the worker's own job: reads the cycle's
    state and inputs, scores the cycle (provisional.score_cycle: screening, the rater-effects
    model, bias correction, reliability), writes the scores that changed (bulk upserts) and
    marks the cycle computed. Every timed run writes all 10,000, as if every score moved; a
    last run after nothing changed writes none. A warm-up run (under pyinstrument when asked),
    then `repeats` timed runs."""
    from services.appraisal import recompute

    db = appraisal_db(url, database)
    profile_text = None
    every_score_changed(db)
    started = time.perf_counter()
    if profile_html is not None:
        try:
            from pyinstrument import Profiler
        except ImportError:
            Profiler = None  # noqa: N806
        if Profiler is not None:
            profiler = Profiler(interval=0.005)
            profiler.start()
            result = recompute.recompute_cycle(db, CYCLE)
            profiler.stop()
            profile_html.write_text(profiler.output_html())
            profile_text = profiler.output_text(unicode=False, color=False, show_all=False)
            # paths relative to the repository: the profile is committed with the results
            profile_text = profile_text.replace(f"{Path(__file__).resolve().parents[1]}/", "")
        else:
            result = recompute.recompute_cycle(db, CYCLE)
    else:
        result = recompute.recompute_cycle(db, CYCLE)
    warmup = time.perf_counter() - started
    times = []
    for _ in range(repeats):
        every_score_changed(db)
        started = time.perf_counter()
        result = recompute.recompute_cycle(db, CYCLE)
        times.append(time.perf_counter() - started)
    started = time.perf_counter()
    recompute.recompute_cycle(db, CYCLE)
    unchanged = time.perf_counter() - started
    scored = sum(1 for s in result.scores.values() if s.behaviour_score is not None)
    db.client.close()
    return {
        "seconds": round(statistics.median(times), 3),
        "runs": [round(t, 3) for t in times],
        "nothing_changed_seconds": round(unchanged, 3),
        "warmup_seconds": round(warmup, 3),
        "scores": len(result.scores),
        "behaviour_scored": scored,
        "profile_text": profile_text,
    }


def split_recompute(url: str, database: str) -> dict:
    """The recompute's three parts timed apart (one run): read, compute, write."""
    from datetime import UTC, datetime

    from services.appraisal import store
    from services.appraisal.provisional import score_cycle
    from services.appraisal.recompute import cycle_inputs

    db = appraisal_db(url, database)
    every_score_changed(db)
    t0 = time.perf_counter()
    inputs = cycle_inputs(db, CYCLE)
    t1 = time.perf_counter()
    result = score_cycle(inputs)
    t2 = time.perf_counter()
    store.replace_scores(db, CYCLE, list(result.scores.values()))
    store.mark_computed(db, CYCLE, 1, datetime.now(UTC).isoformat())
    t3 = time.perf_counter()
    db.client.close()
    return {
        "read_inputs": round(t1 - t0, 3),
        "score_cycle": round(t2 - t1, 3),
        "write_scores": round(t3 - t2, 3),
    }
