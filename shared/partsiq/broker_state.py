"""What the Redis broker holds, read from Dramatiq's keys (see the notes on its key layout).

| key | meaning |
|---|---|
| ``<ns>:<q>`` | list of message ids ready for a worker |
| ``<ns>:<q>.msgs`` | every unacknowledged message: ready, prefetched, running |
| ``<ns>:<q>.DQ.msgs`` | delayed messages: retries and rate-limit deferrals |
| ``<ns>:<q>.XQ`` / ``.XQ.msgs`` | dead letters |
| ``<ns>:__heartbeats__`` | broker instance -> last call (ms); producers too, so not a worker count |
| ``<ns>:partsiq:workers`` | ours: worker process (host:pid) -> last heartbeat (ms) |
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

import redis

#: Structures a message can be in, in the order a lookup tries them.
STATES = (("ready_or_in_flight", ".msgs"), ("delayed", ".DQ.msgs"), ("dead", ".XQ.msgs"))


@dataclass(frozen=True)
class QueueDepth:
    """Messages of one queue by state."""

    ready: int
    in_flight: int
    delayed: int
    dead: int


def queue_depths(client: redis.Redis, namespace: str, queues: list[str]) -> dict[str, QueueDepth]:
    """Depth of each queue, in one round trip."""
    pipe = client.pipeline(transaction=False)
    for queue in queues:
        key = f"{namespace}:{queue}"
        pipe.llen(key)
        pipe.hlen(f"{key}.msgs")
        pipe.hlen(f"{key}.DQ.msgs")
        pipe.zcard(f"{key}.XQ")
    values = pipe.execute()
    depths = {}
    for index, queue in enumerate(queues):
        ready, unacked, delayed, dead = values[index * 4 : index * 4 + 4]
        depths[queue] = QueueDepth(ready, max(unacked - ready, 0), delayed, dead)
    return depths


def _messages(client: redis.Redis, key: str) -> Iterator[tuple[bytes, str]]:
    for redis_id, raw in client.hscan_iter(key, count=1000):
        message = json.loads(raw)
        yield redis_id, str(message.get("options", {}).get("job_id") or message.get("message_id"))


def job_ids_in_redis(client: redis.Redis, namespace: str, queues: Iterable[str]) -> set[str]:
    """Job ids of every live message (ready, in flight or delayed) of ``queues``."""
    return {
        job_id
        for queue in queues
        for suffix in (".msgs", ".DQ.msgs")
        for _, job_id in _messages(client, f"{namespace}:{queue}{suffix}")
    }


def message_location(client: redis.Redis, namespace: str, queue: str, job_id: str) -> str:
    """Where a job's message is: ``ready``, ``in flight``, ``delayed``, ``dead letter`` or ``not in Redis``."""
    key = f"{namespace}:{queue}"
    for redis_id, found in _messages(client, f"{key}.msgs"):
        if found == job_id:
            return "ready" if client.lpos(key, redis_id.decode()) is not None else "in flight"
    if any(found == job_id for _, found in _messages(client, f"{key}.DQ.msgs")):
        return "delayed"
    if any(found == job_id for _, found in _messages(client, f"{key}.XQ.msgs")):
        return "dead letter"
    return "not in Redis"


def drop_dead_letters(client: redis.Redis, namespace: str, queue: str, job_id: str) -> int:
    """Remove a job's dead letters (when it is retried by hand); returns how many."""
    key = f"{namespace}:{queue}.XQ"
    ids = [redis_id for redis_id, found in _messages(client, f"{key}.msgs") if found == job_id]
    if ids:
        client.zrem(key, *ids)
        client.hdel(f"{key}.msgs", *ids)
    return len(ids)


def workers_key(namespace: str) -> str:
    """The sorted set where each worker process's heartbeat thread records itself."""
    return f"{namespace}:partsiq:workers"


def workers_alive(client: redis.Redis, namespace: str, heartbeat_timeout_ms: int) -> int:
    """Worker processes whose heartbeat is fresh (entries of the dead are trimmed)."""
    now_ms = int(time.time() * 1000)
    client.zremrangebyscore(workers_key(namespace), "-inf", now_ms - 10 * heartbeat_timeout_ms)
    return int(client.zcount(workers_key(namespace), now_ms - heartbeat_timeout_ms, "+inf"))
