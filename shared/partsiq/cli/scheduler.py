"""``partsiq scheduler``."""

from __future__ import annotations

import sys

import click

from partsiq import runtime
from partsiq.connectivity import check_services
from partsiq.periodic import run_scheduler
from partsiq.settings import Settings


@click.command("scheduler")
@click.pass_obj
def command(settings: Settings) -> None:
    """Run periodiq with the periodic actors (deploy exactly one)."""
    check_services(settings)
    rt = runtime.start(settings)
    code = run_scheduler(rt)
    rt.close()
    sys.exit(code)
