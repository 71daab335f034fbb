"""Periodic ticks are cheap fan-outs, idempotent per time slot; retention deletes only what is old."""

from __future__ import annotations

import json
import re
import signal
import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import dramatiq
import pendulum
import psycopg
import pytest
from dramatiq import Broker, Message, Middleware
from dramatiq.brokers.stub import StubBroker
from periodiq import PeriodiqMiddleware, cron

from partsiq.db.models import JobStatus
from partsiq.metrics import SCHEDULER_SENDS
from partsiq.periodic import TrackedScheduler
from partsiq.probes import deadline_liveness
from partsiq.retention import drop_old_dead_letters
from tests.support.jobs import rows, wait_for_status
from tests.support.metrics import get, metrics_port, scrape
from tests.support.waiting import wait_for


def test_a_periodic_actor_ticked_twice_in_one_slot_runs_once(broker, worker, database):
    tick = broker.get_actor("retention_tick")
    slot = datetime.now(UTC).replace(microsecond=0).isoformat()

    tick.send_with_options(scheduled_at=slot)
    tick.send_with_options(scheduled_at=slot)
    broker.join("platform", timeout=30_000)
    worker.join()

    jobs = rows(database, job_type="retention")
    assert len(jobs) == 1
    row = wait_for_status(database, jobs[0].job_id)
    assert row.status is JobStatus.COMPLETED
    assert row.idempotency_key == f"retention:{datetime.fromisoformat(slot).replace(second=0).isoformat()}"


def test_retention_deletes_only_rows_past_their_retention(settings, database, broker, worker):
    now = datetime.now(UTC)
    with psycopg.connect(settings.psycopg_url, autocommit=True) as conn:
        for job_id, status, finished in [
            ("old-done", "COMPLETED", now - timedelta(days=31)),
            ("new-done", "COMPLETED", now - timedelta(days=29)),
            ("old-failed", "FAILED", now - timedelta(days=91)),
            ("new-failed", "FAILED", now - timedelta(days=89)),
            ("old-queued", "QUEUED", None),
        ]:
            conn.execute(
                'INSERT INTO "JobQueue" (id, "jobId", "queueName", "jobType", status, "organizationId", '
                "\"completedAt\", \"failedAt\", \"createdAt\") VALUES (%s, %s, 'platform', 'canary', %s, 'o', %s, %s, "
                "now() - interval '200 days')",
                (
                    job_id,
                    job_id,
                    status,
                    finished if status == "COMPLETED" else None,
                    finished if status == "FAILED" else None,
                ),
            )
    tick = broker.get_actor("retention_tick")

    tick.send()
    retention = wait_for(lambda: rows(database, job_type="retention"), what="the retention job")
    done = wait_for_status(database, retention[0].job_id)

    assert done.status is JobStatus.COMPLETED
    assert done.result["rowsDeleted"] == 2
    assert {r.job_id for r in rows(database) if r.job_type == "canary"} == {"new-done", "new-failed", "old-queued"}


def test_retention_drops_only_old_dead_letters(settings, broker):
    key = f"{settings.redis_namespace}:platform.XQ"
    now_ms = int(time.time() * 1000)
    broker.client.zadd(key, {"old": now_ms - 8 * 86_400_000, "new": now_ms - 6 * 86_400_000})
    broker.client.hset(f"{key}.msgs", mapping={"old": json.dumps({}), "new": json.dumps({})})

    dropped = drop_old_dead_letters(broker.client, settings)

    assert dropped == 1
    assert broker.client.zrange(key, 0, -1) == [b"new"]
    assert broker.client.hkeys(f"{key}.msgs") == [b"new"]


def test_the_scheduler_process_lists_its_actors_reports_its_health_and_stops_on_sigterm(partsiq_process):
    scheduler = partsiq_process("scheduler").wait_for_log("scheduler started")
    port = metrics_port(scheduler)

    body = scrape(scheduler)
    live, ready = get(port, "/healthz"), get(port, "/readyz")
    scheduler.signal(signal.SIGTERM)

    assert scheduler.wait() == 0, scheduler.log
    assert "periodic retention_tick: 17 * * * *" in scheduler.log
    assert "periodic email_sync_tick: */5 * * * *" in scheduler.log
    assert "scheduler stopping" in scheduler.log
    assert re.search(r"^partsiq_scheduler_last_wake_timestamp_seconds 1\.\d+e\+09$", body, re.M)
    assert live[0] == 200 and "next scheduler wake-up due within" in live[1]
    assert ready == (200, "ok: redis and postgres reachable\n")


@pytest.fixture
def alarm() -> Iterator[None]:
    """periodiq arms SIGALRM: leave the test process's timer (pytest-timeout's) and handler as they were."""
    handler, timer = signal.getsignal(signal.SIGALRM), signal.getitimer(signal.ITIMER_REAL)
    yield
    signal.signal(signal.SIGALRM, handler)
    signal.setitimer(signal.ITIMER_REAL, *timer)


class WhileSending(Middleware):
    """Calls ``probe`` as each message is enqueued: what /healthz says in the middle of the sends."""

    def __init__(self) -> None:
        self.probe: Callable[[], tuple[bool, str]] = lambda: (False, "")
        self.seen: list[tuple[bool, str]] = []

    def before_enqueue(self, broker: Broker, message: Message[Any], delay: int | None) -> None:
        self.seen.append(self.probe())


def test_the_scheduler_sends_what_is_due_and_keeps_the_deadline_of_its_next_wake_up(alarm, monkeypatch):
    # Half a minute past 12:07: the every-minute actor is due, the hourly one is not, and the next
    # wake-up (12:08) is 30 s away.
    monkeypatch.setattr(pendulum, "now", lambda tz=None: pendulum.datetime(2026, 12, 4, 12, 7, 30, tz="UTC"))
    sending = WhileSending()
    broker = StubBroker(middleware=[PeriodiqMiddleware(), sending])
    every_minute = dramatiq.actor(lambda: None, actor_name="every_minute", broker=broker, periodic=cron("* * * * *"))
    hourly = dramatiq.actor(lambda: None, actor_name="hourly", broker=broker, periodic=cron("0 * * * *"))
    scheduler = TrackedScheduler([every_minute, hourly])
    sending.probe = live = deadline_liveness("scheduler wake-up", lambda: scheduler.deadline)
    sent_before = SCHEDULER_SENDS.labels("every_minute")._value.get()

    scheduler.schedule()
    armed = signal.getitimer(signal.ITIMER_REAL)[0]
    waiting = live()
    scheduler.deadline -= armed + TrackedScheduler.LATE_S  # the alarm never came
    alive, reason = live()

    assert [Message.decode(data).actor_name for data in broker.queues["default"].queue] == ["every_minute"]
    assert SCHEDULER_SENDS.labels("every_minute")._value.get() == sent_before + 1
    # (A second's slack in the figures below: the clock runs between the steps.)
    ((alive_while_sending, while_sending),) = sending.seen
    assert alive_while_sending and re.fullmatch(r"next scheduler wake-up due within (59|60) s", while_sending), (
        "a round of sends may take 60 s, no more"
    )
    assert 29 < armed <= 30 and 29 < scheduler.next_wake_in_s <= 31
    assert waiting[0] and re.fullmatch(r"next scheduler wake-up due within (89|90) s", waiting[1])
    assert not alive and reason.startswith("scheduler wake-up overdue by")
