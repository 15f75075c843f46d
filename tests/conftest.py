"""Fixtures shared by every test: a real MongoDB-compatible server and real brokers."""

from __future__ import annotations

import os
import uuid

import kombu
import pytest

from kinerja.local import start_embedded_mongo

AMQP_URL = os.environ.get("AMQP_URL", "amqp://guest:guest@127.0.0.1:5672//")


@pytest.fixture(scope="session", autouse=True)
def no_stack_survives_the_run():
    """Whatever a test left running is stopped at the end of the run, and reported."""
    yield
    from kinerja360.harness import RUNNING, stop_every_stack

    leftover = len(RUNNING)
    problems = stop_every_stack()
    if leftover or problems:
        pytest.fail(f"{leftover} stack(s) were still running after the tests: {problems}")


@pytest.fixture(scope="session")
def mongo_url(tmp_path_factory):
    """A SecantusDB server on a free port, in a folder of its own, for the whole run."""
    folder = tmp_path_factory.mktemp("mongodb")
    with open(folder / "server.log", "ab") as log_file:
        process, url = start_embedded_mongo(folder, log_file)
    yield url
    process.terminate()
    process.wait(timeout=20)


def _amqp_answers(url: str) -> str | None:
    try:
        with kombu.Connection(url, connect_timeout=2) as connection:
            connection.ensure_connection(max_retries=1)
    except Exception as exc:  # noqa: BLE001 - any failure means: no broker here
        return f"{exc.__class__.__name__}: {exc}"
    return None


@pytest.fixture(scope="session")
def amqp_url():
    """The RabbitMQ at AMQP_URL; skipped when absent unless REQUIRE_AMQP=1."""
    problem = _amqp_answers(AMQP_URL)
    if problem:
        if os.environ.get("REQUIRE_AMQP") == "1":
            pytest.fail(f"REQUIRE_AMQP=1 but no RabbitMQ answers at {AMQP_URL}: {problem}")
        pytest.skip(f"no RabbitMQ answers at {AMQP_URL} ({problem}); set AMQP_URL to run")
    return AMQP_URL


@pytest.fixture
def namespace():
    """A bus namespace and database prefix of this test's own."""
    return f"t{uuid.uuid4().hex[:10]}"
