"""Fault drills: while 360 responses and log verifications keep coming, break a part of
the platform, let it recover, and check that every write the platform acknowledged is
reflected exactly once in the appraisal and targets services, and nothing else is.

The drills share one stack and one unit (setting them up takes a minute); each draws
fresh writes, and the expectations accumulate over the module.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
import requests
import yaml

from gateway.upstream import SERVICES
from kinerja.bus.dlq import dead_letter_count
from kinerja.bus.topology import Topology, broker_connection
from kinerja.config import Settings
from kinerja360.components import SERVICE_MODULES
from tests.drills.faults import kill_group, rabbitmq, stack_pids, stack_process
from tests.drills.workload import (
    BOSS,
    STAFF,
    Ledger,
    reflected_output,
    reflected_ratings,
    response_write,
    run_load,
)
from tests.support import wait_for

RESPONSES, VERIFICATIONS = 10, 16
OUTAGE_SECONDS = 5
ALERTS = Path(__file__).resolve().parents[2] / "deploy" / "prometheus" / "alerts.yml"
DEAD_LETTER_METRICS = ("kinerja_events_dead_lettered_total", "kinerja_queue_depth_messages")


def break_mid_load(drill, fault, restore, while_broken=None) -> None:
    """Start the load, break something once a few writes went through, keep it broken
    for a while, restore it, and wait for the load to get all its answers."""
    writes = drill.unit.next_writes(RESPONSES, VERIFICATIONS)
    before = len(drill.ledger.applied)
    load_errors: list[BaseException] = []

    def load():
        try:
            run_load(drill.client, writes, drill.ledger)
        except BaseException as exc:  # noqa: BLE001 - reported by the test below
            load_errors.append(exc)

    thread = threading.Thread(target=load, daemon=True)
    thread.start()
    wait_for(lambda: len(drill.ledger.applied) >= before + 4, timeout=60, message="load")
    fault()
    try:
        if while_broken:
            while_broken()
        time.sleep(OUTAGE_SECONDS)
    finally:
        restore()
    thread.join(timeout=300)
    assert not thread.is_alive(), "the load never finished"
    assert not load_errors, load_errors


def dead_letters(drill) -> dict[str, int]:
    """Each consumer's dead letters: a parked event is an effect missing until a replay."""
    settings = Settings.from_env("appraisal", drill.env)
    topology = Topology.for_settings(settings)
    with broker_connection(settings) as connection:
        return {s: dead_letter_count(connection, topology, s) for s in SERVICE_MODULES}


def assert_reflected_exactly_once(drill, parked: dict | None = None) -> None:
    """The appraisal and targets services show exactly the acknowledged writes, and no
    event is parked in a dead-letter queue but the ones the drill poisoned."""
    ledger: Ledger = drill.ledger
    assert ledger.refused == [], "writes refused after retries: " + repr(ledger.refused[:3])
    ratees = [BOSS, *STAFF]
    expected = (ledger.expected_ratings(), ledger.expected_output())

    def reflected():
        return (
            reflected_ratings(drill.client, drill.unit.round_id, ratees),
            reflected_output(drill.client),
        )

    try:
        wait_for(lambda: reflected() == expected, timeout=120, message="the writes to arrive")
    except AssertionError:
        assert reflected() == expected  # shows the difference
    # and it stays so: nothing arrives twice later
    time.sleep(2)
    assert reflected() == expected
    assert dead_letters(drill) == {s: (parked or {}).get(s, 0) for s in SERVICE_MODULES}


def unready_checks(drill, service: str) -> dict:
    """Once the service's /readyz says 503: its checks."""

    def checks_when_unready():
        answer = requests.get(f"{drill.stack.url(service)}/readyz", timeout=10)
        return answer.status_code == 503 and answer.json()["checks"]

    return wait_for(checks_when_unready, timeout=30, message=f"{service} to say it is not ready")


def assert_recovered_in_place(drill, pids_before: dict) -> None:
    """Ready again, by the same processes: nothing had to be restarted."""
    for service in SERVICES:
        wait_for(
            lambda s=service: requests.get(f"{drill.stack.url(s)}/readyz", timeout=10).ok,
            timeout=60,
            message=f"{service} to be ready again",
        )
    assert stack_pids(drill.stack) == pids_before, "a process had to be restarted"


@pytest.mark.skipif(not shutil.which("rabbitmqctl"), reason="needs rabbitmqctl (local RabbitMQ)")
def test_rabbitmq_stopped_and_started_mid_load(drill):
    pids = stack_pids(drill.stack)
    assert None not in pids.values()

    def while_down():
        for service in SERVICES:
            checks = unready_checks(drill, service)
            assert checks["broker"] != "ok"
            assert checks["mongodb"] == "ok"
            # what Kubernetes asks: the web pods stay in rotation
            serving = requests.get(f"{drill.stack.url(service)}/readyz?require=mongodb", timeout=10)
            assert serving.status_code == 200
        # the outbox keeps writes coming in while the broker is away
        write = response_write(drill.unit.round_id, drill.unit.assignments.pop())
        drill.client.send(write, drill.ledger)
        assert drill.ledger.applied[-1] is write

    break_mid_load(
        drill, lambda: rabbitmq("stop_app"), lambda: rabbitmq("start_app"), while_broken=while_down
    )
    assert_reflected_exactly_once(drill)
    assert_recovered_in_place(drill, pids)


def test_appraisal_consumer_killed_mid_stream_then_restarted(drill):
    worker = stack_process(drill.stack, "appraisal", "worker")
    assert worker is not None
    break_mid_load(drill, lambda: kill_group(worker), lambda: None)
    wait_for(
        lambda: (
            getattr(stack_process(drill.stack, "appraisal", "worker"), "pid", worker.pid)
            != worker.pid
        ),
        timeout=30,
        message="the stack to restart it",
    )
    assert_reflected_exactly_once(drill)


def test_feedback_service_killed_while_writing_then_restarted(drill):
    web = stack_process(drill.stack, "feedback", "web")
    assert web is not None

    def right_after_the_kill():
        # a response sent now finds no feedback service: it is retried until one is back
        retries_before = drill.ledger.retries
        write = response_write(drill.unit.round_id, drill.unit.assignments.pop())
        drill.client.send(write, drill.ledger)
        assert drill.ledger.applied[-1] is write
        assert drill.ledger.retries > retries_before, "the write never noticed the kill"

    break_mid_load(drill, lambda: kill_group(web), lambda: None, right_after_the_kill)
    wait_for(
        lambda: getattr(stack_process(drill.stack, "feedback", "web"), "pid", web.pid) != web.pid,
        timeout=30,
        message="the stack to restart it",
    )
    assert_reflected_exactly_once(drill)


def test_mongodb_stopped_and_started_mid_load(drill):
    pids = stack_pids(drill.stack)
    assert None not in pids.values()
    retries_before = drill.ledger.retries

    def while_down():
        for service in SERVICES:
            assert unready_checks(drill, service)["mongodb"] != "ok"
        # a write is refused clearly, not half-stored: 503, the error shape, Retry-After
        answer = drill.client.call(
            "POST",
            f"/logs/entries/{drill.unit.entries[-1]['id']}/verify",
            BOSS,
            headers={"Idempotency-Key": "never-applied-while-down"},
        )
        assert answer.status_code == 503, answer.text
        assert answer.json()["error"]["code"] == "unavailable"
        assert answer.headers["Retry-After"]

    break_mid_load(drill, drill.mongo.stop, drill.mongo.start, while_broken=while_down)
    assert drill.ledger.retries > retries_before, "the load never noticed the outage"
    assert_reflected_exactly_once(drill)
    assert_recovered_in_place(drill, pids)


def test_a_poison_event_is_dead_lettered_alerted_and_replayed_once(drill):
    """A bad migration makes the appraisal database refuse one rating: its event fails
    every attempt, lands in the dead-letter queue and shows in the alerts' metrics; once
    the migration is fixed, `kinerja events replay-dlq` applies it, once."""
    settings = Settings.from_env("appraisal", drill.env)
    database = drill.mongo_client()[settings.mongo_db]
    poison = response_write(drill.unit.round_id, drill.unit.assignments.pop())
    rater = poison.caller
    database.command(
        "collMod",
        "ratings",
        validator={
            "$jsonSchema": {
                "not": {"required": ["rater_id"], "properties": {"rater_id": {"enum": [rater]}}}
            }
        },
    )
    try:
        drill.client.send(poison, drill.ledger)
        assert drill.ledger.applied[-1] is poison  # feedback took it; appraisal cannot

        wait_for(
            lambda: dead_letters(drill)["appraisal"] == 1, timeout=60, message="the dead letter"
        )
        metrics = requests.get(f"{drill.stack.url('appraisal')}/metrics", timeout=10).text
        assert _sample(metrics, "kinerja_events_dead_lettered_total", "appraisal") >= 1
        wait_for(
            lambda: (
                _sample(
                    requests.get(f"{drill.stack.url('appraisal')}/metrics", timeout=10).text,
                    "kinerja_queue_depth_messages",
                    "appraisal",
                    queue_suffix=".dlq",
                )
                >= 1
            ),
            timeout=60,
            message="the dead-letter queue's depth in the metrics",
        )
        assert _alerted_metrics() == set(DEAD_LETTER_METRICS)
        # meanwhile everything else still flows; the poisoned rating is missing
        missing = drill.ledger.applied.pop()
        assert missing is poison
        assert_reflected_exactly_once(drill, parked={"appraisal": 1})
        drill.ledger.applied.append(poison)
    finally:
        database.command("collMod", "ratings", validator={})  # the fix

    assert "1 replayed" in replay_dlq(drill)
    assert_reflected_exactly_once(drill)
    assert "no dead letters" in replay_dlq(drill)
    assert_reflected_exactly_once(drill)


def replay_dlq(drill) -> str:
    done = subprocess.run(
        [sys.executable, "-m", "kinerja360.cli", "events", "replay-dlq", "--service", "appraisal"]
        + ["--data-dir", str(drill.stack.data_dir)],
        env=drill.env,
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    return done.stdout


def _sample(metrics: str, name: str, service: str, queue_suffix: str = "") -> float:
    total = 0.0
    for line in metrics.splitlines():
        if line.startswith(name + "{") and f'service="{service}"' in line:
            if queue_suffix and f'{queue_suffix}"' not in line:
                continue
            total += float(line.rsplit(" ", 1)[1])
    return total


def _alerted_metrics() -> set[str]:
    """The metrics the dead-letter alerts are written on."""
    rules = yaml.safe_load(ALERTS.read_text())
    found = set()
    for group in rules["groups"]:
        for rule in group["rules"]:
            if "DeadLetter" in rule.get("alert", ""):
                found |= {name for name in DEAD_LETTER_METRICS if name in rule["expr"]}
    return found
