"""The embedded local stack behind `kinerja up`: every service and the gateway as
their own processes, plus the backing servers when no URLs are given.

MongoDB: MONGO_URL, else SecantusDB (a MongoDB-compatible server) in the data
folder. Broker: BROKER_URL, else kombu's filesystem transport in the data folder.

Every child runs in a session of its own, so that a terminal's Ctrl-C reaches the stack
alone and it stops them in order: the web servers first (no request cut mid-write), then
the workers (their batches commit), the database last, each stage escalating to SIGKILL
of the child's whole process group after its grace period. On Linux each child also gets
SIGTERM when the stack's process dies, however it dies, so none can outlive it.
"""

from __future__ import annotations

import contextlib
import json
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import requests
from pymongo import MongoClient
from pymongo.errors import PyMongoError

from kinerja.local import (
    STACK_FILE,
    StackError,
    die_with_parent,
    public_url,
    start_embedded_mongo,
)
from kinerja360.components import SERVICE_MODULES, declare_topology

# gunicorn's graceful_timeout is 10 s, a worker gives its threads 10 s to finish a batch
WEB_GRACE_SECONDS = 15
WORKER_GRACE_SECONDS = 15
DATABASE_GRACE_SECONDS = 10
GRACE_SECONDS = WEB_GRACE_SECONDS + WORKER_GRACE_SECONDS + DATABASE_GRACE_SECONDS
CHECK_TIMEOUT_SECONDS = 3


@dataclass
class Child:
    name: str
    argv: list[str]
    env: dict
    log_path: Path
    process: subprocess.Popen | None = None
    restarts: list[float] = field(default_factory=list)

    def start(self) -> None:
        log_file = open(self.log_path, "ab")  # noqa: SIM115 - the child owns it while it runs
        self.process = subprocess.Popen(
            self.argv,
            env=self.env,
            stdout=log_file,
            stderr=subprocess.STDOUT,
            start_new_session=True,
            preexec_fn=die_with_parent(),
        )
        log_file.close()

    @property
    def running(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def signal(self, sig: int) -> None:
        """To the child's whole process group: a gunicorn master and its workers alike."""
        if self.process is None:
            return
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(self.process.pid, sig)


def stop_in_order(
    stages: list[tuple[list[Child], float]], hurry: Callable[[], bool] = lambda: False
) -> bool:
    """SIGTERM each stage, wait out its grace, SIGKILL what is left; True if none needed it.

    `hurry` (a second Ctrl-C) cuts every remaining grace period short.
    """
    clean = True
    for children, grace in stages:
        for child in children:
            child.signal(signal.SIGTERM)
        deadline = time.monotonic() + grace
        while any(c.running for c in children) and time.monotonic() < deadline and not hurry():
            time.sleep(0.1)
        for child in children:
            if child.running:
                clean = False
                child.signal(signal.SIGKILL)
            if child.process is not None:
                child.process.wait()
            child.signal(signal.SIGKILL)  # anything its group left behind
    return clean


class LocalStack:
    def __init__(self, port: int = 8080, data_dir: Path = Path(".kinerja"), echo=print):
        self.port = port
        self.data_dir = data_dir.resolve()
        self.echo = echo
        self.children: list[Child] = []
        self.mongo: subprocess.Popen | None = None
        self.env: dict = {}
        self.hurry = False  # set on a second stop signal: no more grace

    @property
    def gateway_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def service_ports(self) -> dict[str, int]:
        return {name: self.port + offset for offset, name in enumerate(SERVICE_MODULES)}

    def check(self) -> None:
        """Before anything starts: the data folder, the ports and the servers given by URL.

        Each problem is a StackError naming its fix.
        """
        self._check_data_dir()
        for name, port in self.service_ports().items():
            if not _port_is_free(port):
                raise StackError(
                    f"port {port} (the {name}'s) is already in use: stop what listens there "
                    "(another kinerja up?), or choose other ports with --port"
                )
        if os.environ.get("MONGO_URL"):
            _check_mongo(os.environ["MONGO_URL"])
        if os.environ.get("BROKER_URL"):
            _check_broker(os.environ["BROKER_URL"])

    def _check_data_dir(self) -> None:
        probe = self.data_dir / ".write-check"
        try:
            self.data_dir.mkdir(parents=True, exist_ok=True)
            probe.write_text("")
            probe.unlink()
        except OSError as exc:
            raise StackError(
                f"cannot write to the data folder {self.data_dir} ({exc.strerror or exc}): "
                "choose another with --data-dir, or make it writable"
            ) from exc

    def prepare(self) -> dict:
        """Backing servers and the environment every child gets."""
        logs = self.data_dir / "logs"
        logs.mkdir(parents=True, exist_ok=True)
        env = dict(os.environ)
        if not env.get("MONGO_URL"):
            with open(logs / "mongodb.log", "ab") as log_file:
                self.mongo, env["MONGO_URL"] = start_embedded_mongo(self.data_dir, log_file)
            self.echo(f"MongoDB: embedded SecantusDB at {env['MONGO_URL']}")
        else:
            self.echo("MongoDB: MONGO_URL from the environment")
        if not env.get("BROKER_URL"):
            env["BROKER_URL"] = "filesystem://"
            env["BROKER_FOLDER"] = str(self.data_dir / "broker")
            for sub in ("queue", "control"):
                (self.data_dir / "broker" / sub).mkdir(parents=True, exist_ok=True)
            self.echo("Broker: embedded kombu filesystem transport")
        else:
            self.echo("Broker: BROKER_URL from the environment")
        env.setdefault("JWT_SECRET", self._jwt_secret())
        for name, port in self.service_ports().items():
            if name != "gateway":
                env[f"{name.upper()}_URL"] = f"http://127.0.0.1:{port}"
        self.env = env
        shared = {k: env[k] for k in env if k.endswith("_URL") or k in ("BROKER_FOLDER",)}
        (self.data_dir / STACK_FILE).write_text(json.dumps({"env": shared, "port": self.port}))
        return env

    def _jwt_secret(self) -> str:
        path = self.data_dir / "jwt_secret"
        if not path.exists():
            path.write_text(secrets.token_urlsafe(48))
            path.chmod(0o600)
        return path.read_text().strip()

    def start(self) -> None:
        env = self.prepare()
        declare_topology(env)
        metrics_root = self.data_dir / "metrics"
        shutil.rmtree(metrics_root, ignore_errors=True)
        for name, port in self.service_ports().items():
            module = SERVICE_MODULES[name]
            child_env = {
                **env,
                "BIND": f"127.0.0.1:{port}",
                "PROMETHEUS_MULTIPROC_DIR": str(metrics_root / name),
                # the stack wipes the folder once, so web and worker can share it
                "KINERJA_KEEP_METRICS": "1",
            }
            (metrics_root / name).mkdir(parents=True, exist_ok=True)
            logs = self.data_dir / "logs"
            self.children += [
                Child(
                    f"{name}-web",
                    [
                        sys.executable,
                        "-m",
                        "gunicorn",
                        "--config",
                        "python:kinerja.gunicorn_conf",
                        f"{module}:create_app()",
                    ],
                    child_env,
                    logs / f"{name}-web.log",
                ),
                Child(
                    f"{name}-worker",
                    [sys.executable, "-m", "kinerja360.cli", "worker", name],
                    child_env,
                    logs / f"{name}-worker.log",
                ),
            ]
        for child in self.children:
            child.start()

    def wait_ready(self, timeout: float = 60) -> dict:
        deadline = time.monotonic() + timeout
        last: dict = {}
        while time.monotonic() < deadline:
            try:
                answer = requests.get(f"{self.gateway_url}/readyz", timeout=3)
                last = answer.json()
                if answer.status_code == 200:
                    return last
            except (requests.RequestException, ValueError):
                pass
            self._restart_crashed()
            time.sleep(0.5)
        raise TimeoutError(f"the stack was not ready in {timeout:.0f} s: {last}")

    def supervise(self) -> None:
        """Keep the children running until interrupted."""
        while True:
            self._restart_crashed()
            time.sleep(1)

    def _restart_crashed(self) -> None:
        for child in self.children:
            if child.process and child.process.poll() is not None:
                now = time.monotonic()
                child.restarts = [t for t in child.restarts if now - t < 60] + [now]
                if len(child.restarts) > 5:
                    raise RuntimeError(f"{child.name} keeps crashing; see {child.log_path}")
                self.echo(f"{child.name} exited ({child.process.returncode}); restarting")
                child.start()

    def stop(self) -> bool:
        """Web servers, then workers, then the database; True if each stopped in its grace."""
        web = [c for c in self.children if c.name.endswith("-web")]
        workers = [c for c in self.children if c not in web]
        database = []
        if self.mongo is not None:
            database.append(Child("mongodb", [], {}, self.data_dir / "logs", self.mongo))
        return stop_in_order(
            [
                (web, WEB_GRACE_SECONDS),
                (workers, WORKER_GRACE_SECONDS),
                (database, DATABASE_GRACE_SECONDS),
            ],
            hurry=lambda: self.hurry,
        )


def _port_is_free(port: int) -> bool:
    """As gunicorn binds (SO_REUSEADDR): a listener makes it busy, a closing socket does not."""
    with socket.socket() as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


def _check_mongo(url: str) -> None:
    client = MongoClient(url, serverSelectionTimeoutMS=CHECK_TIMEOUT_SECONDS * 1000)
    try:
        client.admin.command("ping")
    except PyMongoError as exc:
        raise StackError(
            f"MONGO_URL ({public_url(url)}) does not answer: start that MongoDB server, or "
            "unset MONGO_URL to use the embedded one"
        ) from exc
    finally:
        client.close()


def _check_broker(url: str) -> None:
    from kombu import Connection

    try:
        with Connection(url, connect_timeout=CHECK_TIMEOUT_SECONDS) as connection:
            connection.ensure_connection(max_retries=1, timeout=CHECK_TIMEOUT_SECONDS)
    except Exception as exc:  # kombu raises its transports' own errors
        raise StackError(
            f"BROKER_URL ({public_url(url)}) does not answer: start that broker, or unset "
            "BROKER_URL to use the embedded one"
        ) from exc
