"""The Gmail source with the real google-api-python-client against a local emulator of the API."""

from __future__ import annotations

from pathlib import Path

import pytest
from pydantic import SecretStr
from sqlalchemy import func, select

from email_monitor.sources.base import Fetched, Ref
from email_monitor.sources.gmail import GmailSource
from email_monitor.sync import MailboxUnavailable, sync_mailbox
from partsiq.credentials import Keyring, new_key
from partsiq.db.models import EmailMessage, EmailThread, Integration, IntegrationProvider, IntegrationStatus
from tests.email_monitor.conftest import ROOT
from tests.support.gmail_emulator import gmail_emulator

MAIL = [ROOT / "bench" / "mail" / name for name in ("oc01.eml", "sh01.eml", "in01.eml", "ot03.eml", "oc05.eml")]
KEY = f"k1:{new_key()}"


@pytest.fixture
def emulator():
    with gmail_emulator() as emulator:
        yield emulator


@pytest.fixture
def gmail_settings(mail_settings, emulator):
    return mail_settings.model_copy(
        update={
            "credentials_encryption_key": SecretStr(KEY),
            "gmail_api_endpoint": emulator.endpoint,
            "gmail_token_uri": emulator.token_uri,
            "mail_gmail_full_sync_query": "",
        }
    )


def secret(emulator) -> dict:
    return {
        "client_id": "cid",
        "client_secret": "csecret",
        "refresh_token": emulator.refresh_token,
        "token": None,
        "expiry": None,
    }


@pytest.fixture
def connected(database, organization, emulator) -> str:
    with database.session() as session:
        integration = Integration(organization_id=organization, provider=IntegrationProvider.GMAIL)
        integration.credentials = Keyring.parse(KEY).encrypt_json(secret(emulator), f"{organization}/GMAIL")
        session.add(integration)
    return organization


def stored(database) -> int:
    with database.session() as session:
        return session.scalar(select(func.count()).select_from(EmailMessage))


def integration(database) -> Integration:
    with database.session() as session:
        return session.scalar(select(Integration))


def test_a_first_sync_fetches_everything_in_batches_and_stores_the_refreshed_token(
    database, broker, gmail_settings, connected, emulator
):
    for path in MAIL[:3]:
        emulator.add(Path(path).read_bytes(), thread_id="thread-1" if path.name != "in01.eml" else None)

    report = sync_mailbox(database, gmail_settings, connected)

    assert report.stored == 3 and report.usage["quotaUnits"] == 1 + 5 + 15
    assert ("POST", "/token") in emulator.requests
    assert sum(1 for r in emulator.requests if r == ("POST", "/batch/gmail/v1")) == 1
    row = integration(database)
    assert row.sync_state == {"historyId": str(emulator.history_id)}
    saved = Keyring.parse(KEY).decrypt_json(row.credentials, f"{connected}/GMAIL")
    assert saved["token"] in emulator.tokens and saved["expiry"], "the refreshed access token is stored"
    with database.session() as session:
        assert session.scalar(select(func.count()).select_from(EmailThread)) == 2, "threads follow Gmail's threadId"


def test_an_incremental_sync_reads_history_and_an_unchanged_mailbox_costs_one_call(
    database, broker, gmail_settings, connected, emulator
):
    emulator.add(MAIL[0].read_bytes())
    sync_mailbox(database, gmail_settings, connected)
    emulator.add(MAIL[1].read_bytes())
    emulator.add(MAIL[2].read_bytes())
    emulator.requests.clear()

    report = sync_mailbox(database, gmail_settings, connected)
    emulator.requests.clear()
    unchanged = sync_mailbox(database, gmail_settings, connected)

    assert report.stored == 2 and stored(database) == 3
    assert unchanged.stored == 0
    assert emulator.requests == [("GET", "/gmail/v1/users/me/history")], "one history call, no token refresh"


def test_an_expired_history_id_falls_back_to_a_full_sync_without_duplicates(
    database, broker, gmail_settings, connected, emulator
):
    emulator.add(MAIL[0].read_bytes())
    sync_mailbox(database, gmail_settings, connected)
    emulator.add(MAIL[1].read_bytes())
    emulator.expire_history()

    report = sync_mailbox(database, gmail_settings, connected)

    assert (report.stored, report.known) == (1, 1)
    assert integration(database).sync_state == {"historyId": str(emulator.history_id)}


def test_a_revoked_grant_marks_the_mailbox_for_reauthorisation_and_fails_for_good(
    database, broker, gmail_settings, connected, emulator
):
    emulator.add(MAIL[0].read_bytes())
    emulator.revoked = True

    with pytest.raises(MailboxUnavailable, match="re-authorisation"):
        sync_mailbox(database, gmail_settings, connected)

    row = integration(database)
    assert row.status is IntegrationStatus.NEEDS_REAUTH and "invalid_grant" in row.status_reason
    with pytest.raises(MailboxUnavailable, match="NEEDS_REAUTH"):
        sync_mailbox(database, gmail_settings, connected)


def test_throttled_messages_inside_a_batch_are_retried_with_backoff(gmail_settings, emulator):
    ids = [emulator.add(path.read_bytes()).id for path in MAIL]
    waits: list[float] = []
    source = GmailSource(secret(emulator), gmail_settings, sleep=waits.append)
    emulator.force_429 = 2

    results = source.fetch([Ref(i) for i in ids])
    source.close()

    assert all(isinstance(r, Fetched) for r in results) and len(results) == 5
    assert source.usage.retries == 2 and len(waits) == 1
