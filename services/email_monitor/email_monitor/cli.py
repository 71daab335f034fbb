"""``partsiq mail``: connect a mailbox, run a sync now."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import click

from email_monitor.settings import settings
from partsiq import runtime
from partsiq.credentials import Keyring
from partsiq.db.models import IntegrationProvider
from partsiq.integrations import connect


@click.group("mail")
def command() -> None:
    """Supplier mailboxes: connect one, sync it."""


def _connect(
    organization_id: str, provider: IntegrationProvider, config: dict[str, Any], secret: dict[str, Any] | None
) -> None:
    config_ = settings()
    rt = runtime.start(config_)
    try:
        keyring = Keyring.parse(config_.credentials_encryption_key.get_secret_value()) if secret else None
        with rt.database.session() as session:
            connect(session, organization_id, provider, config, secret, keyring)
    finally:
        rt.close()
    click.echo(f"{provider.value} mailbox connected for {organization_id}")


@command.command("connect-local")
@click.option("--org", "organization_id", required=True)
@click.option("--path", type=click.Path(exists=True, file_okay=False, path_type=Path), required=True)
def connect_local(organization_id: str, path: Path) -> None:
    """Use a folder of .eml files (or a Maildir) as the organisation's mailbox."""
    _connect(organization_id, IntegrationProvider.LOCAL_MAILBOX, {"path": str(path.resolve())}, None)


@command.command("connect")
@click.option("--org", "organization_id", required=True)
@click.option(
    "--client-secret",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    required=True,
    help="The OAuth client's JSON file (web or installed).",
)
@click.option("--refresh-token", required=True, help="The refresh token the web app's OAuth flow obtained.")
@click.option("--address", default=None, help="The mailbox address (informational).")
def connect_gmail(organization_id: str, client_secret: Path, refresh_token: str, address: str | None) -> None:
    """Store a Gmail mailbox's OAuth credentials, encrypted (the browser flow lives in the web app)."""
    data = json.loads(client_secret.read_text())
    client = data.get("web") or data.get("installed") or data
    if not client.get("client_id") or not client.get("client_secret"):
        raise click.ClickException(f"{client_secret} has no client_id/client_secret")
    secret = {
        "client_id": client["client_id"],
        "client_secret": client["client_secret"],
        "refresh_token": refresh_token,
        "token": None,
        "expiry": None,
    }
    _connect(organization_id, IntegrationProvider.GMAIL, {"address": address or ""}, secret)


@command.command("connect-imap")
@click.option("--org", "organization_id", required=True)
@click.option("--host", required=True)
@click.option("--port", type=int, default=993, show_default=True)
@click.option("--ssl/--no-ssl", default=True, show_default=True)
@click.option("--folder", default="INBOX", show_default=True)
@click.option("--username", required=True)
@click.option("--password", envvar="IMAP_PASSWORD", required=True, help="Or the IMAP_PASSWORD variable.")
def connect_imap(
    organization_id: str, host: str, port: int, ssl: bool, folder: str, username: str, password: str
) -> None:
    """Use an IMAP folder as the organisation's mailbox (the password is stored encrypted)."""
    config = {"host": host, "port": port, "ssl": ssl, "folder": folder}
    _connect(organization_id, IntegrationProvider.IMAP, config, {"username": username, "password": password})


@command.command("sync")
@click.option("--org", "organization_id", required=True)
@click.option("--enqueue", "as_job", is_flag=True, help="Hand the sync to the email-monitor workers instead.")
def sync(organization_id: str, as_job: bool) -> None:
    """Sync the organisation's mailbox now and print what was stored."""
    from email_monitor.sync import sync_mailbox
    from partsiq.jobs import enqueue

    config = settings()
    rt = runtime.start(config)
    try:
        if as_job:
            job_id = enqueue("email-sync", organization_id, {"trigger": "manual"})
            click.echo(f"enqueued email-sync job {job_id}")
            return
        report = sync_mailbox(rt.database, config, organization_id)
        click.echo(json.dumps(report.as_json(), indent=2))
    finally:
        rt.close()
