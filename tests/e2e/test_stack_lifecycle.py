"""`kinerja up` starts and stops as a well-behaved program: SIGTERM, SIGHUP and a SIGINT it
inherited as ignored all stop it in order, leaving no process and no listening port; killed
outright, its processes follow it; a reason it cannot start is one line and exit status 2."""

from __future__ import annotations

import signal
import socket
import subprocess
import sys

import psutil
from click.testing import CliRunner

from kinerja import local
from kinerja360 import cli
from kinerja360.harness import RUNNING, Stack, clean_env, free_port_block
from kinerja360.stack import GRACE_SECONDS

PORTS = 5  # the gateway and the four services


def listening(port: int) -> bool:
    with socket.socket() as sock:
        sock.settimeout(1)
        return sock.connect_ex(("127.0.0.1", port)) == 0


def assert_gone(stack: Stack, tree: list[psutil.Process]) -> None:
    _, alive = psutil.wait_procs(tree, timeout=GRACE_SECONDS)
    assert alive == [], [p.pid for p in alive]
    assert not any(listening(stack.port + k) for k in range(PORTS))


def stopped_by(stack: Stack, signum: int) -> int:
    tree = stack.processes()
    assert len(tree) > 10  # up, five gunicorn masters with workers, five workers, the database
    stack.process.send_signal(signum)
    try:
        status = stack.process.wait(timeout=GRACE_SECONDS)
    finally:
        RUNNING.discard(stack)
    assert_gone(stack, tree)
    return status


def test_sigterm_stops_every_process_in_order_and_frees_every_port(tmp_path):
    stack = Stack(tmp_path / "data", clean_env())
    stack.start()
    assert stopped_by(stack, signal.SIGTERM) == cli.STOPPED
    assert "Stopping (SIGTERM)..." in stack.output.read_text()


def test_a_background_job_s_ignored_sigint_still_stops_it(tmp_path):
    """`kinerja up &` in a script starts with SIGINT ignored; Ctrl-C must still work."""
    stack = Stack(tmp_path / "data", clean_env())
    stack.start(ignoring=(signal.SIGINT,))
    assert stopped_by(stack, signal.SIGINT) == cli.STOPPED


def test_sighup_stops_it_like_sigterm(tmp_path):
    stack = Stack(tmp_path / "data", clean_env())
    stack.start()
    assert stopped_by(stack, signal.SIGHUP) == cli.STOPPED
    assert "Stopping (SIGHUP)..." in stack.output.read_text()


def test_killed_outright_its_processes_follow_it(tmp_path):
    """SIGKILL leaves `up` no chance to stop anything: each child learns its parent died."""
    stack = Stack(tmp_path / "data", clean_env())
    stack.start()
    tree = stack.processes()
    stack.process.kill()
    stack.process.wait()
    RUNNING.discard(stack)
    assert_gone(stack, tree[1:])


def up(*args: str, **env: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "kinerja360.cli", "up", *args],
        env=clean_env(**env),
        capture_output=True,
        text=True,
        timeout=60,
    )


def assert_one_line(result: subprocess.CompletedProcess, *words: str) -> None:
    assert result.returncode == cli.CANNOT_START, result.stdout + result.stderr
    assert "Traceback" not in result.stdout + result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: "), result.stderr
    for word in words:
        assert word in lines[0]


def test_a_taken_port_is_named_with_its_fix(tmp_path):
    base = free_port_block()
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", base + 2))
        taken.listen()
        result = up("--port", str(base), "--data-dir", str(tmp_path / "data"))
    assert_one_line(result, f"port {base + 2}", "already in use", "--port")


def test_an_unwritable_data_folder_is_named_with_its_fix(tmp_path):
    (tmp_path / "a-file").write_text("")
    result = up("--port", str(free_port_block()), "--data-dir", str(tmp_path / "a-file" / "data"))
    assert_one_line(result, "cannot write to the data folder", "--data-dir")


def test_a_broker_that_does_not_answer_is_named_without_its_password(tmp_path):
    closed = free_port_block(1)
    result = up(
        "--port",
        str(free_port_block()),
        "--data-dir",
        str(tmp_path / "data"),
        BROKER_URL=f"amqp://guest:secret@127.0.0.1:{closed}//",
    )
    assert_one_line(result, f"BROKER_URL (amqp://guest:***@127.0.0.1:{closed}//)", "unset")
    assert "secret" not in result.stdout + result.stderr


def test_a_mongodb_that_does_not_answer_is_named(tmp_path):
    closed = free_port_block(1)
    result = up(
        "--port",
        str(free_port_block()),
        "--data-dir",
        str(tmp_path / "data"),
        MONGO_URL=f"mongodb://127.0.0.1:{closed}/",
    )
    assert_one_line(result, "MONGO_URL", "does not answer", "unset MONGO_URL")


def test_without_the_embedded_server_it_says_what_to_install(tmp_path, monkeypatch):
    """pip install kinerja360 without the extra: no secantusd-py anywhere."""
    monkeypatch.setattr(local, "embedded_mongo_executable", lambda: None)
    monkeypatch.delenv("MONGO_URL", raising=False)
    monkeypatch.delenv("BROKER_URL", raising=False)
    previous = {s: signal.getsignal(s) for s in cli.STOP_SIGNALS}
    try:
        result = CliRunner().invoke(
            cli.main, ["up", "--port", str(free_port_block()), "--data-dir", str(tmp_path)]
        )
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)
    assert result.exit_code == cli.CANNOT_START, result.output
    assert "pip install 'kinerja360[embedded]', or set MONGO_URL" in result.output
    assert "Traceback" not in result.output


def test_a_url_in_a_message_keeps_its_user_and_host_but_not_its_password():
    assert local.public_url("amqp://guest:s3cret@mq:5672//") == "amqp://guest:***@mq:5672//"
    assert local.public_url("mongodb://db:27017/kinerja") == "mongodb://db:27017/kinerja"
