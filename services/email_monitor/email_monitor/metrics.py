"""The service's metrics (bounded labels: provider kind, classification, outcome)."""

from __future__ import annotations

from prometheus_client import Counter, Gauge

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
