"""`make bench` (python -m bench): every measurement of issue 11 in one run, on one stack.

Phases, each printed as it starts, with a progress line every couple of seconds:
 1. a fresh `kinerja up` on free ports (kinerja360/harness.py), on RabbitMQ at AMQP_URL when it
    answers, else on the stack's embedded defaults (kombu's filesystem transport);
    SecantusDB is always the stack's own embedded server;
 2. a unit of people and open 360 rounds through the gateway's API;
 3. raw limits: pymongo insert_one and kombu publish→consume on the same servers;
 4. end-to-end ingest: the maximum throughput (closed loop), then the lag at half of it
    (open loop), every stack process's RSS sampled meanwhile;
 5. the gateway's overhead on one read;
 6. a profile of the stack under the same load (py-spy, when installed);
 7. the full recompute of 10,000 employees against one $group (pyinstrument profile);
 8. the tuning steps, each before and after (bench/tuning.py).
Writes bench/results.json and bench/RESULTS.md. BENCH_QUICK=1: short durations and a
2,000-employee recompute, to check the harness itself.
"""

from __future__ import annotations

import json
import os
import shutil
import sys
import tempfile
import time
import traceback
import uuid
from datetime import UTC, datetime
from pathlib import Path

from bench import load, procs, raw, report, tuning
from kinerja.config import Settings
from kinerja360.harness import GatewayClient

HERE = Path(__file__).resolve().parent
QUICK = os.environ.get("BENCH_QUICK", "") not in ("", "0")
# a quick run (a check of the harness) keeps its profiles apart from the full run's
PROFILES = HERE / ("profiles.quick" if QUICK else "profiles")
AMQP_URL = os.environ.get("AMQP_URL", "amqp://guest:guest@127.0.0.1:5672//")

CONFIG = {
    "raw_seconds": 4 if QUICK else 8,
    "raw_warmup": 1 if QUICK else 2,
    "raw_insert_threads": [1, 8],
    "clients": 16,
    "ingest_warmup": 3 if QUICK else 5,
    "ingest_seconds": 8 if QUICK else 30,
    "lag_warmup": 3 if QUICK else 5,
    "lag_seconds": 8 if QUICK else 30,
    "gateway_requests": 100 if QUICK else 400,
    "gateway_warmup": 20 if QUICK else 50,
    "profile_seconds": 6 if QUICK else 12,
    "recompute_employees": 2_000 if QUICK else 10_000,
    "recompute_repeats": 1 if QUICK else 2,
    "group_repeats": 3,
    "tuning_pairs": 1,  # the "before" takes minutes at 10,000 employees
    "live_round_employees": 500,  # step 2: a cycle of this many, and responses streamed in
    "live_round_responses": 60 if QUICK else 200,
    "backlog_events": 200 if QUICK else 1_000,  # step 3
    "staff": 30,
    "rounds": 4 if QUICK else 10,
}

_started = time.monotonic()


def say(message: str) -> None:
    print(f"[{time.monotonic() - _started:6.1f}s] {message}", flush=True)


def phase(title: str) -> None:
    say(f"== {title}")


def progress(prefix: str):
    return lambda message: say(f"   {prefix}: {message}")


def amqp_answers(url: str) -> bool:
    from kombu import Connection

    try:
        with Connection(url, connect_timeout=2) as connection:
            connection.ensure_connection(max_retries=1, timeout=3)
            return True
    except Exception:  # noqa: BLE001 - any failure means: not usable here
        return False


def broker_version(url: str) -> str:
    from kombu import Connection

    try:
        with Connection(url, connect_timeout=2) as connection:
            connection.connect()
            props = connection.connection.server_properties
            return f"{props.get('product', 'AMQP')} {props.get('version', '?')}"
    except Exception:  # noqa: BLE001
        return "AMQP broker (version unknown)"


def clean_up_broker(env: dict) -> None:
    """The queues and exchanges of this run's namespace on the shared RabbitMQ."""
    from kombu import Connection

    from kinerja.bus.topology import Topology
    from kinerja360.components import SERVICE_MODULES

    topology = Topology(env["BUS_NAMESPACE"])
    try:
        with Connection(env["BROKER_URL"], connect_timeout=3) as connection:
            channel = connection.default_channel
            for service in SERVICE_MODULES:
                for queue in (
                    topology.consumer_queue(service, []),
                    topology.dead_letter_queue(service),
                ):
                    try:
                        queue.bind(channel).delete()
                    except Exception:  # noqa: BLE001
                        channel = connection.channel()
            for exchange in (topology.events, topology.replay, topology.dead):
                try:
                    exchange.bind(channel).delete()
                except Exception:  # noqa: BLE001
                    channel = connection.channel()
    except Exception as exc:  # noqa: BLE001
        say(f"   (could not remove the run's queues: {exc!r})")


def main() -> None:
    sys.path.insert(0, str(HERE.parent))
    from kinerja360.harness import Stack, clean_env

    results: dict = {
        "quick": QUICK,
        "config": CONFIG,
        "started_at": datetime.now(UTC).isoformat(timespec="seconds"),
    }
    phase("machine")
    results["machine"] = report.machine()
    for key, value in results["machine"].items():
        say(f"   {key}: {value}")

    namespace = f"bench{uuid.uuid4().hex[:8]}"
    work = Path(tempfile.mkdtemp(prefix="kinerja-bench-"))
    env = clean_env(BUS_NAMESPACE=namespace, JWT_SECRET="bench-" + uuid.uuid4().hex * 2)
    if amqp_answers(AMQP_URL):
        env["BROKER_URL"] = AMQP_URL
        results["broker"] = f"RabbitMQ at AMQP_URL ({broker_version(AMQP_URL)})"
    else:
        results["broker"] = "kombu filesystem transport (embedded default; no broker at AMQP_URL)"
    phase(f"broker: {results['broker']}")

    phase("starting the stack (kinerja up on free ports)")
    stack = Stack(work / "data", env)
    try:
        took = stack.start()
        stack_info = json.loads((work / "data" / "stack.json").read_text())["env"]
        mongo_url = stack_info["MONGO_URL"]
        broker_url = stack_info["BROKER_URL"]
        mongo_pid = procs.mongo_pid_of(work / "data")
        results["stack"] = {
            "port": stack.port,
            "ready_seconds": round(took, 1),
            "web_concurrency": env.get("WEB_CONCURRENCY"),
            "web_threads": env.get("WEB_THREADS", "4"),
        }
        results["machine"]["mongodb"] = report.mongo_version(mongo_url)
        results["machine"]["broker"] = results["broker"]
        say(f"   gateway {stack.url()} ready in {took:.1f} s; MongoDB {mongo_url}")
        say(f"   processes: {', '.join(procs.processes(stack.port, mongo_pid))}")
        run_phases(stack, results, mongo_url, broker_url, mongo_pid, work)
    except Exception:
        results["error"] = traceback.format_exc()
        say("FAILED:\n" + results["error"])
    finally:
        phase("stopping the stack")
        if stack.process is not None:
            try:
                stack.stop()
            except Exception as exc:  # noqa: BLE001
                say(f"   stop: {exc!r}")
                stack.process.kill()
        if env.get("BROKER_URL", "").startswith("amqp"):
            clean_up_broker(env)
        results["finished_at"] = datetime.now(UTC).isoformat(timespec="seconds")
        results["total_seconds"] = round(time.monotonic() - _started, 1)
        results["machine"]["load_average_at_end"] = [round(x, 2) for x in os.getloadavg()]
        out_json = HERE / ("results.quick.json" if QUICK else "results.json")
        out_md = HERE / ("RESULTS.quick.md" if QUICK else "RESULTS.md")
        out_json.write_text(json.dumps(results, indent=2, default=str) + "\n")
        report.write(results, out_md)
        say(f"wrote {out_json.relative_to(HERE.parent)} and {out_md.relative_to(HERE.parent)}")
        print(report.table(results))
        shutil.rmtree(work, ignore_errors=True)
    if "error" in results:
        sys.exit(1)


def run_phases(stack, results, mongo_url, broker_url, mongo_pid, work: Path) -> None:
    settings: Settings = stack.settings()
    api = GatewayClient(stack.url(), settings)

    phase("setting up a unit and its 360 rounds through the gateway")
    pool = load.set_up_unit(api, CONFIG["staff"], CONFIG["rounds"], progress("setup"))
    results["unit"] = {
        "employees": CONFIG["staff"] + 1,
        "rounds": CONFIG["rounds"],
        "assignments": len(pool),
    }
    say(f"   {len(pool)} open assignments")

    phase("raw limit: single-document inserts with pymongo")
    inserts = []
    for threads in CONFIG["raw_insert_threads"]:
        inserts.append(
            raw.mongo_inserts(
                mongo_url,
                threads,
                CONFIG["raw_seconds"],
                CONFIG["raw_warmup"],
                progress("insert_one"),
            )
        )
        say(f"   {threads} thread(s): {inserts[-1]['per_second']} inserts/s")
    results["raw_inserts"] = inserts

    phase("raw limit: publish→consume with kombu")
    # the stack's database and bus, for the harness's own clients of them
    bus_env = {
        "MONGO_URL": mongo_url,
        "BROKER_URL": broker_url,
        "JWT_SECRET": "x",
        "BROKER_FOLDER": str(work / "data" / "broker"),
        "BUS_NAMESPACE": stack.env["BUS_NAMESPACE"],
    }
    options = Settings.from_env("bench", bus_env).broker_options
    results["raw_broker"] = raw.broker_round_trip(
        broker_url, options, CONFIG["raw_seconds"], CONFIG["raw_warmup"], progress("kombu")
    )
    say(f"   {results['raw_broker']['per_second']} messages/s")

    ingest = load.Ingest(api, pool, mongo_url, "kinerja_appraisal")
    sampler = procs.MemorySampler(stack.port, mongo_pid).start()
    named = procs.processes(stack.port, mongo_pid)

    phase(f"end-to-end ingest: maximum throughput, {CONFIG['clients']} closed-loop clients")
    cpu_before, t0 = procs.cpu_seconds(named), time.monotonic()
    ops_before = raw.opcounters(mongo_url)
    maximum = ingest.closed_loop(
        CONFIG["clients"], CONFIG["ingest_warmup"], CONFIG["ingest_seconds"], progress("ingest")
    )
    maximum["cpu_cores_by_process"] = procs.cpu_share(
        cpu_before, procs.cpu_seconds(named), time.monotonic() - t0
    )
    ops = raw.opcounters(mongo_url)
    handled = max(ingest.accepted(), 1)
    # every server operation of the window and the drain after it, per response accepted
    # meanwhile (warm-up included: everything it sent is drained too)
    maximum["server_ops_per_response"] = {
        k: round((ops[k] - ops_before.get(k, 0)) / handled, 1) for k in ops
    }
    results["ingest_max"] = maximum
    say(
        f"   accepted {maximum['accepted_per_second']}/s, reflected "
        f"{maximum['reflected_per_second']}/s"
    )

    rate = max(0.5, min(maximum["accepted_per_second"], maximum["reflected_per_second"]) / 2)
    phase(f"end-to-end lag at half of the maximum: {rate:.1f} responses/s, open loop")
    lag = ingest.open_loop(
        rate,
        CONFIG["lag_warmup"],
        CONFIG["lag_seconds"],
        progress("lag"),
        waiting=event_backlogs(bus_env),
    )
    results["ingest_lag"] = lag
    say(f"   lag p50 {lag['lag_ms_p50']} ms, p99 {lag['lag_ms_p99']} ms over {lag['measured']}")

    phase("gateway overhead: one read through the gateway and straight to the service")
    round_id = sorted(ingest.rounds)[0]
    path = f"/rounds/{round_id}/ratees/{load.nip(1)}/ratings"
    results["gateway"] = load.gateway_overhead(
        api,
        stack.url("appraisal"),
        path,
        CONFIG["gateway_requests"],
        CONFIG["gateway_warmup"],
        progress("gateway"),
    )
    results["memory_mb"] = sampler.stop()
    results["memory_samples"] = sampler.samples
    g = results["gateway"]
    say(f"   p50 gateway {g['gateway_ms_p50']} ms, direct {g['direct_ms_p50']} ms")

    if procs.py_spy() and len(pool) > 200:
        phase(f"profile: py-spy on the stack for {CONFIG['profile_seconds']} s under ingest load")
        results["profile_ingest"] = profile_ingest(ingest, stack, mongo_pid, work)
    else:
        say("   (no py-spy or no assignments left: ingest profile skipped)")

    phase(f"full recompute: {CONFIG['recompute_employees']:,} employees × 10 ratings")
    from kinerja.logs import configure_logging

    configure_logging("bench", "WARNING")  # not a line per recompute
    database = "benchrc_appraisal"
    results["recompute_dataset"] = raw.build_dataset(
        mongo_url, database, CONFIG["recompute_employees"], progress("recompute")
    )
    say("   one $group (mean per ratee) ...")
    results["group"] = raw.time_group(mongo_url, database, CONFIG["group_repeats"])
    say(f"   $group: {results['group']['seconds']} s")
    say("   the worker's recompute (a warm-up under pyinstrument, then timed runs) ...")
    profile_html = PROFILES / "recompute.html"
    profile_html.parent.mkdir(exist_ok=True)
    results["recompute"] = raw.time_recompute(
        mongo_url, database, CONFIG["recompute_repeats"], profile_html
    )
    say(f"   recompute: {results['recompute']['seconds']} s")
    results["recompute_parts"] = raw.split_recompute(mongo_url, database)
    say(f"   parts: {results['recompute_parts']}")
    phase("tuning step 1: the recompute with replace_scores before and after, alternately")
    results["tuning"] = [
        tuning.compare_recompute(
            raw.appraisal_db(mongo_url, database),
            raw.CYCLE,
            "replace_scores",
            CONFIG["tuning_pairs"],
            progress("tuning"),
        )
    ]
    step = results["tuning"][0]
    say(f"   before {step['before']} s, after {step['after']} s")
    phase("tuning step 2: a live round's responses through the appraisal worker, before/after")
    live = f"{database}-live"
    raw.build_dataset(mongo_url, live, CONFIG["live_round_employees"], progress("dataset"))
    live_db = raw.appraisal_db(mongo_url, live)
    staff = [
        e["nip"] for e in live_db["directory_employees"].find({"supervisor_nip": {"$ne": None}})
    ]
    peers = [(staff[i], staff[i + 1]) for i in range(0, CONFIG["live_round_responses"] * 2, 2)]
    results["tuning"].append(
        tuning.compare_live_round(live_db, raw.CYCLE, peers, progress("tuning"))
    )
    step = results["tuning"][1]
    say(f"   before {step['before']}, after {step['after']} responses/s")
    phase("tuning step 3: a backlog of response events through the appraisal consumer")
    appraisal_settings = Settings.from_env("appraisal", bus_env)
    results["tuning"].append(
        tuning.compare_consumer_batching(
            live_db,
            raw.CYCLE,
            backlog_pairs(staff, CONFIG["backlog_events"]),
            appraisal_settings,
            progress("tuning"),
        )
    )
    step = results["tuning"][2]
    say(f"   before {step['before']}, after {step['after']} events/s")
    live_db.client.drop_database(live)
    phase("tuning step 4: the recompute with asdict's deep copies and without, alternately")
    results["tuning"].append(
        tuning.compare_recompute(
            raw.appraisal_db(mongo_url, database),
            raw.CYCLE,
            "shallow_score_docs",
            CONFIG["recompute_repeats"],
            progress("tuning"),
        )
    )
    step = results["tuning"][3]
    say(f"   before {step['before']} s, after {step['after']} s")
    phase("tuning step 5: the recompute writing every score, and only the changed ones")
    results["tuning"].append(
        tuning.compare_changed_only(
            raw.appraisal_db(mongo_url, database),
            raw.CYCLE,
            CONFIG["recompute_repeats"],
            progress("tuning"),
        )
    )
    step = results["tuning"][4]
    say(f"   before {step['before']} s, after {step['after']} s ({step['detail']})")
    text = results["recompute"].pop("profile_text", None)
    if text:
        (PROFILES / "recompute.txt").write_text(text)
    import pymongo

    pymongo.MongoClient(mongo_url).drop_database(database)


def event_backlogs(env: dict):
    """Where the responses' events wait between the feedback service and the appraisal's
    ratings: feedback's outbox (for its relay) and the appraisal's queue (for its consumer)."""
    from kinerja.bus.outbox import Outbox
    from kinerja.bus.topology import Topology, broker_connection, queue_depth
    from kinerja.mongo import connect

    feedback = Settings.from_env("feedback", env)
    appraisal = Settings.from_env("appraisal", env)
    outbox = Outbox(connect(feedback)[feedback.mongo_db])
    queue = Topology.for_settings(appraisal).consumer_queue("appraisal", [])

    def describe() -> str:
        with broker_connection(appraisal) as connection:
            depth = queue_depth(connection, queue)
        return f"feedback outbox {outbox.backlog()}, appraisal queue {depth}"

    return describe


def backlog_pairs(staff: list[str], count: int) -> list[tuple[str, str]]:
    """count distinct (rater, ratee) pairs of different people among the staff."""
    pairs = []
    for n in range(count):
        rater = staff[n % len(staff)]
        ratee = staff[(n + 1 + n // len(staff)) % len(staff)]
        pairs.append((rater, ratee))
    return pairs


def profile_ingest(ingest: load.Ingest, stack, mongo_pid, work: Path) -> dict:
    """py-spy record of the busiest processes while 16 clients submit responses."""
    import threading

    named = procs.processes(stack.port, mongo_pid)
    wanted = {
        name: p.pid
        for name, p in named.items()
        if name.startswith(
            (
                "gateway-web worker",
                "feedback-web worker",
                "feedback-worker",
                "appraisal-worker",
                "mongodb",
            )
        )
    }
    stop = threading.Event()

    def client() -> None:
        while not stop.is_set() and ingest.submit() is not None:
            pass

    clients = [threading.Thread(target=client, daemon=True) for _ in range(CONFIG["clients"])]
    for thread in clients:
        thread.start()
    time.sleep(2)
    cpu_before, t0 = procs.cpu_seconds(named), time.monotonic()
    folder = PROFILES / "ingest"
    shutil.rmtree(folder, ignore_errors=True)
    files = procs.record(wanted, CONFIG["profile_seconds"], folder)
    cores = procs.cpu_share(cpu_before, procs.cpu_seconds(named), time.monotonic() - t0)
    stop.set()
    for thread in clients:
        thread.join(timeout=60)
    summaries = {name: procs.summarize(path) for name, path in files.items()}
    for name, summary in summaries.items():
        top = ", ".join(f"{f} {s:.0%}" for f, s in summary["self"][:3])
        say(f"   {name}: {top}")
    ingest.wait_reflected(progress("profile"), timeout=60)
    return {
        "cpu_cores_by_process": cores,
        "py_spy": summaries,
        "files": {k: str(v.relative_to(HERE.parent)) for k, v in files.items()},
    }


if __name__ == "__main__":
    main()
