"""One mailbox sync: resume from the stored state, page by page, storing every message exactly once.

- **One at a time.** A PostgreSQL advisory lock per organisation is held for the whole sync: a
  second sync of the same mailbox (a duplicate tick, a manual run) finds it taken and stops.
- **Exactly once.** Messages are unique per organisation and provider id; a page's ids already
  stored are not even fetched. The resume point is stored with each page's messages, in one
  transaction, so a crash repeats at most one page.
- **No silent loss.** A message that cannot be stored is reported with its reason; a quote
  whose extraction job was never enqueued (a crash between commit and enqueue) is found and
  enqueued by the next sync.
- **Bounded.** At most ``MAIL_MAX_MESSAGES_PER_SYNC`` messages per job; the next tick goes on.
"""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import exists, select, text
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from email_monitor.ingest import ingest
from email_monitor.metrics import MESSAGES, PROVIDER_REQUESTS, QUOTA_UNITS, SYNC_SUCCESS
from email_monitor.settings import EmailMonitorSettings
from email_monitor.sources import MAILBOX_PROVIDERS, Fetched, MailSource, Rejected, SourceRevoked, build_source
from partsiq.credentials import Keyring
from partsiq.db import Database
from partsiq.db.models import (
    EmailClassification,
    EmailMessage,
    Integration,
    IntegrationProvider,
    IntegrationStatus,
    JobQueue,
)
from partsiq.errors import PermanentError
from partsiq.jobs import enqueue

log = logging.getLogger("email_monitor.sync")

#: How far back a sync looks for quotes whose extraction job is missing.
REPAIR_WINDOW = timedelta(days=7)


class MailboxUnavailable(PermanentError):
    """No connected mailbox, or one that needs a person (re-authorisation): retrying cannot help."""


@dataclass
class SyncReport:
    """What one sync did (the job's result)."""

    provider: str = ""
    skipped: str | None = None
    pages: int = 0
    fetched: int = 0
    stored: int = 0
    known: int = 0
    by_class: Counter[str] = field(default_factory=Counter)
    rejected: list[dict[str, str]] = field(default_factory=list)
    quote_jobs: int = 0
    complete: bool = True
    usage: dict[str, Any] = field(default_factory=dict)

    def as_json(self) -> dict[str, Any]:
        """The report as the job's JSON result."""
        return {
            "provider": self.provider,
            "skipped": self.skipped,
            "pages": self.pages,
            "fetched": self.fetched,
            "stored": self.stored,
            "alreadyStored": self.known,
            "byClass": dict(self.by_class),
            "rejected": self.rejected,
            "quoteJobs": self.quote_jobs,
            "complete": self.complete,
            "usage": self.usage,
        }


def sync_mailbox(
    database: Database,
    settings: EmailMonitorSettings,
    organization_id: str,
    *,
    progress: Callable[[int, str], None] | None = None,
) -> SyncReport:
    """Sync the organisation's connected mailbox; see the module docstring."""
    report = SyncReport()
    with database.engine.connect() as lock_conn:
        key = f"email-sync:{organization_id}"
        if not lock_conn.execute(text("SELECT pg_try_advisory_lock(hashtext(:k))"), {"k": key}).scalar():
            report.skipped = "another sync of this mailbox is running"
            log.info("sync of %s skipped: %s", organization_id, report.skipped)
            return report
        try:
            _sync(database, settings, organization_id, report, progress)
        finally:
            lock_conn.execute(text("SELECT pg_advisory_unlock(hashtext(:k))"), {"k": key})
            lock_conn.commit()
    return report


def _sync(
    database: Database,
    settings: EmailMonitorSettings,
    organization_id: str,
    report: SyncReport,
    progress: Callable[[int, str], None] | None,
) -> None:
    with database.session() as session:
        integration = _mailbox(session, organization_id)
        integration_id, provider = integration.id, integration.provider
        report.provider = provider.value
        state = dict(integration.sync_state)
        credentials = _credentials(integration, settings)
        source = build_source(integration, credentials, settings)
    try:
        for page in source.pages(state):
            _store_page(
                database,
                organization_id,
                integration_id,
                source,
                page.refs,
                page.state,
                report,
                settings.mail_page_size,
            )
            report.pages += 1
            if progress:
                progress(min(90, 10 + report.pages * 5), f"{report.stored} messages stored")
            if report.stored >= settings.mail_max_messages_per_sync:
                report.complete = False
                break
    except SourceRevoked as error:
        _mark(database, integration_id, status=IntegrationStatus.NEEDS_REAUTH, error=str(error))
        raise MailboxUnavailable(f"mailbox of {organization_id} needs re-authorisation: {error}") from None
    except Exception as error:
        _mark(database, integration_id, error=f"{type(error).__name__}: {error}")
        raise
    finally:
        source.close()
        _persist_credentials(database, integration_id, source, settings)
        report.usage = {
            "requests": source.usage.requests,
            "quotaUnits": source.usage.quota_units,
            "retries": source.usage.retries,
        }
        PROVIDER_REQUESTS.labels(source.kind).inc(source.usage.requests)
        QUOTA_UNITS.labels(source.kind).inc(source.usage.quota_units)
    report.quote_jobs += _repair_missing_quote_jobs(database, organization_id)
    _mark(database, integration_id, synced=True)
    SYNC_SUCCESS.labels(source.kind).set_to_current_time()


def _mailbox(session: Session, organization_id: str) -> Integration:
    integrations = session.scalars(
        select(Integration).where(
            Integration.organization_id == organization_id, Integration.provider.in_(MAILBOX_PROVIDERS)
        )
    ).all()
    active = [i for i in integrations if i.status is IntegrationStatus.ACTIVE]
    if active:
        return active[0]
    if integrations:
        i = integrations[0]
        reason = i.status_reason or "no reason given"
        raise MailboxUnavailable(f"the {i.provider.value} mailbox of {organization_id} is {i.status.value}: {reason}")
    raise MailboxUnavailable(f"organization {organization_id!r} has no connected mailbox")


def _credentials(integration: Integration, settings: EmailMonitorSettings) -> dict[str, Any]:
    if not integration.credentials:
        if integration.provider is IntegrationProvider.LOCAL_MAILBOX:
            return {}
        raise MailboxUnavailable(f"the {integration.provider.value} mailbox has no stored credentials")
    keyring = Keyring.parse(settings.credentials_encryption_key.get_secret_value())
    return keyring.decrypt_json(integration.credentials, f"{integration.organization_id}/{integration.provider.value}")


def _store_page(
    database: Database,
    organization_id: str,
    integration_id: str,
    source: MailSource,
    refs: list[Any],
    state: dict[str, Any],
    report: SyncReport,
    batch_size: int,
) -> None:
    with database.session() as session:
        known = set(
            session.scalars(
                select(EmailMessage.external_message_id).where(
                    EmailMessage.organization_id == organization_id,
                    EmailMessage.external_message_id.in_([r.external_id for r in refs]),
                )
            )
        )
    report.known += len(known)
    new = [r for r in refs if r.external_id not in known]
    chunks = [new[i : i + batch_size] for i in range(0, len(new), batch_size)] or [[]]
    # The next chunk is fetched while this one is stored: the provider's latency (and quota
    # pacing) overlaps the database work. One fetch at a time, so the client is never shared.
    with ThreadPoolExecutor(1, thread_name_prefix="mail-fetch") as pool:
        ahead: Future[list[Fetched | Rejected]] | None = pool.submit(source.fetch, chunks[0]) if new else None
        for index in range(len(chunks)):
            results = ahead.result() if ahead is not None else []
            more = index + 1 < len(chunks)
            ahead = pool.submit(source.fetch, chunks[index + 1]) if more else None
            _store_results(
                database, organization_id, integration_id, source.kind, results, None if more else state, report
            )


def _store_results(
    database: Database,
    organization_id: str,
    integration_id: str,
    kind: str,
    results: list[Fetched | Rejected],
    state: dict[str, Any] | None,
    report: SyncReport,
) -> None:
    """Store fetched messages in one transaction, with the resume point when given."""
    quotes: list[str] = []
    with database.session() as session:
        for result in results:
            if not isinstance(result, Fetched):
                report.rejected.append({"id": result.ref.external_id, "reason": result.reason})
                MESSAGES.labels(kind, "rejected").inc()
                log.warning("message %s rejected: %s", result.ref.external_id, result.reason)
                continue
            report.fetched += 1
            try:
                with session.begin_nested():  # one bad message never takes its page down with it
                    done = ingest(
                        session,
                        organization_id,
                        result.raw,
                        external_id=result.ref.external_id,
                        thread_key=result.ref.thread_key,
                        resync=result.ref.resync,
                    )
            except SQLAlchemyError as error:
                cause = getattr(error, "orig", None) or error
                reason = f"cannot be stored: {type(cause).__name__}: {str(cause).splitlines()[0][:200]}"
                report.rejected.append({"id": result.ref.external_id, "reason": reason})
                MESSAGES.labels(kind, "rejected").inc()
                log.error("message %s %s", result.ref.external_id, reason)
                continue
            if done.created:
                report.stored += 1
                report.by_class[done.classification.value] += 1
                MESSAGES.labels(kind, done.classification.value.lower()).inc()
                if done.classification is EmailClassification.QUOTE:
                    quotes.append(done.message_id)
        if state is not None:
            integration = session.get(Integration, integration_id)
            if integration is not None:
                integration.sync_state = state
    for message_id in quotes:  # after the commit: the job must find its message
        enqueue_extraction(organization_id, message_id)
        report.quote_jobs += 1


def enqueue_extraction(organization_id: str, message_id: str) -> str:
    """The message's one quote-extraction job (idempotent)."""
    return enqueue(
        "quote-extraction",
        organization_id,
        {"emailMessageId": message_id},
        idempotency_key=f"quote-extraction:{message_id}",
    )


def _repair_missing_quote_jobs(database: Database, organization_id: str) -> int:
    since = datetime.now(UTC) - REPAIR_WINDOW
    with database.session() as session:
        missing = session.scalars(
            select(EmailMessage.id).where(
                EmailMessage.organization_id == organization_id,
                EmailMessage.classification == EmailClassification.QUOTE,
                EmailMessage.created_at >= since,
                ~exists().where(JobQueue.idempotency_key == "quote-extraction:" + EmailMessage.id),
            )
        ).all()
    for message_id in missing:
        log.warning("quote message %s had no extraction job: enqueued now", message_id)
        enqueue_extraction(organization_id, message_id)
    return len(missing)


def _persist_credentials(
    database: Database, integration_id: str, source: MailSource, settings: EmailMonitorSettings
) -> None:
    changed = source.credentials_changed()
    if not changed:
        return
    with database.session() as session:
        integration = session.get(Integration, integration_id)
        if integration is None:
            return
        keyring = Keyring.parse(settings.credentials_encryption_key.get_secret_value())
        context = f"{integration.organization_id}/{integration.provider.value}"
        integration.credentials = keyring.encrypt_json(changed, context)
    log.info("refreshed credentials of integration %s stored", integration_id)


def _mark(
    database: Database,
    integration_id: str,
    *,
    synced: bool = False,
    status: IntegrationStatus | None = None,
    error: str | None = None,
) -> None:
    with database.session() as session:
        integration = session.get(Integration, integration_id)
        if integration is None:
            return
        if synced:
            integration.last_synced_at = datetime.now(UTC)
            integration.last_sync_error = None
        if error is not None:
            integration.last_sync_error = error[:1000]
        if status is not None:
            integration.status = status
            integration.status_reason = error
