"""The process's one settings object, database and broker, created at the entrypoint."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

import dramatiq
from dramatiq.brokers.redis import RedisBroker

from partsiq.broker import build_broker
from partsiq.db import Database
from partsiq.jobs.store import JobStore
from partsiq.settings import Settings


@dataclass
class Runtime:
    """What an entrypoint builds once and everything else receives."""

    settings: Settings
    database: Database
    broker: RedisBroker

    @cached_property
    def store(self) -> JobStore:
        """JobQueue writes over this process's pool."""
        return JobStore(self.database.autocommit_engine)

    def close(self) -> None:
        """Close the broker's and the database's connections."""
        self.broker.close()
        self.database.dispose()


_current: Runtime | None = None


def start(settings: Settings, *, worker: bool = False, pool_size: int = 5) -> Runtime:
    """Build the runtime and make its broker Dramatiq's global one.

    ``worker=True`` adds job tracking, rate limits and job logging to the broker; a
    producer (CLI, enqueue-only process) needs only to publish.
    """
    global _current
    database = Database(settings, pool_size=pool_size)
    broker = build_broker(settings, database if worker else None)
    dramatiq.set_broker(broker)
    _current = Runtime(settings, database, broker)
    return _current


def current() -> Runtime:
    """The runtime :func:`start` built (a producer one from the environment if none was)."""
    return _current or start(Settings())
