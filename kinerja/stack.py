"""The embedded local stack behind `kinerja up`: every service and the gateway as
their own processes, plus the backing servers when no URLs are given.

MongoDB: MONGO_URL, else SecantusDB (a MongoDB-compatible server) in the data
folder. Broker: BROKER_URL, else kombu's filesystem transport in the data folder.
"""

from __future__ import annotations

import json
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import click
import requests
from pymongo import MongoClient
from pymongo.errors import PyMongoError

from kinerja.registry import SERVICE_MODULES, declare_topology

STACK_FILE = "stack.json"
DATA_DIR_OPTION = click.option(
    "--data-dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=Path(".kinerja"),
    show_default=True,
    help="Folder of the embedded database and queue; persists between runs.",
)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_for_mongo(url: str, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    client = MongoClient(url, serverSelectionTimeoutMS=500)
    try:
        while True:
            try:
                client.admin.command("ping")
                return
            except PyMongoError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.2)
    finally:
        client.close()


def start_embedded_mongo(data_dir: Path, log_file, port: int | None = None) -> tuple:
    """Start SecantusDB on a free port; returns (process, url)."""
    executable = shutil.which("secantusd-py") or str(Path(sys.executable).parent / "secantusd-py")
    port = port or free_port()
    storage = data_dir / "mongodb"
    storage.mkdir(parents=True, exist_ok=True)
    process = subprocess.Popen(
        [
            executable,
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--storage-path",
            str(storage),
            "--log-level",
            "WARNING",
        ],
        stdout=log_file,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    url = f"mongodb://127.0.0.1:{port}/?directConnection=true"
    wait_for_mongo(url, timeout=30)
    return process, url


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
        )
        log_file.close()

    def stop(self, sig: int = signal.SIGTERM) -> None:
        if self.process and self.process.poll() is None:
            self.process.send_signal(sig)


class LocalStack:
    def __init__(self, port: int = 8080, data_dir: Path = Path(".kinerja"), echo=print):
        self.port = port
        self.data_dir = data_dir.resolve()
        self.echo = echo
        self.children: list[Child] = []
        self.mongo: subprocess.Popen | None = None
        self.env: dict = {}

    @property
    def gateway_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def service_ports(self) -> dict[str, int]:
        return {name: self.port + offset for offset, name in enumerate(SERVICE_MODULES)}

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
                    [sys.executable, "-m", "kinerja.cli", "worker", name],
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

    def stop(self) -> None:
        for child in self.children:
            child.stop()
        deadline = time.monotonic() + 15
        for child in self.children:
            if child.process:
                try:
                    child.process.wait(timeout=max(0.1, deadline - time.monotonic()))
                except subprocess.TimeoutExpired:
                    child.stop(signal.SIGKILL)
        if self.mongo:
            self.mongo.terminate()
            try:
                self.mongo.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.mongo.kill()


def stack_environment(data_dir: Path) -> dict:
    """The URLs of a running local stack, under the environment's own settings."""
    env: dict = {}
    stack_file = data_dir / STACK_FILE
    if stack_file.exists():
        env.update(json.loads(stack_file.read_text())["env"])
        secret = data_dir / "jwt_secret"
        if secret.exists():
            env["JWT_SECRET"] = secret.read_text().strip()
    env.update({k: v for k, v in os.environ.items() if v})
    return env


def local_unit_of_work(service: str, data_dir: Path):
    """A command-line tool's way into one service's database, local stack or URLs."""
    from kinerja.config import ConfigError, Settings
    from kinerja.mongo import UnitOfWork, connect

    try:
        settings = Settings.from_env(service, stack_environment(data_dir))
    except ConfigError as exc:
        raise click.ClickException(f"{exc} (or start the stack with kinerja up)") from exc
    client = connect(settings)
    return UnitOfWork(client, client[settings.mongo_db], service)
