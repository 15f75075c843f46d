"""`kinerja up` as a process on free ports, for the end-to-end and browser tests."""

from __future__ import annotations

import contextlib
import os
import random
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import requests

from kinerja.config import Settings
from tests.support import wait_for

SERVICES = ("targets", "logs", "feedback", "appraisal")


def free_port_block(size: int = 5) -> int:
    for _ in range(100):
        base = random.randint(20000, 40000)
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
        offset = 0 if service == "gateway" else SERVICES.index(service) + 1
        return f"http://127.0.0.1:{self.port + offset}"

    def start(self, *flags: str) -> float:
        """Seconds until the gateway's /readyz said 200; returns once `up` says it runs."""
        started = time.monotonic()
        self.output.write_text("")
        command = [sys.executable, "-m", "kinerja.cli", "up", "--port", str(self.port)]
        command += ["--data-dir", str(self.data_dir), *flags]
        with open(self.output, "ab") as out:
            self.process = subprocess.Popen(
                command, env=self.env, stdout=out, stderr=subprocess.STDOUT
            )
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

    def stop(self) -> int:
        self.process.send_signal(signal.SIGINT)
        return self.process.wait(timeout=40)


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
