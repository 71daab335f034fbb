"""A sliding-window-log rate limiter in Redis, shared by every worker process and replica.

Each budget is a sorted set of start times (Redis server clock, ms). A start is
admitted only when fewer than ``limit`` starts lie in the last ``window``: unlike
fixed buckets, this never lets ``2 x limit`` through at a window edge. When the
budget is spent the script answers how long until the oldest start leaves the
window, which is exactly how long the caller should defer.
"""

from __future__ import annotations

import uuid

import redis

# One call decides several starts (each: key, limit, window ms, unique member), in order.
_ACQUIRE = """
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local waits = {}
for i = 1, #KEYS do
  local key, limit, window = KEYS[i], tonumber(ARGV[3 * i - 2]), tonumber(ARGV[3 * i - 1])
  redis.call('ZREMRANGEBYSCORE', key, '-inf', now - window)
  if redis.call('ZCARD', key) < limit then
    redis.call('ZADD', key, now, ARGV[3 * i])
    redis.call('PEXPIRE', key, window)
    waits[i] = 0
  else
    local oldest = redis.call('ZRANGE', key, 0, 0, 'WITHSCORES')
    waits[i] = math.max(1, tonumber(oldest[2]) + window - now)
  end
end
return waits
"""


class SlidingWindowLimiter:
    """``try_acquire(key, limit, window_ms)`` admits a start or says how long to wait."""

    def __init__(self, client: redis.Redis, namespace: str) -> None:
        self.client = client
        self.namespace = namespace
        self._script = client.register_script(_ACQUIRE)

    def key(self, *parts: str) -> str:
        """The Redis key of one budget (namespaced like the broker's keys)."""
        return ":".join((self.namespace, "ratelimit", *parts))

    def try_acquire(self, key: str, limit: int, window_ms: int) -> int:
        """0 when a start was admitted (and counted), else milliseconds until one can be."""
        return self.try_acquire_many([(key, limit, window_ms)])[0]

    def try_acquire_many(self, requests: list[tuple[str, int, int]]) -> list[int]:
        """:meth:`try_acquire` for several ``(key, limit, window_ms)`` in one round trip, in order."""
        args: list[str | int] = []
        for _, limit, window_ms in requests:
            args += [limit, window_ms, uuid.uuid4().hex]
        return [int(wait) for wait in self._script(keys=[key for key, _, _ in requests], args=args)]
