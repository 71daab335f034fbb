"""The Redis broker every process uses, with the platform's middleware in the right order."""

from __future__ import annotations

import functools
import time

import dramatiq
import redis
from dramatiq.brokers.redis import RedisBroker
from dramatiq.middleware import CurrentMessage, Retries, TimeLimit
from periodiq import PeriodiqMiddleware

from partsiq.broker_state import workers_key
from partsiq.db import Database
from partsiq.jobs.store import JobStore
from partsiq.lease import process_id
from partsiq.middleware import JobLogging, JobTracking, Metrics, RateLimit
from partsiq.queues import JobType, job_type_for_actor, with_overrides
from partsiq.rate_limiter import SlidingWindowLimiter
from partsiq.settings import Settings


def job_type_resolver(settings: Settings) -> functools._lru_cache_wrapper[JobType | None]:
    """Actor name -> job type with the RATE_LIMITS overrides applied (cached)."""

    @functools.cache
    def resolve(actor_name: str) -> JobType | None:
        jt = job_type_for_actor(actor_name)
        return None if jt is None else with_overrides(jt, settings.rate_limits)

    return resolve


#: A Redis that stops answering (rather than refusing) fails a connect in 10 s and a command in 30 s,
#: instead of hanging on the kernel's SYN retries or a dead socket: the loops retry, probes see them turn.
#: No command we or Dramatiq's Redis broker send blocks on the server (fetches are Lua scripts).
REDIS_TIMEOUTS = {"socket_connect_timeout": 10, "socket_timeout": 30}


def redis_client(settings: Settings) -> redis.Redis:
    """A client for REDIS_URL (``rediss://`` TLS options go in the URL's query string)."""
    return redis.Redis.from_url(settings.redis_url.get_secret_value(), **REDIS_TIMEOUTS)


def build_broker(settings: Settings, database: Database | None = None) -> RedisBroker:
    """A RedisBroker with job tracking, rate limits, logging and the queue table's retries.

    Order matters: before-hooks run top to bottom and after-hooks bottom to top, so
    RateLimit defers a job before anything is written, JobTracking claims its row
    before JobLogging and Metrics report it, and Retries decides a failure's fate before
    JobTracking records it. Without ``database`` the broker can only publish.
    """
    client = redis_client(settings)
    resolve = job_type_resolver(settings)
    # Periodiq: declares the `periodic` actor option, and skips ticks older than 30 s.
    middleware: list[dramatiq.Middleware] = [TimeLimit(), CurrentMessage(), PeriodiqMiddleware(skip_delay=30)]
    if database is not None:
        limiter = SlidingWindowLimiter(client, settings.redis_namespace)
        middleware += [RateLimit(limiter, resolve)]
    broker = RedisBroker(  # type: ignore[no-untyped-call]
        client=client,
        namespace=settings.redis_namespace,
        heartbeat_timeout=settings.heartbeat_timeout_ms,
        maintenance_chance=settings.maintenance_chance,
        middleware=middleware,
    )
    if database is not None:
        heartbeats = f"{settings.redis_namespace}:__heartbeats__"
        workers = workers_key(settings.redis_namespace)
        me = process_id()

        def beat() -> None:
            now_ms = int(time.time() * 1000)
            pipe = client.pipeline(transaction=False)
            pipe.zadd(heartbeats, {broker.broker_id: now_ms})  # Dramatiq's: keeps our messages ours
            pipe.zadd(workers, {me: now_ms})  # ours: which worker processes are alive
            pipe.execute()

        store = JobStore(database.autocommit_engine)
        broker.add_middleware(JobTracking(store, resolve, lease_s=settings.lease_seconds, beat=beat))
        broker.add_middleware(JobLogging())
        broker.add_middleware(Metrics())
    broker.add_middleware(Retries(max_retries=2))
    return broker
