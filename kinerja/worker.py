"""A service's second process: its outbox relay and, if it subscribes to events, its consumer."""

from __future__ import annotations

import signal
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from prometheus_client import start_http_server
from pymongo.database import Database
from pymongo.errors import PyMongoError

from kinerja.bus.consumer import EventConsumer, Subscriptions, run_consumer
from kinerja.bus.outbox import Outbox
from kinerja.bus.relay import OutboxRelay
from kinerja.bus.topology import Topology, broker_connection
from kinerja.config import Settings
from kinerja.logs import configure_logging, get_logger
from kinerja.mongo import UnitOfWork, connect

log = get_logger(__name__)

# A job run in its own thread of the worker process: it gets the worker (its database and
# unit of work) and returns when the stop event is set.
BackgroundJob = Callable[["ServiceWorker", threading.Event], None]


@dataclass
class ServiceWorker:
    settings: Settings
    subscriptions: Subscriptions
    ensure_indexes: Callable[[Database], None] | None = None
    background: Sequence[BackgroundJob] = ()

    def __post_init__(self) -> None:
        self.client = connect(self.settings)
        self.db = self.client[self.settings.mongo_db]
        self.uow = UnitOfWork(self.client, self.db, self.settings.service)
        self.topology = Topology.for_settings(self.settings)
        self.stop_event = threading.Event()

    def relay(self) -> OutboxRelay:
        return OutboxRelay(
            self.settings.service, self.db, broker_connection(self.settings), self.topology
        )

    def consumer(self) -> EventConsumer:
        return EventConsumer(
            self.settings.service,
            broker_connection(self.settings),
            self.topology,
            self.uow,
            self.subscriptions,
            max_attempts=self.settings.event_max_attempts,
            batch_size=self.settings.event_batch_size,
        )

    def run(self, metrics_port: int | None = None) -> None:
        """Block until SIGTERM or SIGINT, then stop both loops cleanly."""
        configure_logging(self.settings.service, self.settings.log_level)
        for signum in (signal.SIGTERM, signal.SIGINT):
            signal.signal(signum, lambda *_: self.stop_event.set())
        if metrics_port:
            start_http_server(metrics_port, addr="0.0.0.0")
        self._ensure_indexes()
        threads = [threading.Thread(target=self.relay().run, args=(self.stop_event,), daemon=True)]
        if self.subscriptions.patterns:
            threads.append(
                threading.Thread(
                    target=run_consumer, args=(self.consumer(), self.stop_event), daemon=True
                )
            )
        threads += [
            threading.Thread(target=job, args=(self, self.stop_event), daemon=True)
            for job in self.background
        ]
        for thread in threads:
            thread.start()
        log.info("worker.started", consumes=self.subscriptions.patterns)
        self.stop_event.wait()
        for thread in threads:
            thread.join(timeout=10)
        log.info("worker.stopped")

    def _ensure_indexes(self) -> None:
        while not self.stop_event.is_set():
            try:
                Outbox(self.db).ensure_indexes()
                if self.ensure_indexes:
                    self.ensure_indexes(self.db)
                return
            except PyMongoError as exc:
                log.warning("worker.waiting_for_mongodb", error=str(exc))
                self.stop_event.wait(1)
