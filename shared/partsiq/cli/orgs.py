"""``partsiq orgs``: organisations (normally written by the web app)."""

from __future__ import annotations

import click
from sqlalchemy import select

from partsiq.db import Database
from partsiq.db.models import Organization
from partsiq.settings import Settings


@click.group("orgs")
def command() -> None:
    """Organisations."""


@command.command("create")
@click.option("--id", "org_id", required=True, help="Organisation id (as the web app has it).")
@click.option("--name", required=True)
@click.pass_obj
def create(settings: Settings, org_id: str, name: str) -> None:
    """Create an organisation, or rename it if it exists."""
    with Database(settings).session() as session:
        org = session.get(Organization, org_id)
        if org is None:
            session.add(Organization(id=org_id, name=name))
            click.echo(f"created organization {org_id}")
        else:
            org.name = name
            click.echo(f"organization {org_id} exists; name set to {name!r}")


@command.command("list")
@click.pass_obj
def list_(settings: Settings) -> None:
    """List organisations."""
    with Database(settings).session() as session:
        for org in session.scalars(select(Organization).order_by(Organization.id)):
            click.echo(f"{org.id}\t{org.name}")
