"""``partsiq scheduler``: periodiq, ticking the periodic actors (exactly one replica).

A periodic actor is a cheap fan-out: it enqueues ordinary jobs with an idempotency key
made of its time slot, so a duplicate tick (two schedulers by mistake, a redelivered
tick) enqueues nothing twice. Periodiq keeps no state: ticks missed while it is down
are not replayed, which is why the work itself resumes from stored state.
"""

from __future__ import annotations

import importlib
import logging
import signal
import time
from datetime import UTC, datetime
from importlib.metadata import entry_points
from types import FrameType
from typing import Any

import dramatiq
from dramatiq.middleware import CurrentMessage
from periodiq import Scheduler

from partsiq.metrics import SCHEDULER_SENDS, SCHEDULER_WAKE, export
from partsiq.probes import deadline_liveness, serve_health
from partsiq.runtime import Runtime

log = logging.getLogger("partsiq.scheduler")

#: The library's module of periodic actors; each installed service adds its own through the
#: ``partsiq.periodic`` entry point group (so the scheduler ticks what is installed).
PERIODIC_MODULES = ("partsiq.platform_jobs",)


def periodic_modules() -> list[str]:
    """The library's periodic modules and every installed service's."""
    return [*PERIODIC_MODULES, *(ep.value for ep in entry_points(group="partsiq.periodic"))]


def time_slot() -> str:
    """The running tick's slot (periodiq's ``scheduled_at``), else the current minute, as ISO 8601."""
    message = CurrentMessage.get_current_message()
    scheduled = message.options.get("scheduled_at") if message else None
    moment = datetime.fromisoformat(scheduled) if scheduled else datetime.now(UTC)
    return moment.astimezone(UTC).replace(second=0, microsecond=0).isoformat()


class TrackedScheduler(Scheduler):  # type: ignore[misc]  # periodiq is untyped
    """periodiq's scheduler, keeping the deadline by which it must wake up again.

    periodiq sleeps on ``SIGALRM`` until the next actor is due (up to five minutes here), so a
    lost alarm or a send stuck on Redis would stop the ticks silently. ``/healthz`` reads
    :attr:`deadline`: while sending, :attr:`LATE_S` from the wake-up; once the alarm is armed,
    :attr:`LATE_S` after it rings.
    """

    #: How late a wake-up (or how long a round of sends) may be before the process counts as hung.
    LATE_S = 60.0

    def __init__(self, actors: list[dramatiq.Actor[Any, Any]]) -> None:
        super().__init__(actors)
        self.deadline = time.monotonic() + self.LATE_S
        self.next_wake_in_s = 0.0

    def schedule(self) -> None:
        woke = time.monotonic()
        self.deadline = woke + self.LATE_S
        SCHEDULER_WAKE.set_to_current_time()
        super().schedule()
        # periodiq armed alarm(): on Linux it is the ITIMER_REAL timer, which getitimer reads without
        # disturbing it (0: it asked to be woken at once through its queue).
        armed = signal.getitimer(signal.ITIMER_REAL)[0]
        self.next_wake_in_s = time.monotonic() - woke + armed
        self.deadline = time.monotonic() + armed + self.LATE_S

    def send_actors(self, actors: list[dramatiq.Actor[Any, Any]], now: object) -> None:
        super().send_actors(actors, now)
        for actor in actors:
            SCHEDULER_SENDS.labels(actor.actor_name).inc()


def run_scheduler(rt: Runtime) -> int:
    """Tick every periodic actor on its schedule, serving /healthz, until SIGTERM; returns the exit code."""
    for module in periodic_modules():
        importlib.import_module(module)
    actors = [actor for actor in rt.broker.actors.values() if "periodic" in actor.options]
    for actor in actors:
        log.info("periodic %s: %s", actor.actor_name, actor.options["periodic"])
    scheduler = TrackedScheduler(actors)

    def on_signal(signum: int, frame: FrameType | None) -> None:
        log.info("%s received: scheduler stopping", signal.Signals(signum).name)
        scheduler.alarm_q.put_nowait(False)

    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)
    export(SCHEDULER_SENDS, SCHEDULER_WAKE)
    health = serve_health(rt, deadline_liveness("scheduler wake-up", lambda: scheduler.deadline))
    scheduler.schedule()
    log.info("scheduler started: next wake in %.0f s", scheduler.next_wake_in_s)
    scheduler.loop()
    health.stop()
    return 0
