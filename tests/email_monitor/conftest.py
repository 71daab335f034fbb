"""email-monitor fixtures: a mailbox folder connected to an organisation."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from email_monitor.settings import EmailMonitorSettings
from partsiq.db.models import Integration, IntegrationProvider, Supplier

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def mail_settings(settings) -> EmailMonitorSettings:
    return EmailMonitorSettings(**settings.model_dump())


@pytest.fixture
def mailbox(tmp_path: Path, database, organization) -> Path:
    """An empty folder, connected as the organisation's local mailbox, and the sample suppliers."""
    folder = tmp_path / "mailbox"
    folder.mkdir()
    with database.session() as session:
        session.add(
            Integration(
                organization_id=organization, provider=IntegrationProvider.LOCAL_MAILBOX, config={"path": str(folder)}
            )
        )
        session.add_all(
            [
                Supplier(
                    organization_id=organization, name="Westside Heavy Parts", email_domains=["westsideheavy.com"]
                ),
                Supplier(organization_id=organization, name="Atlas", email_domains=["atlas-undercarriage.de"]),
            ]
        )
    return folder


def drop(folder: Path, *sources: str) -> None:
    """Copy repository mail files into the mailbox folder."""
    for source in sources:
        shutil.copy(ROOT / source, folder / Path(source).name)
