"""Group commit: many threads' writes of one kind, sent to PostgreSQL as one statement.

A worker's threads each need their job's row claimed before it runs and finished after.
Sent one by one, every write is a round trip and a WAL flush. Here each thread hands its
write to one writer thread and waits; the writer takes everything queued (up to
``max_batch``) and runs it as a single statement. A lone write goes out at once, so
latency stays that of one round trip; under load, batches form by themselves while the
previous one is being written.
"""

from __future__ import annotations

import queue
import threading
from collections.abc import Callable
from concurrent.futures import Future
from typing import Generic, TypeVar

T = TypeVar("T")
R = TypeVar("R")


class GroupCommit(Generic[T, R]):
    """``submit(item)`` blocks until ``flush`` has written the batch holding ``item``; returns its result.

    Parameters
    ----------
      flush: writes a batch, returning one result per item, in order; an exception fails
        every item of the batch (each caller sees it raised by ``submit``).
      name: the writer thread's name.
      max_batch: most items per statement.
    """

    def __init__(self, flush: Callable[[list[T]], list[R]], *, name: str, max_batch: int = 200) -> None:
        self.flush = flush
        self.max_batch = max_batch
        self._queue: queue.SimpleQueue[tuple[T, Future[R]]] = queue.SimpleQueue()
        self._thread = threading.Thread(target=self._run, name=name, daemon=True)
        self._lock = threading.Lock()
        #: Batches written and items in them (the mean batch size is items / batches).
        self.batches = 0
        self.items = 0

    def submit(self, item: T) -> R:
        """Queue ``item`` for the next batch and wait for its result."""
        if not self._thread.is_alive():
            with self._lock:
                if not self._thread.is_alive():
                    self._thread.start()
        future: Future[R] = Future()
        self._queue.put((item, future))
        return future.result()

    def _run(self) -> None:
        while True:
            batch = [self._queue.get()]
            while len(batch) < self.max_batch:
                try:
                    batch.append(self._queue.get_nowait())
                except queue.Empty:
                    break
            try:
                results = self.flush([item for item, _ in batch])
            except BaseException as error:  # noqa: BLE001 (handed to every waiting caller)
                for _, future in batch:
                    future.set_exception(error)
                continue
            self.batches += 1
            self.items += len(batch)
            for (_, future), result in zip(batch, results, strict=True):
                future.set_result(result)
