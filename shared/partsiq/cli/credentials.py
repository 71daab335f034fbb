"""``partsiq credentials``: keys for the Integration table's encrypted credentials."""

from __future__ import annotations

import click

from partsiq.credentials import new_key


@click.group("credentials")
def command() -> None:
    """Credential encryption keys."""


@command.command("new-key")
@click.option("--key-id", default="k1", show_default=True)
def new_key_(key_id: str) -> None:
    """Print a fresh 'keyId:key' entry for CREDENTIALS_ENCRYPTION_KEY (prepend it to rotate)."""
    click.echo(f"{key_id}:{new_key()}")
