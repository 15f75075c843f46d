"""Fault drills: the whole stack (`kinerja up`) on RabbitMQ and a MongoDB-compatible
server the drill controls, one unit of people set up once for every drill in a module."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from pymongo import MongoClient

from kinerja.local import free_port
from kinerja360.components import SERVICE_MODULES
from kinerja360.harness import Stack, clean_env
from tests.drills.faults import ControlledMongo
from tests.drills.workload import Client, Ledger, Unit, set_up_unit
from tests.support import JWT_SECRET, delete_queues

pytestmark = pytest.mark.drill


@dataclass
class Drill:
    stack: Stack
    mongo: ControlledMongo
    client: Client
    unit: Unit
    env: dict
    ledger: Ledger = field(default_factory=Ledger)

    def mongo_client(self) -> MongoClient:
        return MongoClient(self.mongo.url, serverSelectionTimeoutMS=5000)


@pytest.fixture(scope="module")
def drill(tmp_path_factory, amqp_url) -> Drill:
    folder: Path = tmp_path_factory.mktemp("drill")
    mongo = ControlledMongo(folder / "mongo", free_port())
    (folder / "mongo").mkdir()
    mongo.start()
    namespace = f"drill{uuid.uuid4().hex[:8]}"
    env = clean_env(
        MONGO_URL=mongo.url,
        BROKER_URL=amqp_url,
        BUS_NAMESPACE=namespace,
        JWT_SECRET=JWT_SECRET,
        EVENT_MAX_ATTEMPTS="3",
    )
    stack = Stack(folder / "data", env)
    try:
        stack.start()
        client = Client(stack)
        yield Drill(stack, mongo, client, set_up_unit(client), env)
    finally:
        if stack.process is not None:
            stack.stop()
        mongo.stop()
        delete_queues(env, tuple(SERVICE_MODULES))
