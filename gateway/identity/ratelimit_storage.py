"""The login rate limiter's counters in MongoDB, shared by every gateway replica.

limits' own MongoDB storage opens a client in `__del__` only to close it; when that runs at
interpreter exit (an app whose limiter never counted anything) pymongo starts its monitor
threads during shutdown and the process hangs. This storage is the same one with that
`__del__` removed: a client it opened closes with the process.
"""

from __future__ import annotations

from limits.storage import MongoDBStorage

PREFIX = "kinerja+"


class SharedMongoStorage(MongoDBStorage):
    STORAGE_SCHEME = [f"{PREFIX}mongodb", f"{PREFIX}mongodb+srv"]

    def _init_mongo_client(self, uri, **options):
        return super()._init_mongo_client(uri.removeprefix(PREFIX), **options)

    def __del__(self) -> None:
        pass


def storage_uri(mongo_url: str) -> str:
    """The limiter's storage URI for the service's MongoDB URL."""
    return PREFIX + mongo_url
