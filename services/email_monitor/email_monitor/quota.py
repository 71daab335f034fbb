"""Pacing a mailbox's API calls under Gmail's per-user quota (15,000 units per minute).

A token bucket filled at ``TARGET`` of the quota per second, holding at most one second of
it: any 60-second window then carries at most ``TARGET`` x quota + one second's worth, which
stays under the limit, while a long first sync runs near it. One sync per mailbox runs at a
time (the sync lock), so the bucket lives in the syncing process.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

#: Share of the quota syncs aim for (the rest absorbs other clients of the same mailbox).
TARGET = 0.95


class TokenBucket:
    """``acquire(units)`` blocks until the units are available."""

    def __init__(
        self,
        units_per_minute: float,
        *,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.rate = units_per_minute * TARGET / 60.0  # units per second
        self.capacity = self.rate  # one second's worth
        self.tokens = self.capacity
        self.clock = clock
        self.sleep = sleep
        self.updated = clock()
        self.lock = threading.Lock()
        #: Seconds spent waiting (reported by syncs).
        self.waited = 0.0

    def acquire(self, units: float) -> None:
        """Take ``units`` (a request larger than the capacity waits until the bucket is full, then goes)."""
        while True:
            with self.lock:
                now = self.clock()
                self.tokens = min(self.capacity, self.tokens + (now - self.updated) * self.rate)
                self.updated = now
                needed = min(units, self.capacity)
                if self.tokens >= needed:
                    self.tokens -= units
                    return
                wait = (needed - self.tokens) / self.rate
            self.waited += wait
            self.sleep(wait)
