"""Load through the gateway: a unit of people set up through the API, then 360 responses
submitted by many concurrent clients, each one followed until the appraisal service holds it.

"Reflected" means: the response's rating is in the appraisal service's own `ratings`
collection (services/appraisal/store.py put_rating, written by its event consumer in the
same transaction that records the event as applied), read straight from MongoDB by the
harness's poller by the rating's id (`<round>:<rater>:<ratee>`). That is what
GET /api/v1/rounds/{round}/ratees/{nip}/ratings on the appraisal service serves.
"""

from __future__ import annotations

import collections
import statistics
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

import requests
from pymongo import MongoClient

from kinerja360.harness import GatewayClient, create_unit, ok, open_unit_round, series_nip

UNIT = "bench-unit"
CYCLE = "2026"
DIMENSIONS = ("orientasi_pelayanan", "integritas", "komitmen", "disiplin", "kerja_sama")
PEERS_PER_RATEE = 20


def nip(index: int) -> str:
    return series_nip(index, born="1985", appointed="201001")


@dataclass
class Pool:
    """Open assignments not yet answered, handed out once each."""

    items: collections.deque = field(default_factory=collections.deque)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def take(self) -> dict | None:
        with self.lock:
            return self.items.popleft() if self.items else None

    def __len__(self) -> int:
        return len(self.items)


def set_up_unit(api: GatewayClient, staff: int, rounds: int, progress) -> Pool:
    """A head and `staff` staff in one unit, through the gateway's directory API, then
    `rounds` open 360 rounds of the unit (each every assignment of the unit, peers up to 20)."""
    boss = nip(0)
    people = [(boss, None, "Kepala Subbagian")] + [
        (nip(i), boss, "Pengadministrasi") for i in range(1, staff + 1)
    ]
    create_unit(api, UNIT, "Unit Uji Kinerja", people)
    progress(f"directory: {len(people)} employees in {UNIT}")
    pool = Pool()
    for opened in range(rounds):
        round_id, assignments = open_unit_round(
            api, UNIT, people, f"bench-{opened}", CYCLE, PEERS_PER_RATEE
        )
        for a in assignments:
            pool.items.append(
                {"round": round_id, "id": a["id"], "rater": a["rater"], "ratee": a["ratee"]}
            )
        progress(f"round {round_id}: {len(assignments)} assignments ({opened + 1}/{rounds})")
    # interleave the rounds' raters, so concurrent clients do not all write one ratee
    items = sorted(pool.items, key=lambda a: a["id"])
    pool.items = collections.deque(items)
    return pool


@dataclass
class Sample:
    key: str  # the rating's id in the appraisal service
    sent: float
    answered: float = 0.0
    status: int = 0
    seen: float = 0.0


class Ingest:
    """Submits responses and follows each until the appraisal service holds it."""

    def __init__(self, api: GatewayClient, pool: Pool, mongo_url: str, appraisal_db: str):
        self.api = api
        self.pool = pool
        self.client = MongoClient(mongo_url, maxPoolSize=4)
        self.ratings = self.client[appraisal_db]["ratings"]
        self.samples: list[Sample] = []
        self.lock = threading.Lock()
        self.errors = collections.Counter()
        self.rounds: set[str] = set()

    def submit(self) -> Sample | None:
        assignment = self.pool.take()
        if assignment is None:
            return None
        score = 55 + int(assignment["id"][:6], 16) % 40
        sample = Sample(
            f"{assignment['round']}:{assignment['rater']}:{assignment['ratee']}", time.monotonic()
        )
        self.rounds.add(assignment["round"])
        try:
            answer = self.api.call(
                "POST",
                f"/feedback/rounds/{assignment['round']}/assignments/{assignment['id']}/submit",
                assignment["rater"],
                {"scores": dict.fromkeys(DIMENSIONS, score)},
            )
            sample.status = answer.status_code
        except requests.RequestException as exc:
            self.errors[type(exc).__name__] += 1
            sample.status = -1
        sample.answered = time.monotonic()
        if not 200 <= sample.status < 300:
            self.errors[str(sample.status)] += 1
        with self.lock:
            self.samples.append(sample)
        return sample

    def accepted(self) -> int:
        with self.lock:
            return sum(1 for s in self.samples if 200 <= s.status < 300)

    def reflected_count(self) -> int:
        return self.ratings.count_documents({"round_id": {"$in": sorted(self.rounds)}})

    # -- closed loop: the maximum throughput -------------------------------------------------

    def closed_loop(self, clients: int, warmup: float, seconds: float, progress) -> dict:
        stop = threading.Event()

        def client() -> None:
            while not stop.is_set():
                if self.submit() is None:
                    return

        threads = [threading.Thread(target=client, daemon=True) for _ in range(clients)]
        for thread in threads:
            thread.start()
        time.sleep(warmup)
        t0 = time.monotonic()
        reflected0 = self.reflected_count()
        with self.lock:
            first = len(self.samples)
        end = t0 + seconds
        while time.monotonic() < end and len(self.pool):
            time.sleep(min(2.0, max(end - time.monotonic(), 0)))
            with self.lock:
                done = len(self.samples) - first
            progress(
                f"{clients} clients: {done} answered in {time.monotonic() - t0:.0f} s, "
                f"{len(self.pool)} assignments left"
            )
        t1 = time.monotonic()
        reflected1 = self.reflected_count()
        stop.set()
        for thread in threads:
            thread.join(timeout=60)
        window = [s for s in self.samples if t0 <= s.answered <= t1]
        accepted = sum(1 for s in window if 200 <= s.status < 300)
        latencies = sorted(s.answered - s.sent for s in window)
        drained = self.wait_reflected(progress, timeout=120)
        return {
            "clients": clients,
            "seconds": round(t1 - t0, 2),
            "accepted": accepted,
            "accepted_per_second": round(accepted / (t1 - t0), 1),
            "reflected_per_second": round((reflected1 - reflected0) / (t1 - t0), 1),
            "answer_ms_p50": _ms(_pct(latencies, 50)),
            "answer_ms_p99": _ms(_pct(latencies, 99)),
            "errors": dict(self.errors),
            "backlog_drain_seconds": drained,
        }

    def wait_reflected(self, progress, timeout: float) -> float | None:
        """Until every accepted response is in the appraisal service; how long it took."""
        started = time.monotonic()
        with self.lock:
            expected = sum(1 for s in self.samples if 200 <= s.status < 300)
        while time.monotonic() - started < timeout:
            count = self.reflected_count()
            if count >= expected:
                return round(time.monotonic() - started, 2)
            progress(f"draining: {count}/{expected} responses reflected")
            time.sleep(1)
        return None

    # -- open loop: the lag at a given rate --------------------------------------------------

    def open_loop(
        self,
        rate: float,
        warmup: float,
        seconds: float,
        progress,
        poll_seconds: float = 0.02,
        waiting=None,
    ) -> dict:
        """Sends at `rate` per second on a fixed schedule (not waiting for answers), and polls
        the appraisal's ratings every `poll_seconds` for the responses not yet seen.
        `waiting`, when given, says where events wait; it is added to each progress line."""
        stop_polling = threading.Event()
        sent: list[Sample] = []
        sent_lock = threading.Lock()
        poll_rounds = [0]

        def poll() -> None:
            while not stop_polling.is_set():
                with sent_lock:
                    pending = {s.key: s for s in sent if not s.seen}
                if pending:
                    now_keys = [
                        d["_id"]
                        for d in self.ratings.find({"_id": {"$in": list(pending)}}, {"_id": 1})
                    ]
                    now = time.monotonic()
                    for key in now_keys:
                        pending[key].seen = now
                    poll_rounds[0] += 1
                stop_polling.wait(poll_seconds)

        def one() -> None:
            sample = self.submit()
            if sample is not None:
                with sent_lock:
                    sent.append(sample)

        poller = threading.Thread(target=poll, daemon=True)
        poller.start()
        executor = ThreadPoolExecutor(max_workers=64)
        begin = time.monotonic()
        t0 = begin + warmup
        end = t0 + seconds
        n = 0
        last_report = begin
        late = 0
        while True:
            due = begin + n / rate
            if due >= end or not len(self.pool):
                break
            now = time.monotonic()
            if due > now:
                time.sleep(due - now)
            elif now - due > 0.1:
                late += 1
            executor.submit(one)
            n += 1
            if time.monotonic() - last_report > 2:
                last_report = time.monotonic()
                with sent_lock:
                    seen = sum(1 for s in sent if s.seen)
                progress(
                    f"{rate:.1f}/s: {n} sent, {seen} reflected, "
                    f"{max(0.0, time.monotonic() - t0):.0f}/{seconds:.0f} s measured"
                    + (f"; waiting: {waiting()}" if waiting else "")
                )
        executor.shutdown(wait=True)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            with sent_lock:
                missing = sum(1 for s in sent if 200 <= s.status < 300 and not s.seen)
            if not missing:
                break
            time.sleep(0.1)
        stop_polling.set()
        poller.join(timeout=5)
        window = [s for s in sent if s.sent >= t0 and 200 <= s.status < 300]
        lags = sorted(max(0.0, s.seen - s.answered) for s in window if s.seen)
        latencies = sorted(s.answered - s.sent for s in window)
        return {
            "rate_per_second": round(rate, 2),
            "seconds": seconds,
            "measured": len(window),
            "never_reflected": sum(1 for s in window if not s.seen),
            "seen_before_answer": sum(1 for s in window if s.seen and s.seen < s.answered),
            "late_sends": late,
            "lag_ms_p50": _ms(_pct(lags, 50)),
            "lag_ms_p90": _ms(_pct(lags, 90)),
            "lag_ms_p99": _ms(_pct(lags, 99)),
            "lag_ms_max": _ms(lags[-1] if lags else None),
            "answer_ms_p50": _ms(_pct(latencies, 50)),
            "answer_ms_p99": _ms(_pct(latencies, 99)),
            "poll_ms": poll_seconds * 1000,
            "polls": poll_rounds[0],
        }


def _pct(values: list[float], pct: float) -> float | None:
    if not values:
        return None
    if len(values) == 1:
        return values[0]
    return (
        statistics.quantiles(values, n=100, method="inclusive")[int(pct) - 1]
        if pct < 100
        else values[-1]
    )


def _ms(seconds: float | None) -> float | None:
    return None if seconds is None else round(seconds * 1000, 1)


# --- 4. gateway overhead ---------------------------------------------------------------------


def gateway_overhead(
    api: GatewayClient, service_url: str, path: str, requests_each: int, warmup: int, progress
) -> dict:
    """The same GET, alternately through the gateway and straight to the service, one at a
    time from one client (keep-alive sessions both ways)."""
    through, direct = [], []
    gateway_path = "/appraisal" + path
    for _ in range(warmup):
        ok(api.call("GET", gateway_path, "hr"))
        ok(api.call("GET", path, "hr", base=service_url))
    for n in range(requests_each):
        for label, times in (("gateway", through), ("direct", direct)):
            started = time.perf_counter()
            if label == "gateway":
                ok(api.call("GET", gateway_path, "hr"))
            else:
                ok(api.call("GET", path, "hr", base=service_url))
            times.append(time.perf_counter() - started)
        if (n + 1) % 100 == 0:
            progress(f"{n + 1}/{requests_each} pairs")
    through.sort()
    direct.sort()
    return {
        "path": path,
        "requests_each": requests_each,
        "gateway_ms_p50": _ms(_pct(through, 50)),
        "gateway_ms_p99": _ms(_pct(through, 99)),
        "direct_ms_p50": _ms(_pct(direct, 50)),
        "direct_ms_p99": _ms(_pct(direct, 99)),
    }
