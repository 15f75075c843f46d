"""A service described once: its name, routes, subscriptions and indexes.

Each service's app.py declares one of these; the web process, the worker
process and the local stack all build from it.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field

from flask import Flask
from flask_smorest import Blueprint
from pymongo.database import Database

from kinerja.auth import install_access_checks
from kinerja.bus.consumer import Subscriptions
from kinerja.config import Settings
from kinerja.web import ServiceContext, create_service_app
from kinerja.worker import BackgroundJob, ServiceWorker


@dataclass(frozen=True)
class ServiceDefinition:
    name: str
    title: str
    blueprints: Sequence[Blueprint] = ()
    subscriptions: Subscriptions = field(default_factory=Subscriptions)
    ensure_indexes: Callable[[Database], None] | None = None
    # The gateway overrides readiness (it is ready when every service is).
    readiness: Callable[[ServiceContext], dict[str, str | None]] | None = None
    extend_app: Callable[[Flask], None] | None = None
    # Flask/flask-smorest settings of this component, applied before its routes are built.
    config: Mapping[str, object] = field(default_factory=dict)
    # Jobs the worker process runs beside its relay and consumer, until the stop event is set.
    background: Sequence[BackgroundJob] = ()

    def settings(self, settings: Settings | None = None) -> Settings:
        return settings or Settings.from_env(self.name)

    def create_app(self, settings: Settings | None = None) -> Flask:
        settings = self.settings(settings)
        app = create_service_app(
            settings,
            self.title,
            self.blueprints,
            ensure_indexes=self.ensure_indexes,
            readiness=self.readiness,
            config=self.config,
        )
        if self.extend_app:
            self.extend_app(app)
        install_access_checks(app)
        return app

    def create_worker(self, settings: Settings | None = None) -> ServiceWorker:
        return ServiceWorker(
            self.settings(settings), self.subscriptions, self.ensure_indexes, self.background
        )
