"""``partsiq suppliers import FILE --org ID``."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from partsiq.connectivity import check_postgres
from partsiq.db import Database
from partsiq.settings import Settings
from partsiq.suppliers import import_suppliers


@click.group("suppliers")
def command() -> None:
    """Supplier lists."""


@command.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--org", "org_id", required=True, help="Organisation the suppliers belong to.")
@click.pass_obj
def import_(settings: Settings, file: Path, org_id: str) -> None:
    """Import suppliers from CSV or JSON; bad rows are reported, good rows kept."""
    check_postgres(settings)
    report = import_suppliers(Database(settings), org_id, file)
    for line, reason in report.errors:
        click.echo(f"{file}:{line}: skipped: {reason}", err=True)
    click.echo(
        f"suppliers: {report.created} created, {report.updated} updated, "
        f"{report.unchanged} unchanged, {len(report.errors)} rejected"
    )
    if report.errors:
        sys.exit(1)
