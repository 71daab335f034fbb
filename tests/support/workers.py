"""An in-process Dramatiq worker on the production broker, for as long as a ``with`` block."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import dramatiq


@contextmanager
def running_worker(broker: dramatiq.Broker, *, threads: int = 2) -> Iterator[dramatiq.Worker]:
    """Consume the ``platform`` queue until the block ends."""
    worker = dramatiq.Worker(broker, queues={"platform"}, worker_threads=threads, worker_timeout=100)
    worker.start()
    try:
        yield worker
    finally:
        worker.stop(timeout=10_000)
        # Each Worker registers a middleware on the broker; drop it with the worker.
        broker.middleware[:] = [m for m in broker.middleware if getattr(m, "worker", None) is not worker]
