"""Rate limits from the queue table, enforced across every worker, without burning attempts."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

import dramatiq
from dramatiq.middleware import Middleware, SkipMessage

from partsiq.jobs.group_commit import GroupCommit
from partsiq.metrics import DEFERRALS
from partsiq.payloads import organization_of
from partsiq.queues import JobType, Scope
from partsiq.rate_limiter import SlidingWindowLimiter

log = logging.getLogger("partsiq.rate_limit")


#: Message option marking a start the limiter already reserved (and counted).
RESERVED = "partsiq_rate_reserved"


class RateLimit(Middleware):
    """Defers a job over its type's rate limit instead of failing it (BullMQ's semantics).

    Before a message runs, the job type's budget (per organisation or global) is
    tried in Redis. Over budget, the limiter reserves the job's turn; a copy of the
    message is re-enqueued to arrive then, marked as reserved, and the original is
    skipped. No attempt is used, nothing is logged as an error, the job stays
    QUEUED, and deferred jobs run in the order they were deferred, at the full rate.

    Parameters
    ----------
      limiter: the Redis-backed limiter shared by every process.
      job_types: resolves an actor name to its job type (with settings overrides applied).
    """

    def __init__(self, limiter: SlidingWindowLimiter, job_types: Callable[[str], JobType | None]) -> None:
        self.limiter = limiter
        self.job_types = job_types
        # Threads starting jobs at once share one round trip to Redis.
        self._acquire: GroupCommit[tuple[str, int, int], int] = GroupCommit(
            limiter.try_acquire_many, name="partsiq-rate-limit"
        )

    def before_process_message(self, broker: dramatiq.Broker, message: Any) -> None:
        if message.options.pop(RESERVED, None):
            return  # its start was reserved when it was deferred; a retry asks again
        jt = self.job_types(message.actor_name)
        if jt is None or jt.rate_limit is None:
            return
        limit = jt.rate_limit
        subject = "*" if limit.scope is Scope.GLOBAL else organization_of(message.args[0] if message.args else None)
        window_ms = int(limit.window_s * 1000)
        wait_ms = self._acquire.submit((self.limiter.key(jt.name, subject), limit.limit, window_ms))
        if wait_ms <= 0:
            return
        DEFERRALS.labels(jt.queue, jt.name).inc()
        log.info(
            "[%s] Job %s deferred %.1f s: rate limit %s reached",
            jt.display,
            message.options.get("job_id", message.message_id),
            wait_ms / 1000,
            limit,
            extra={"job_id": message.options.get("job_id"), "job_type": jt.name},
        )
        broker.enqueue(message.copy(options={RESERVED: True}), delay=wait_ms)
        raise SkipMessage("rate limited")
