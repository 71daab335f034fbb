"""IMAP sync against a real Dovecot on loopback: incremental by UID, UIDVALIDITY changes, a refused login."""

from __future__ import annotations

import pytest
from pydantic import SecretStr
from sqlalchemy import func, select

from email_monitor.sync import MailboxUnavailable, sync_mailbox
from partsiq.credentials import Keyring, new_key
from partsiq.db.models import EmailMessage, Integration, IntegrationProvider, IntegrationStatus
from partsiq.integrations import connect
from tests.email_monitor.conftest import ROOT
from tests.support.dovecot import PASSWORD, dovecot

KEY = f"k1:{new_key()}"
MAIL = [(ROOT / "bench" / "mail" / f"{name}.eml").read_bytes() for name in ("oc01", "sh01", "in01", "oc05")]
FOLDER = "INBOX.Quotes"


@pytest.fixture
def server():
    with dovecot() as server:
        yield server


@pytest.fixture
def imap_settings(mail_settings):
    return mail_settings.model_copy(update={"credentials_encryption_key": SecretStr(KEY), "mail_list_page_size": 2})


def connect_imap(database, organization, server, password: str = PASSWORD) -> None:
    with database.session() as session:
        connect(
            session,
            organization,
            IntegrationProvider.IMAP,
            {"host": "127.0.0.1", "port": server.port, "ssl": False, "folder": FOLDER},
            {"username": "buyer", "password": password},
            Keyring.parse(KEY),
        )


def stored(database) -> int:
    with database.session() as session:
        return session.scalar(select(func.count()).select_from(EmailMessage))


def test_the_first_sync_reads_the_folder_and_the_next_only_new_uids(
    database, broker, imap_settings, organization, server
):
    for raw in MAIL[:3]:
        server.append("buyer", raw, FOLDER)
    connect_imap(database, organization, server)

    first = sync_mailbox(database, imap_settings, organization)
    server.append("buyer", MAIL[3], FOLDER)
    second = sync_mailbox(database, imap_settings, organization)
    third = sync_mailbox(database, imap_settings, organization)

    assert (first.stored, first.pages) == (3, 2), "pages of 2 UIDs"
    assert (second.stored, second.known) == (1, 0), "only UIDs above the stored one are read"
    assert (third.stored, third.fetched) == (0, 0)
    with database.session() as session:
        state = session.scalar(select(Integration)).sync_state
    assert state["lastUid"] == 4 and state["uidValidity"]
    assert stored(database) == 4


def test_a_changed_uidvalidity_reads_the_folder_again_without_duplicates(
    database, broker, imap_settings, organization, server
):
    for raw in MAIL[:2]:
        server.append("buyer", raw, FOLDER)
    connect_imap(database, organization, server)
    sync_mailbox(database, imap_settings, organization)
    server.recreate("buyer", FOLDER)
    for raw in MAIL[:3]:
        server.append("buyer", raw, FOLDER)

    report = sync_mailbox(database, imap_settings, organization)

    assert report.stored == 1, "the two known messages are recognised by Message-ID"
    assert stored(database) == 3


def test_a_refused_login_marks_the_mailbox_for_reauthorisation(database, broker, imap_settings, organization, server):
    connect_imap(database, organization, server, password="wrong")

    with pytest.raises(MailboxUnavailable, match="re-authorisation"):
        sync_mailbox(database, imap_settings, organization)

    with database.session() as session:
        assert session.scalar(select(Integration)).status is IntegrationStatus.NEEDS_REAUTH
