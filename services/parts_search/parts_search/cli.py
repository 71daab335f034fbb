"""``partsiq catalog import FILE --org ID``: load a parts catalog (CSV or JSON)."""

from __future__ import annotations

from pathlib import Path

import click

from parts_search.catalog import import_catalog
from partsiq.db import Database
from partsiq.settings import Settings


@click.group("catalog")
def command() -> None:
    """The parts catalog."""


@command.command("import")
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--org", "organization_id", required=True, help="The organisation whose catalog this is.")
@click.pass_obj
def import_(settings: Settings, path: Path, organization_id: str) -> None:
    """Validate each row (bad ones are reported by line and skipped) and upsert the good ones."""
    database = Database(settings)
    try:
        report = import_catalog(database, organization_id, path)
    finally:
        database.dispose()
    for line, reason in report.errors:
        click.echo(f"{path.name}:{line}: {reason}", err=True)
    click.echo(
        f"{report.rows} rows: {report.created} parts created, {report.updated} updated, {report.unchanged} unchanged, "
        f"{report.relationships} relationships and {report.fitments} fitments in the file (added or kept), "
        f"{len(report.errors)} problems"
    )
