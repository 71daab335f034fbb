"""``partsiq demo``."""

from __future__ import annotations

from pathlib import Path

import click

from partsiq import demo
from partsiq.connectivity import check_services
from partsiq.settings import Settings


@click.command("demo")
@click.option(
    "--samples",
    type=click.Path(file_okay=False, path_type=Path),
    default=Path("samples"),
    show_default=True,
    help="Folder of sample data.",
)
@click.pass_obj
def command(settings: Settings, samples: Path) -> None:
    """Run the platform end to end on sample data and print what happened."""
    check_services(settings)
    demo.run(settings, samples)
