"""The local servers and how the commands find them: the embedded MongoDB-compatible
server, the data folder a local stack keeps its URLs in, a command's way into a service's
database. What `kinerja up` runs on (kinerja360/stack.py) and every component's own
commands read.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from urllib.parse import urlsplit

import click
from pymongo import MongoClient
from pymongo.errors import PyMongoError

PR_SET_PDEATHSIG = 1  # linux/prctl.h


class StackError(Exception):
    """Why the stack cannot start, in one line that names the fix."""


def die_with_parent() -> Callable[[], None]:
    """A preexec_fn: the child gets SIGTERM when this process dies (Linux; elsewhere a no-op).

    Set between fork and exec; should the parent have died in between, the child ends at
    once instead of living on under init.
    """
    parent = os.getpid()
    libc_name = ctypes.util.find_library("c") if sys.platform.startswith("linux") else None
    libc = ctypes.CDLL(libc_name, use_errno=True) if libc_name else None

    def preexec() -> None:
        if libc is None:
            return
        libc.prctl(PR_SET_PDEATHSIG, signal.SIGTERM, 0, 0, 0)
        if os.getppid() != parent:
            os._exit(1)

    return preexec


def public_url(url: str) -> str:
    """The URL without its password, for a message."""
    parts = urlsplit(url)
    if parts.password is None:
        return url
    host = parts.hostname or ""
    user = f"{parts.username}:***@" if parts.username else ""
    port = f":{parts.port}" if parts.port else ""
    return parts._replace(netloc=f"{user}{host}{port}").geturl()


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


def embedded_mongo_executable() -> str | None:
    """SecantusDB's server, from the PATH or beside this Python; None when not installed."""
    found = shutil.which("secantusd-py")
    beside = Path(sys.executable).parent / "secantusd-py"
    return found or (str(beside) if beside.exists() else None)


def start_embedded_mongo(data_dir: Path, log_file, port: int | None = None) -> tuple:
    """Start SecantusDB on a free port; returns (process, url)."""
    executable = embedded_mongo_executable()
    if executable is None:
        raise StackError(
            "the embedded MongoDB server (secantusd-py) is not installed: "
            "pip install 'kinerja360[embedded]', or set MONGO_URL to a MongoDB server"
        )
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
        preexec_fn=die_with_parent(),
    )
    url = f"mongodb://127.0.0.1:{port}/?directConnection=true"
    wait_for_mongo(url, timeout=30)
    return process, url


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
