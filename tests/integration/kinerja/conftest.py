"""The kit's promises are checked on a real service: targets stands in for any service
built by the kit's factory."""

from __future__ import annotations

import pytest

from kinerja.config import Settings
from services.targets.app import create_app as create_targets
from tests.support import bus_env


@pytest.fixture
def settings(mongo_url, namespace):
    return Settings.from_env("targets", bus_env(mongo_url, "memory://", namespace))


@pytest.fixture
def service(settings):
    """The targets service's test client, on a database of the test's own."""
    app = create_targets(settings)
    yield app.test_client()
    app.extensions["kinerja"].client.drop_database(settings.mongo_db)
