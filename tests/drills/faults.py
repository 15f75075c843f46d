"""The faults the drills stage: a database that stops, a broker that stops, processes
killed with SIGKILL. Each returns only when the fault is in place."""

from __future__ import annotations

import os
import signal
import subprocess
import time
from pathlib import Path

import psutil

from gateway.upstream import SERVICES
from kinerja.local import start_embedded_mongo, wait_for_mongo
from kinerja360.harness import Stack


class ControlledMongo:
    """A MongoDB-compatible server the drill can stop and start on the same port and data."""

    def __init__(self, folder: Path, port: int):
        self.folder = folder
        self.port = port
        self.url = f"mongodb://127.0.0.1:{port}/?directConnection=true"
        self.process: subprocess.Popen | None = None

    def start(self) -> None:
        with open(self.folder / "server.log", "ab") as log_file:
            self.process, _ = start_embedded_mongo(self.folder, log_file, port=self.port)
        wait_for_mongo(self.url, timeout=30)

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=10)


def rabbitmq(action: str) -> None:
    """`rabbitmqctl stop_app` or `start_app` on the local broker."""
    subprocess.run(["rabbitmqctl", action], check=True, capture_output=True, timeout=120)


def stack_process(stack: Stack, service: str, role: str) -> psutil.Process | None:
    """The leader of one of the stack's process groups: a service's web (gunicorn's
    master) or worker, found by the address the stack gave it; None while there is none."""
    bind = f"127.0.0.1:{stack.url(service).rsplit(':', 1)[1]}"
    for process in psutil.process_iter(["cmdline"]):
        try:
            if process.pid != os.getsid(process.pid):
                continue
            if process.environ().get("BIND") != bind:
                continue
        except (psutil.Error, ProcessLookupError, PermissionError):
            continue
        is_worker = "worker" in (process.info["cmdline"] or [])
        if is_worker == (role == "worker"):
            return process
    return None


def stack_pids(stack: Stack) -> dict[str, int | None]:
    return {
        f"{service}-{role}": getattr(stack_process(stack, service, role), "pid", None)
        for service in SERVICES
        for role in ("web", "worker")
    }


def kill_group(process: psutil.Process) -> None:
    """SIGKILL the process and its children (gunicorn's workers share its group)."""
    os.killpg(process.pid, signal.SIGKILL)
    deadline = time.monotonic() + 10
    while process.is_running() and process.status() != psutil.STATUS_ZOMBIE:
        if time.monotonic() > deadline:
            raise TimeoutError(f"process {process.pid} survived SIGKILL")
        time.sleep(0.05)
