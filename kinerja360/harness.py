"""`kinerja up` as a process on free ports: the one harness of the end-to-end, browser,
security and drill tests, the performance bench and the load run.

A stack stops as an operator stops it (SIGTERM); one that does not stop within the stack's
own grace period is killed, its whole tree, and the test fails saying so. Every stack
started is tracked until it stops, so that the session's guard (tests/conftest.py) can stop
whatever a test left running, and each `kinerja up` gets SIGTERM should the test run die.
"""

from __future__ import annotations

import contextlib
import itertools
import os
import random
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import psutil
import requests

from kinerja.auth import issue_access_token
from kinerja.config import Settings
from kinerja.local import die_with_parent
from kinerja360.components import SERVICE_MODULES
from kinerja360.stack import GRACE_SECONDS
from services.feedback.assignments import Person, generate_assignments

STOP_TIMEOUT_SECONDS = GRACE_SECONDS + 10
RUNNING: set[Stack] = set()


def wait_for(condition: Callable[[], object], timeout: float = 15, message: str = "") -> object:
    """The condition's first true value, polled every 50 ms; fails after `timeout`."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(0.05)
    raise AssertionError(f"timed out after {timeout}s waiting for {message or condition}")


def free_port_block(size: int = 5) -> int:
    for _ in range(100):
        # below Linux's ephemeral range (32768 up): an outgoing connection of any process
        # could otherwise take a probed port before the stack binds it
        base = random.randint(20000, 32000)
        try:
            for port in range(base, base + size):
                with socket.socket() as sock:
                    sock.bind(("127.0.0.1", port))
        except OSError:
            continue
        return base
    raise RuntimeError("no free block of ports")


class Stack:
    def __init__(self, data_dir: Path, env: dict):
        self.data_dir = data_dir
        self.port = free_port_block()
        self.env = env
        self.process: subprocess.Popen | None = None
        self.output = data_dir.parent / f"up-{self.port}.log"

    def url(self, service: str = "gateway") -> str:
        offset = list(SERVICE_MODULES).index(service)
        return f"http://127.0.0.1:{self.port + offset}"

    def start(self, *flags: str, ignoring: tuple[int, ...] = ()) -> float:
        """Seconds until the gateway's /readyz said 200; returns once `up` says it runs.

        `ignoring`: signals `up` inherits as ignored, as a shell's background job does SIGINT.
        """
        started = time.monotonic()
        self.output.write_text("")
        command = [sys.executable, "-m", "kinerja360.cli", "up", "--port", str(self.port)]
        command += ["--data-dir", str(self.data_dir), *flags]
        with open(self.output, "ab") as out:
            self.process = subprocess.Popen(
                command,
                env=self.env,
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,
                preexec_fn=_preexec(ignoring),
            )
        RUNNING.add(self)
        wait_for(self._ready, timeout=60, message=f"gateway ready (see {self.output})")
        took = time.monotonic() - started
        # the demo data loads before the stack says it is running: a minute or more
        wait_for(lambda: "is running at" in self.output.read_text(), timeout=300)
        return took

    def _ready(self) -> bool:
        assert self.process.poll() is None, self.output.read_text()
        try:
            return requests.get(f"{self.url()}/readyz", timeout=2).status_code == 200
        except requests.RequestException:
            return False

    def settings(self) -> Settings:
        secret = self.env.get("JWT_SECRET") or (self.data_dir / "jwt_secret").read_text().strip()
        return Settings.from_env(
            "test", {"MONGO_URL": "x", "BROKER_URL": "x", "JWT_SECRET": secret}
        )

    def processes(self) -> list[psutil.Process]:
        """`kinerja up` and every process under it, while it runs."""
        try:
            top = psutil.Process(self.process.pid)
            return [top, *top.children(recursive=True)]
        except psutil.NoSuchProcess:
            return []

    def stop(self) -> int:
        """SIGTERM, as an operator would; its exit status. Killed and failed after the grace."""
        tree = self.processes()
        try:
            self.process.send_signal(signal.SIGTERM)
            try:
                return self.process.wait(timeout=STOP_TIMEOUT_SECONDS)
            except subprocess.TimeoutExpired:
                kill(tree)
                self.process.wait()
                raise AssertionError(
                    f"kinerja up did not stop within {STOP_TIMEOUT_SECONDS} s of SIGTERM; "
                    f"its {len(tree)} processes were killed (see {self.output})"
                ) from None
        finally:
            RUNNING.discard(self)


def _preexec(ignoring: tuple[int, ...]):
    with_parent = die_with_parent()

    def preexec() -> None:
        for signum in ignoring:
            signal.signal(signum, signal.SIG_IGN)
        with_parent()

    return preexec


def kill(processes: list[psutil.Process]) -> None:
    for process in processes:
        with contextlib.suppress(psutil.NoSuchProcess):
            process.kill()
    psutil.wait_procs(processes, timeout=10)


def stop_every_stack() -> list[str]:
    """Stop the stacks still running; what went wrong with each, if anything."""
    problems = []
    for stack in list(RUNNING):
        try:
            stack.stop()
        except AssertionError as exc:
            problems.append(str(exc))
    return problems


def clean_env(**extra) -> dict:
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in ("MONGO_URL", "BROKER_URL", "JWT_SECRET", "PROMETHEUS_MULTIPROC_DIR")
    }
    env.update(WEB_CONCURRENCY="2", **extra)
    return env


@contextlib.contextmanager
def demo_stack(folder: Path) -> Iterator[Stack]:
    """The whole platform with its demo data on free ports, for a with-block."""
    stack = Stack(folder / "data", clean_env())
    stack.start("--demo")
    try:
        yield stack
    finally:
        stack.stop()


# --- a unit of people, set up through the gateway as HR would -------------------------


def series_nip(index: int, born: str, appointed: str) -> str:
    """A well-formed, fictional NIP of a series: a birth year (`born`, YYYY) and an
    appointment month (`appointed`, YYYYMM) shared by the series, `index` for the rest."""
    # the serial takes 001-999; past it the birth month and day move on, so up to
    # 999 x 12 x 28 people get distinct, well-formed NIPs
    serial, rest = index % 999 + 1, index // 999
    month, day = (index + rest) % 12 + 1, (index + rest // 12) % 28 + 1
    return f"{born}{month:02d}{day:02d}{appointed}1{serial:03d}"


class GatewayClient:
    """Calls through the gateway (or, with `base`, straight to a service) as anyone:
    tokens minted with the stack's key and reused for ten minutes, one requests.Session
    per thread. The caller "hr" holds the hr role; anyone else employee and supervisor
    (the services decide by the directory what each may do)."""

    TOKEN_SECONDS = 600

    def __init__(self, gateway_url: str, settings: Settings):
        self.gateway_url = gateway_url
        self.settings = settings
        self.local = threading.local()
        self._tokens: dict[str, tuple[float, dict]] = {}
        self._lock = threading.Lock()

    def headers(self, caller: str) -> dict:
        with self._lock:
            minted = self._tokens.get(caller)
            if minted is None or time.monotonic() - minted[0] > self.TOKEN_SECONDS:
                roles = ["hr"] if caller == "hr" else ["employee", "supervisor"]
                token = issue_access_token(self.settings, caller, roles)
                minted = (time.monotonic(), {"Authorization": f"Bearer {token}"})
                self._tokens[caller] = minted
            return minted[1]

    @property
    def session(self) -> requests.Session:
        if not hasattr(self.local, "session"):
            self.local.session = requests.Session()
        return self.local.session

    def call(
        self,
        method: str,
        path: str,
        caller: str,
        body=None,
        base: str | None = None,
        timeout: float = 30,
        **extra,
    ) -> requests.Response:
        """`path` under /api/v1; `extra` goes to requests (headers are added to the token's)."""
        return self.session.request(
            method,
            f"{base or self.gateway_url}/api/v1{path}",
            json=body,
            headers={**self.headers(caller), **extra.pop("headers", {})},
            timeout=timeout,
            **extra,
        )


def ok(answer: requests.Response) -> requests.Response:
    """The answer, or an AssertionError naming the request and what came back."""
    if not answer.ok:
        raise AssertionError(
            f"{answer.request.method} {answer.url}: {answer.status_code} {answer.text[:300]}"
        )
    return answer


def create_unit(
    client: GatewayClient, unit_id: str, name: str, people: list[tuple[str, str | None, str]]
) -> None:
    """A unit and its people, each (nip, supervisor's nip, position), through the
    directory's API; the services learn them from the directory's events."""
    ok(client.call("POST", "/directory/units", "hr", {"id": unit_id, "name": name}))
    for number, supervisor, position in people:
        employee = {
            "nip": number,
            "name": f"Pegawai {number[-3:]}",
            "unit_id": unit_id,
            "golongan": "III/a",
            "position_kind": "functional",
            "education": "S-1",
            "position": position,
            "supervisor_nip": supervisor,
        }
        ok(client.call("POST", "/directory/employees", "hr", employee))


def open_unit_round(
    client: GatewayClient,
    unit_id: str,
    people: list[tuple[str, str | None, str]],
    round_prefix: str,
    cycle: str,
    peers_per_ratee: int = 3,
    timeout: float = 180,
) -> tuple[str, list[dict]]:
    """A 360 round of the unit opened once the feedback service knows all of it: the
    directory reaches it by events, so a round opened too early misses people; such a
    round is closed and another opened. Returns the round's id and its assignments."""
    persons = [Person(n, s, unit_id) for n, s, _ in people]
    expected = len(generate_assignments(persons, peers_per_ratee))
    deadline = time.monotonic() + timeout
    for attempt in itertools.count():  # ends by returning or by the deadline
        round_id = f"{round_prefix}-{attempt}"
        body = {
            "id": round_id,
            "cycle": cycle,
            "deadline": "2030-12-31",
            "unit_id": unit_id,
            "peers_per_ratee": peers_per_ratee,
        }
        ok(client.call("POST", "/feedback/rounds", "hr", body))
        assignments = ok(client.call("GET", f"/feedback/rounds/{round_id}/assignments", "hr"))
        if len(assignments.json()) == expected:
            return round_id, assignments.json()
        ok(client.call("POST", f"/feedback/rounds/{round_id}/close", "hr"))
        if time.monotonic() > deadline:
            raise AssertionError("feedback never learned the whole unit")
        time.sleep(1)
