"""The ``email-sync`` job: sync one organisation's mailbox (see :mod:`email_monitor.sync`)."""

from __future__ import annotations

from typing import Any

import email_monitor.schedule  # noqa: F401  (the 5-minute fan-out runs on this service's queue)
from email_monitor.settings import settings
from email_monitor.sync import sync_mailbox
from partsiq import runtime
from partsiq.jobs import JobContext, job
from partsiq.payloads import EmailSyncPayload


@job("email-sync")
def email_sync(context: JobContext, payload: EmailSyncPayload) -> dict[str, Any]:
    """Fetch, classify and store new mail; queue quote extraction; report counts."""
    context.progress(5, f"syncing mailbox ({payload.trigger})")
    report = sync_mailbox(runtime.current().database, settings(), payload.organizationId, progress=context.progress)
    return {**report.as_json(), "trigger": payload.trigger, "slot": payload.slot}
