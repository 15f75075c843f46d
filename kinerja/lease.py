"""A renewable lease in MongoDB, so that one replica at a time does a singleton job.

The outbox relay holds one (events leave in order, never sent twice by two relays);
the appraisal recompute holds another (two replicas must not write a cycle's scores
over each other).
"""

from __future__ import annotations

import os
import socket
import time
from datetime import UTC, datetime, timedelta

from pymongo.database import Database
from pymongo.errors import DuplicateKeyError

LEASES = "leases"


class Lease:
    def __init__(self, db: Database, name: str, seconds: float = 15.0):
        self.collection = db[LEASES]
        self.name = name
        self.owner = f"{socket.gethostname()}:{os.getpid()}:{id(self)}"
        self.seconds = seconds
        self._renew_after = 0.0

    def acquire(self) -> bool:
        """Take or renew the lease; a held lease is renewed only past half its term."""
        if time.monotonic() < self._renew_after:
            return True
        return self.renew()

    def renew(self) -> bool:
        """Take or extend the lease now, asking the database: before a write that must not
        race another replica's, when the work since the last renewal may have been long."""
        now = datetime.now(UTC)
        try:
            self.collection.find_one_and_update(
                {"_id": self.name, "$or": [{"owner": self.owner}, {"expires_at": {"$lt": now}}]},
                {
                    "$set": {
                        "owner": self.owner,
                        "expires_at": now + timedelta(seconds=self.seconds),
                    }
                },
                upsert=True,
            )
        except DuplicateKeyError:
            return False  # another replica holds an unexpired lease
        self._renew_after = time.monotonic() + self.seconds / 2
        return True

    def release(self) -> None:
        self._renew_after = 0.0
        self.collection.delete_one({"_id": self.name, "owner": self.owner})
