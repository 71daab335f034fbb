"""The ``partsiq`` command: database, workers, jobs, suppliers, credentials, demo."""

from __future__ import annotations

import sys
from importlib.metadata import entry_points
from typing import Any

import click
from pydantic import ValidationError

from partsiq.errors import PartsIQError, ServiceUnreachable
from partsiq.logging import configure_logging
from partsiq.settings import Settings
from partsiq.worker import RET_CONNECT

RET_USAGE = 2  #: bad arguments or input


class PartsIQGroup(click.Group):
    """Turns the platform's expected errors into one line on stderr and an exit code."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except ServiceUnreachable as error:
            click.echo(f"partsiq: {error}", err=True)
            sys.exit(RET_CONNECT)
        except (PartsIQError, LookupError) as error:
            click.echo(f"partsiq: {error}", err=True)
            sys.exit(RET_USAGE)


@click.group(cls=PartsIQGroup)
@click.pass_context
def cli(ctx: click.Context) -> None:
    """PartsIQ background workers: operate the job platform and its services."""
    try:
        settings = Settings()
    except ValidationError as error:
        problems = "; ".join(f"{'.'.join(map(str, e['loc'])).upper()}: {e['msg']}" for e in error.errors())
        raise click.ClickException(f"invalid settings: {problems}") from None
    configure_logging(settings)
    ctx.obj = settings


def main() -> None:
    """Console-script entrypoint."""
    from partsiq.cli import credentials, db, demo, dispatcher, jobs, orgs, queues, scheduler, suppliers, worker

    for module in (credentials, db, demo, dispatcher, jobs, orgs, queues, scheduler, suppliers, worker):
        cli.add_command(module.command)
    # Each installed service adds its own commands (an image holds only its service's).
    for entry_point in entry_points(group="partsiq.commands"):
        cli.add_command(entry_point.load(), entry_point.name)
    cli(prog_name="partsiq")


__all__ = ["cli", "main"]
