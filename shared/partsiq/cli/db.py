"""``partsiq db``: the schema's migrations and exported payload schemas."""

from __future__ import annotations

import json
from pathlib import Path

import click

from partsiq import db as database
from partsiq.queues import payload_schemas
from partsiq.settings import Settings


@click.group("db")
def command() -> None:
    """Database schema (Alembic) and JSON schemas of job payloads."""


@command.command()
@click.option("--revision", default="head", show_default=True, help="Target revision.")
@click.pass_obj
def upgrade(settings: Settings, revision: str) -> None:
    """Create the database if missing and apply migrations (never done by workers)."""
    if database.create_database_if_missing(settings):
        click.echo("created the database")
    database.upgrade(settings, revision)
    click.echo(f"database at revision {revision}")


@command.command()
@click.option("-m", "--message", required=True, help="What the migration does.")
@click.pass_obj
def revision(settings: Settings, message: str) -> None:
    """Autogenerate a migration from the models (development; review it before committing)."""
    database.revision(settings, message)


@command.command("export-schemas")
@click.option("--out", type=click.Path(path_type=Path), default=Path("schemas/jobs"), show_default=True)
@click.option("--check", is_flag=True, help="Fail if the files differ instead of writing them.")
def export_schemas(out: Path, check: bool) -> None:
    """Write the JSON Schema of every job type's payload (the web app's contract)."""
    stale = []
    for name, schema in payload_schemas().items():
        path = out / f"{name}.json"
        text = json.dumps(schema, indent=2, sort_keys=True) + "\n"
        if check:
            if not path.exists() or path.read_text() != text:
                stale.append(str(path))
            continue
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
        click.echo(f"wrote {path}")
    if stale:
        raise click.ClickException(f"stale payload schemas (run `partsiq db export-schemas`): {', '.join(stale)}")
