"""``partsiq worker SERVICE|all``."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from partsiq import supervisor, worker
from partsiq.queues import SERVICES
from partsiq.settings import Settings


@click.command("worker")
@click.argument("service", type=click.Choice([*SERVICES, "all"]))
@click.option("--reload", is_flag=True, help="With 'all': restart workers when a .py file changes.")
@click.pass_obj
def command(settings: Settings, service: str, reload: bool) -> None:
    """Run one service's worker (threads and queues from the queue table), or all of them."""
    if service == "all":
        import partsiq

        installed = [name for name in SERVICES if _installed(name)]
        root = Path(partsiq.__file__).resolve().parents[2]
        watch = [path for path in (root / "shared", root / "services") if path.is_dir()]
        sys.exit(supervisor.supervise(installed, reload=reload, watch=watch, metrics_port=settings.metrics_port))
    try:
        sys.exit(worker.run(settings, service))
    except ImportError as error:
        click.echo(f"partsiq: {error}", err=True)
        sys.exit(worker.RET_IMPORT)


def _installed(name: str) -> bool:
    import importlib.util

    module = SERVICES[name].module
    try:
        found = importlib.util.find_spec(module) is not None
    except ModuleNotFoundError:
        found = False
    if not found:
        click.echo(f"partsiq: service {name} has no actors installed ({module}); not started", err=True)
    return found
