"""``partsiq dispatcher``."""

from __future__ import annotations

import signal
from types import FrameType

import click

from partsiq import runtime
from partsiq.connectivity import check_services
from partsiq.dispatcher import Dispatcher
from partsiq.metrics import DISPATCHED, DISPATCHER_PASS, export
from partsiq.probes import deadline_liveness, serve_health
from partsiq.settings import Settings


@click.command("dispatcher")
@click.pass_obj
def command(settings: Settings) -> None:
    """Publish PENDING rows written by the web app and recover jobs whose message Redis lost."""
    check_services(settings)
    rt = runtime.start(settings)
    dispatcher = Dispatcher(settings, rt.database.engine, rt.broker)

    def on_signal(signum: int, frame: FrameType | None) -> None:
        dispatcher.stop()

    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)
    export(DISPATCHED, DISPATCHER_PASS)
    health = serve_health(rt, deadline_liveness("dispatch loop turn", lambda: dispatcher.deadline))
    dispatcher.run()
    health.stop()
    rt.close()
