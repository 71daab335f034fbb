"""Retention: old JobQueue rows and dead letters are deleted, so neither store grows forever."""

from __future__ import annotations

import time
from dataclasses import dataclass

import redis
from sqlalchemy import Engine

from partsiq.queues import job_types
from partsiq.settings import Settings

#: Rows deleted per statement, so a first run on a large table never holds long locks.
BATCH = 5_000

_DELETE = """
DELETE FROM "JobQueue" WHERE id IN (
  SELECT id FROM "JobQueue"
   WHERE (status = 'COMPLETED' AND "completedAt" < now() - make_interval(days => %(completed)s))
      OR (status = 'FAILED' AND "failedAt" < now() - make_interval(days => %(failed)s))
   LIMIT %(batch)s)
"""


@dataclass(frozen=True)
class RetentionReport:
    """What one run removed."""

    rows: int
    dead_letters: int


def delete_old_rows(engine: Engine, settings: Settings) -> int:
    """Delete COMPLETED and FAILED rows past their retention, in batches; returns the count."""
    params = {
        "completed": int(settings.retention_completed_days),
        "failed": int(settings.retention_failed_days),
        "batch": BATCH,
    }
    total = 0
    while True:
        with engine.begin() as conn:
            deleted = conn.exec_driver_sql(_DELETE, params).rowcount
        total += deleted
        if deleted < BATCH:
            return total


def drop_old_dead_letters(client: redis.Redis, settings: Settings) -> int:
    """Remove dead-letter messages older than the retention from every queue; returns the count."""
    cutoff_ms = int((time.time() - settings.retention_dead_letter_days * 86_400) * 1000)
    removed = 0
    for queue in sorted({jt.queue for jt in job_types().values()}):
        key = f"{settings.redis_namespace}:{queue}.XQ"
        old = client.zrangebyscore(key, 0, cutoff_ms)
        for start in range(0, len(old), 1000):
            chunk = old[start : start + 1000]
            client.zrem(key, *chunk)
            client.hdel(f"{key}.msgs", *chunk)
            removed += len(chunk)
    return removed


def run_retention(engine: Engine, client: redis.Redis, settings: Settings) -> RetentionReport:
    """One retention pass over PostgreSQL and Redis."""
    return RetentionReport(rows=delete_old_rows(engine, settings), dead_letters=drop_old_dead_letters(client, settings))
