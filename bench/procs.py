"""The stack's processes: found like the fault drills find them (tests/drills/faults.py),
by the BIND address the stack gives each service and the session each child leads.
Memory (RSS) and CPU time per process, and py-spy profiles of them."""

from __future__ import annotations

import collections
import contextlib
import os
import shutil
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

import psutil

SERVICES = ("gateway", "targets", "logs", "feedback", "appraisal")


def _port(base_port: int, service: str) -> int:
    return base_port + SERVICES.index(service)


def leaders(base_port: int, mongo_pid: int | None = None) -> dict[str, psutil.Process]:
    """{"feedback-web": gunicorn master, "feedback-worker": worker process, ...}, plus
    "mongodb" for the embedded server when its pid is known."""
    binds = {f"127.0.0.1:{_port(base_port, s)}": s for s in SERVICES}
    found: dict[str, psutil.Process] = {}
    for process in psutil.process_iter(["cmdline"]):
        try:
            if process.pid != os.getsid(process.pid):
                continue
            service = binds.get(process.environ().get("BIND", ""))
        except (psutil.Error, ProcessLookupError, PermissionError):
            continue
        if service is None:
            continue
        role = "worker" if "worker" in (process.info["cmdline"] or []) else "web"
        found[f"{service}-{role}"] = process
    if mongo_pid:
        with contextlib.suppress(psutil.Error):
            found["mongodb"] = psutil.Process(mongo_pid)
    return dict(sorted(found.items()))


def processes(base_port: int, mongo_pid: int | None = None) -> dict[str, psutil.Process]:
    """Every process by a stable name: gunicorn's master and its workers apart
    ("feedback-web master", "feedback-web worker 1", ...)."""
    named: dict[str, psutil.Process] = {}
    for name, leader in leaders(base_port, mongo_pid).items():
        if name.endswith("-web"):
            named[f"{name} master"] = leader
            try:
                children = sorted(leader.children(), key=lambda p: p.pid)
            except psutil.Error:
                children = []
            for n, child in enumerate(children, 1):
                named[f"{name} worker {n}"] = child
        else:
            named[name] = leader
    return named


def mongo_pid_of(data_dir: Path) -> int | None:
    """The embedded SecantusDB serving the stack's data folder, found by its storage path."""
    storage = str(data_dir / "mongodb")
    for process in psutil.process_iter(["cmdline"]):
        cmdline = process.info["cmdline"] or []
        if any("secantusd" in part for part in cmdline[:2]) and storage in cmdline:
            return process.pid
    return None


@dataclass
class MemorySampler:
    """Samples every stack process's RSS twice a second while running; keeps the max."""

    base_port: int
    mongo_pid: int | None = None
    interval: float = 0.5
    peak_mb: dict[str, float] = field(default_factory=dict)
    samples: int = 0
    _stop: threading.Event = field(default_factory=threading.Event)
    _thread: threading.Thread | None = None

    def _run(self) -> None:
        named = processes(self.base_port, self.mongo_pid)
        refreshed = time.monotonic()
        while not self._stop.is_set():
            if time.monotonic() - refreshed > 5:  # a restarted worker would have a new pid
                named, refreshed = processes(self.base_port, self.mongo_pid), time.monotonic()
            for name, process in named.items():
                try:
                    rss = process.memory_info().rss / 2**20
                except psutil.Error:
                    continue
                self.peak_mb[name] = max(self.peak_mb.get(name, 0.0), rss)
            self.samples += 1
            self._stop.wait(self.interval)

    def start(self) -> MemorySampler:
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()
        return self

    def stop(self) -> dict[str, float]:
        self._stop.set()
        if self._thread:
            self._thread.join(timeout=5)
        return {k: round(v, 1) for k, v in sorted(self.peak_mb.items())}


def cpu_seconds(named: dict[str, psutil.Process]) -> dict[str, float]:
    """user+system CPU seconds so far of each process (the harness itself included)."""
    seconds = {}
    for name, process in {**named, "bench harness": psutil.Process()}.items():
        try:
            times = process.cpu_times()
            seconds[name] = times.user + times.system
        except psutil.Error:
            continue
    return seconds


def cpu_share(before: dict[str, float], after: dict[str, float], wall: float) -> dict[str, float]:
    """Cores used by each process over a window (1.0 = one core busy the whole time)."""
    return {
        name: round((after[name] - before.get(name, 0.0)) / wall, 3)
        for name in after
        if name in before
    }


# --- py-spy --------------------------------------------------------------------------------


def py_spy() -> str | None:
    return shutil.which("py-spy") or (
        str(Path(sys.executable).parent / "py-spy")
        if (Path(sys.executable).parent / "py-spy").exists()
        else None
    )


def record(pids: dict[str, int], seconds: int, folder: Path, rate: int = 50) -> dict[str, Path]:
    """py-spy record (raw collapsed stacks) of several processes at once, in parallel."""
    executable = py_spy()
    if executable is None:
        return {}
    folder.mkdir(parents=True, exist_ok=True)
    running = {}
    for name, pid in pids.items():
        out = folder / f"{name.replace(' ', '_')}.txt"
        running[name] = (
            subprocess.Popen(
                [
                    executable,
                    "record",
                    "--pid",
                    str(pid),
                    "--duration",
                    str(seconds),
                    "--rate",
                    str(rate),
                    "--format",
                    "raw",
                    "--nonblocking",
                    "--output",
                    str(out),
                ],
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            ),
            out,
        )
    files = {}
    for name, (process, out) in running.items():
        try:
            process.wait(timeout=seconds + 30)
        except subprocess.TimeoutExpired:
            process.kill()
        if out.exists() and out.stat().st_size:
            files[name] = out
    return files


def _frame_name(frame: str) -> str:
    # "function (path/to/file.py:123)" -> "function (path/to/file.py)"
    name, _, where = frame.partition(" (")
    file = where.rsplit(":", 1)[0].rstrip(")")
    return f"{name} ({file})" if file else name


# Leaf frames where a thread waits (a socket, a selector, a lock) rather than computes.
WAITING = (
    "recv_into (",
    "_recv_exactly (",
    "readinto (",
    "select (",
    "poll (",
    "wait (threading",
    "_wait_for_tstate_lock",
    "wait_for_signals",
    "accept (",
    "sleep",
    "_worker (concurrent/futures/thread.py",
    "drain_events",
    "_read (amqp/transport.py",
)
OWN_CODE = ("kinerja/", "services/", "gateway/")


def summarize(path: Path, top: int = 8) -> dict:
    """Where a process's samples went (py-spy samples threads that are not idle, but a thread
    blocked in a socket read counts): the share spent waiting on I/O, the busiest leaf frames
    otherwise, the project's own frames by inclusive share, and, for the database server,
    its time by command."""
    self_counts: collections.Counter = collections.Counter()
    own: collections.Counter = collections.Counter()
    commands: collections.Counter = collections.Counter()
    total = waiting = 0
    for line in path.read_text(errors="replace").splitlines():
        stack, _, count = line.rpartition(" ")
        if not stack or not count.isdigit():
            continue
        n = int(count)
        frames = [_frame_name(f) for f in stack.split(";")]
        frames = [f for f in frames if " (" in f]  # drop the process / thread labels
        if not frames:
            continue
        total += n
        leaf = frames[-1]
        if any(word in leaf for word in WAITING):
            waiting += n
        else:
            self_counts[leaf] += n
        for frame in set(frames):
            if frame.split(" (", 1)[1].startswith(OWN_CODE):
                own[frame] += n
        for index, frame in enumerate(frames[:-1]):
            if frame.startswith("dispatch (secantus/commands.py"):
                if not any(word in leaf for word in WAITING):
                    commands[frames[index + 1].split(" (", 1)[0]] += n
                break
    share = lambda c: round(c / max(total, 1), 3)  # noqa: E731
    return {
        "samples": total,
        "waiting_share": share(waiting),
        "self": [(f, share(c)) for f, c in self_counts.most_common(top)],
        "own_code": [(f, share(c)) for f, c in own.most_common(top)],
        "commands": [(f, share(c)) for f, c in commands.most_common(top)],
    }
