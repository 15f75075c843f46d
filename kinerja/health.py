"""Readiness checks: can this process reach what it needs right now?"""

from __future__ import annotations

from pymongo import MongoClient
from pymongo.errors import PyMongoError

from kinerja.bus.topology import broker_connection
from kinerja.config import Settings


def check_mongo(client: MongoClient) -> str | None:
    """None when MongoDB answers a ping, else why not."""
    try:
        client.admin.command("ping")
    except PyMongoError as exc:
        return f"mongodb: {exc.__class__.__name__}"
    return None


def check_broker(settings: Settings) -> str | None:
    """None when the broker accepts a connection, else why not."""
    connection = broker_connection(settings, connect_timeout=1)
    try:
        connection.ensure_connection(max_retries=1, interval_start=0, interval_step=0)
    except Exception as exc:  # noqa: BLE001 - kombu raises transport-specific errors
        return f"broker: {exc.__class__.__name__}"
    finally:
        connection.release()
    return None
