"""The service's metrics (bounded labels: provider kind, classification, outcome)."""

from __future__ import annotations

from collections.abc import Iterator

from prometheus_client import Counter, Gauge
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import Collector

from partsiq.metrics import REGISTRY

MESSAGES = Counter(
    "partsiq_mail_messages",
    "Messages stored by a sync, by provider and classification (or 'rejected').",
    ["provider", "outcome"],
    registry=REGISTRY,
)
PROVIDER_REQUESTS = Counter(
    "partsiq_mail_provider_requests", "HTTP/IMAP requests made to mail providers.", ["provider"], registry=REGISTRY
)
QUOTA_UNITS = Counter(
    "partsiq_mail_quota_units",
    "Provider quota units used (Gmail: 5 per messages.get).",
    ["provider"],
    registry=REGISTRY,
)
SYNC_SUCCESS = Gauge(
    "partsiq_mail_last_sync_success_timestamp_seconds",
    "When this process last completed a mailbox sync (per organisation: Integration.lastSyncedAt).",
    ["provider"],
    registry=REGISTRY,
)


class MailboxCollector(Collector):
    """At scrape time, from the Integration table: mailboxes by status and the oldest successful sync.

    ``partsiq_mail_oldest_sync_age_seconds`` is what a staleness alert watches (e.g. > 900 s:
    three ticks missed); it needs no per-organisation label.
    """

    def describe(self) -> Iterator[GaugeMetricFamily]:
        """The metric names, so registering does not run :meth:`collect` (a query at import time)."""
        yield GaugeMetricFamily("partsiq_mail_mailboxes", "Connected mailboxes by status.", labels=["status"])
        yield GaugeMetricFamily("partsiq_mail_oldest_sync_age_seconds", "Oldest successful sync age.")

    def collect(self) -> Iterator[GaugeMetricFamily]:
        """Query the database; yield nothing if it cannot be read (a scrape never fails on it)."""
        from sqlalchemy import text

        from partsiq import runtime

        try:
            database = runtime.current().database
            with database.engine.connect() as conn:
                rows = conn.execute(
                    text(
                        'SELECT status::text, count(*), max(extract(epoch FROM now() - coalesce("lastSyncedAt", '
                        "\"createdAt\"))) FROM \"Integration\" WHERE provider IN ('GMAIL', 'IMAP', 'LOCAL_MAILBOX') "
                        "GROUP BY status"
                    )
                ).all()
        except Exception:  # noqa: BLE001 (no runtime yet, or the database is down: readiness reports that)
            return
        mailboxes = GaugeMetricFamily("partsiq_mail_mailboxes", "Connected mailboxes by status.", labels=["status"])
        for status, count, _ in rows:
            mailboxes.add_metric([status], count)
        yield mailboxes
        age = max((float(a) for status, _, a in rows if status == "ACTIVE" and a is not None), default=0.0)
        yield GaugeMetricFamily(
            "partsiq_mail_oldest_sync_age_seconds",
            "Seconds since the least recently synced ACTIVE mailbox last synced successfully.",
            value=age,
        )


REGISTRY.register(MailboxCollector())
