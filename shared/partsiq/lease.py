"""The worker heartbeat: keeps this process's job leases and its broker heartbeat fresh.

Dramatiq's Redis broker only refreshes a worker's heartbeat when it fetches; a
process whose threads are all busy on long jobs stops fetching and looks dead, so
its messages would be handed to another worker while still running. This thread
beats for the process as long as the process lives, and renews the PostgreSQL
lease of every attempt it runs. When the process dies, both lapse together: the
broker redelivers its messages and the lapsed leases let them run again.
"""

from __future__ import annotations

import logging
import os
import socket
import threading
import time
from collections.abc import Callable

log = logging.getLogger("partsiq.lease")


def process_id() -> str:
    """``host:pid`` of this process: shown on the rows it runs and in the workers registry."""
    return f"{socket.gethostname()}:{os.getpid()}"


class Heartbeat:
    """A daemon thread calling ``beat`` every ``interval_s`` until stopped.

    ``last_tick`` (monotonic seconds) says the thread is alive, whether or not Redis and
    PostgreSQL answered: it is what the liveness probe reads, so an outage of either
    does not get the pod restarted. ``last_success`` is the last beat that got through.
    """

    def __init__(self, beat: Callable[[], None], interval_s: float) -> None:
        self.beat = beat
        self.interval_s = interval_s
        self.last_success = self.last_tick = time.monotonic()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        """Beat once now, then in the background."""
        self._stop.clear()
        self._beat_once()
        self._thread = threading.Thread(target=self._run, name="partsiq-heartbeat", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        """Stop beating (the process is about to exit)."""
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=self.interval_s + 5)

    def _run(self) -> None:
        while not self._stop.wait(self.interval_s):
            self._beat_once()

    def _beat_once(self) -> None:
        self.last_tick = time.monotonic()
        try:
            self.beat()
            self.last_success = time.monotonic()
        except Exception as error:  # a failed beat is retried on the next tick
            log.warning("heartbeat failed: %s", error)
