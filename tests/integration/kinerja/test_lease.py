"""The MongoDB lease that lets one replica at a time relay events or recompute scores."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from pymongo import MongoClient

from kinerja.lease import LEASES, Lease


def test_one_holder_at_a_time_and_an_expired_lease_passes_on(mongo_url, namespace):
    client = MongoClient(mongo_url)
    db = client[f"{namespace}_lease"]
    try:
        first, second = Lease(db, "job"), Lease(db, "job")
        assert first.acquire()
        assert not second.acquire() and not second.renew()
        assert first.renew()  # the holder extends it
        # the holder stalls past its term: the other replica takes over ...
        db[LEASES].update_one(
            {"_id": "job"}, {"$set": {"expires_at": datetime.now(UTC) - timedelta(seconds=1)}}
        )
        assert second.acquire()
        # ... and the first learns it lost the lease when it asks before writing
        assert not first.renew()
        second.release()
        assert first.renew()
    finally:
        client.drop_database(db.name)
        client.close()
