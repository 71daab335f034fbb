"""A sliding-window-log rate limiter with reservations, in Redis, shared by every worker.

Each budget is a sorted set of start times (Redis server clock, ms), past and reserved.
A start is admitted now when fewer than ``limit`` entries lie after ``now - window``:
unlike fixed buckets, this never lets ``2 x limit`` through at a window edge.

When the budget is spent, the caller does not simply retry later (a crowd of deferred
jobs would stampede every freed slot, one winning and the rest deferred again, leaving
the queue running far below its limit and starving unlucky jobs). Instead the script
*reserves* the earliest start that keeps every window within the limit, namely the
start ``limit`` places back plus one window, and answers how long until then (the
reservation is counted :data:`RESERVATION_MARGIN_MS` later, to cover delivery delay). The job
comes back at its reserved time and runs without asking again. Deferred jobs are thus
served in order, at the full rate.
"""

from __future__ import annotations

import uuid

import redis

#: How late a deferred job may start after its reserved time (delivery from Dramatiq's
#: delay queue, then the ready queue; workers poll every 250 ms). Reservations are
#: counted at their latest start, so the limit holds on actual start times; under a
#: sustained backlog a budget of N per W seconds runs at N per (W + this margin).
RESERVATION_MARGIN_MS = 1000

# One call decides several starts (each: key, limit, window ms, unique member), in order.
# Returns, for each, 0 (start now) or the milliseconds until its reserved start.
_ACQUIRE = """
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local margin = tonumber(ARGV[#ARGV])
local waits = {}
for i = 1, #KEYS do
  local key, limit, window = KEYS[i], tonumber(ARGV[3 * i - 2]), tonumber(ARGV[3 * i - 1])
  redis.call('ZREMRANGEBYSCORE', key, '-inf', now - window)
  local count = redis.call('ZCARD', key)
  local at, score = now, now
  if count >= limit then
    at = tonumber(redis.call('ZRANGE', key, count - limit, count - limit, 'WITHSCORES')[2]) + window
    score = at + margin  -- the reserved job starts at most `margin` late: count it at its latest
  end
  redis.call('ZADD', key, score, ARGV[3 * i])
  local last = tonumber(redis.call('ZRANGE', key, -1, -1, 'WITHSCORES')[2])
  redis.call('PEXPIRE', key, last - now + window)
  waits[i] = at - now
end
return waits
"""


class SlidingWindowLimiter:
    """``try_acquire(key, limit, window_ms)`` admits a start now or reserves the earliest one."""

    def __init__(self, client: redis.Redis, namespace: str) -> None:
        self.client = client
        self.namespace = namespace
        self._script = client.register_script(_ACQUIRE)

    def key(self, *parts: str) -> str:
        """The Redis key of one budget (namespaced like the broker's keys)."""
        return ":".join((self.namespace, "ratelimit", *parts))

    def try_acquire(self, key: str, limit: int, window_ms: int) -> int:
        """0 when the start is admitted now, else milliseconds until the start reserved for it."""
        return self.try_acquire_many([(key, limit, window_ms)])[0]

    def try_acquire_many(self, requests: list[tuple[str, int, int]]) -> list[int]:
        """:meth:`try_acquire` for several ``(key, limit, window_ms)`` in one round trip, in order."""
        args: list[str | int] = []
        for _, limit, window_ms in requests:
            args += [limit, window_ms, uuid.uuid4().hex]
        args.append(RESERVATION_MARGIN_MS)
        return [int(wait) for wait in self._script(keys=[key for key, _, _ in requests], args=args)]
