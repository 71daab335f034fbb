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
from datetime import UTC, datetime
from importlib.metadata import entry_points
from types import FrameType

import dramatiq
from dramatiq.middleware import CurrentMessage
from periodiq import Scheduler

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


def run_scheduler(broker: dramatiq.Broker) -> int:
    """Tick every periodic actor on its schedule until SIGTERM; returns the exit code."""
    for module in periodic_modules():
        importlib.import_module(module)
    actors = [actor for actor in broker.actors.values() if "periodic" in actor.options]
    for actor in actors:
        log.info("periodic %s: %s", actor.actor_name, actor.options["periodic"])
    scheduler = Scheduler(actors=actors)

    def on_signal(signum: int, frame: FrameType | None) -> None:
        log.info("%s received: scheduler stopping", signal.Signals(signum).name)
        scheduler.alarm_q.put_nowait(False)

    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)
    scheduler.schedule()
    scheduler.loop()
    return 0
