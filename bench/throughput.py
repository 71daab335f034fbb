"""Throughput: our tracked worker vs bare Dramatiq, on the same Redis, in one run.

Both sides process the same number of no-op jobs with the same threads and
prefetch, in this process. "Bare" is a RedisBroker with Dramatiq's default
middleware; "ours" is the production broker (job tracking in PostgreSQL,
a rate limit set far above the rate so the limiter runs for every job, job
logging, Prometheus metrics, retries) with every job enqueued through
``partsiq.jobs.enqueue`` (row + message). Prints rates and ratios, not verdicts.

    make bench                     # 2,000 jobs, 8 threads
    BENCH_JOBS=5000 BENCH_THREADS=5 make bench
    BENCH_RATE_LIMIT=0 make bench  # without the per-job limiter check
"""

from __future__ import annotations

import logging
import os
import threading
import time
from collections.abc import Callable

import dramatiq
import psycopg
from dramatiq.brokers.redis import RedisBroker

from partsiq import runtime
from partsiq.db import create_database_if_missing, upgrade
from partsiq.jobs import JobContext, enqueue, job
from partsiq.middleware import JobTracking
from partsiq.payloads import CanaryPayload
from partsiq.queues import SERVICES, JobType, RateLimit, Service
from partsiq.settings import Settings

JOBS = int(os.environ.get("BENCH_JOBS", "2000"))
THREADS = int(os.environ.get("BENCH_THREADS", "8"))
PREFETCH = int(os.environ.get("BENCH_PREFETCH", str(THREADS)))
DATABASE = "postgresql+psycopg://postgres@127.0.0.1:5432/partsiq_bench"
#: BENCH_RATE_LIMIT=0 measures without the limiter (to see what it costs).
LIMIT = RateLimit(10_000_000, 60) if os.environ.get("BENCH_RATE_LIMIT", "1") != "0" else None


def _clear_redis(broker: RedisBroker, namespace: str) -> None:
    keys = list(broker.client.scan_iter(f"{namespace}:*"))
    if keys:
        broker.client.delete(*keys)


def _drain(broker: RedisBroker, queue: str, done: threading.Event) -> float:
    worker = dramatiq.Worker(broker, queues={queue}, worker_threads=THREADS, worker_timeout=100)
    worker.queue_prefetch = PREFETCH
    start = time.perf_counter()
    worker.start()
    done.wait(timeout=600)
    elapsed = time.perf_counter() - start
    worker.stop()
    return elapsed


def _counter() -> tuple[threading.Event, Callable[[], None]]:
    """An event set once ``JOBS`` calls of the returned function have happened."""
    count, done, lock = [0], threading.Event(), threading.Lock()

    def tick() -> None:
        with lock:
            count[0] += 1
            if count[0] == JOBS:
                done.set()

    return done, tick


def bare() -> tuple[float, float]:
    """(enqueue rate, processing rate) of plain Dramatiq."""
    broker = RedisBroker(url="redis://127.0.0.1:6379/0", namespace="partsiq-bench-bare")
    _clear_redis(broker, "partsiq-bench-bare")
    done, tick = _counter()

    @dramatiq.actor(broker=broker, queue_name="bench", max_retries=0)
    def noop(data: dict) -> None:
        tick()

    start = time.perf_counter()
    for _ in range(JOBS):
        noop.send({"organizationId": "org_bench"})
    enqueue_rate = JOBS / (time.perf_counter() - start)
    broker.emit_after("process_boot")
    rate = JOBS / _drain(broker, "bench", done)
    _clear_redis(broker, "partsiq-bench-bare")
    broker.close()
    return enqueue_rate, rate


def ours() -> tuple[float, float]:
    """(enqueue rate, processing rate) of the production broker with job tracking."""
    settings = Settings(database_url=DATABASE, redis_namespace="partsiq-bench", log_level="WARNING")
    with psycopg.connect("postgresql://postgres@127.0.0.1:5432/postgres", autocommit=True) as conn:
        conn.execute("DROP DATABASE IF EXISTS partsiq_bench WITH (FORCE)")
    create_database_if_missing(settings)
    upgrade(settings)
    SERVICES["bench"] = Service(
        "bench",
        "bench.throughput",
        THREADS,
        # A limit far above the rate, so the limiter runs for every job without deferring any.
        (JobType("bench-noop", "bench", "bench_noop", "Bench", CanaryPayload, 60, LIMIT),),
    )
    rt = runtime.start(settings, worker=True, pool_size=THREADS + 2)
    _clear_redis(rt.broker, "partsiq-bench")
    with rt.database.engine.connect() as conn:
        conn.exec_driver_sql("""INSERT INTO "Organization" (id, name) VALUES ('org_bench', 'Bench')""")
        conn.commit()
    done, tick = _counter()

    @job("bench-noop")
    def bench_noop(context: JobContext, payload: CanaryPayload) -> None:
        tick()

    start = time.perf_counter()
    for _ in range(JOBS):
        enqueue("bench-noop", "org_bench", {})
    enqueue_rate = JOBS / (time.perf_counter() - start)
    rt.broker.emit_after("process_boot")
    elapsed = _drain(rt.broker, "bench", done)
    with rt.database.engine.connect() as conn:
        completed = conn.exec_driver_sql("""SELECT count(*) FROM "JobQueue" WHERE status = 'COMPLETED'""").scalar()
    assert completed == JOBS, f"only {completed} of {JOBS} rows COMPLETED"
    tracking = next(m for m in rt.broker.middleware if isinstance(m, JobTracking))
    statements = tracking.claims.batches + tracking.finishes.batches
    print(
        f"database cost per job: {statements / JOBS:.2f} lifecycle statements on the worker "
        f"(claims {tracking.claims.items / max(tracking.claims.batches, 1):.1f} and finishes "
        f"{tracking.finishes.items / max(tracking.finishes.batches, 1):.1f} jobs per statement), "
        "plus 1 INSERT at enqueue"
    )
    _clear_redis(rt.broker, "partsiq-bench")
    rt.close()
    return enqueue_rate, JOBS / elapsed


def main() -> None:
    """Run both sides and print the comparison."""
    logging.basicConfig(level=logging.WARNING)
    print(
        f"{JOBS} no-op jobs, 1 process x {THREADS} threads, prefetch {PREFETCH}, same Redis and machine; "
        f"partsiq rate limit: {LIMIT or 'none'}"
    )
    bare_enqueue, bare_rate = bare()
    our_enqueue, our_rate = ours()
    print(f"{'':<28}{'bare Dramatiq':>15}{'partsiq':>12}{'ratio':>8}")
    print(f"{'enqueue (jobs/s)':<28}{bare_enqueue:>15,.0f}{our_enqueue:>12,.0f}{our_enqueue / bare_enqueue:>8.2f}")
    print(f"{'process (jobs/s)':<28}{bare_rate:>15,.0f}{our_rate:>12,.0f}{our_rate / bare_rate:>8.2f}")


if __name__ == "__main__":
    main()
