"""Mail sources: ``LOCAL_MAILBOX`` (the embedded default), ``GMAIL``, ``IMAP``; built from an Integration row."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from email_monitor.settings import EmailMonitorSettings
from email_monitor.sources.base import (
    Fetched,
    MailSource,
    Page,
    Ref,
    Rejected,
    SourceRevoked,
    Usage,
)
from email_monitor.sources.local import LocalMailbox
from partsiq.db.models import Integration, IntegrationProvider
from partsiq.errors import PermanentError

#: The providers that are mailboxes (an organisation connects one of them).
MAILBOX_PROVIDERS = (IntegrationProvider.GMAIL, IntegrationProvider.IMAP, IntegrationProvider.LOCAL_MAILBOX)


def build_source(integration: Integration, credentials: dict[str, Any], settings: EmailMonitorSettings) -> MailSource:
    """The source for a connected mailbox (the Gmail and IMAP clients are imported only when used)."""
    if integration.provider is IntegrationProvider.LOCAL_MAILBOX:
        path = integration.config.get("path")
        if not path:
            raise PermanentError("the local mailbox integration has no 'path' in its config")
        return LocalMailbox(Path(path), page_size=settings.mail_page_size, max_bytes=settings.mail_max_message_bytes)
    if integration.provider is IntegrationProvider.GMAIL:
        from email_monitor.sources.gmail import GmailSource

        return GmailSource(credentials, settings)
    if integration.provider is IntegrationProvider.IMAP:
        from email_monitor.sources.imap import ImapSource

        return ImapSource(integration.config, credentials, settings)
    raise PermanentError(f"mail provider {integration.provider.value} is not supported")


__all__ = [
    "MAILBOX_PROVIDERS",
    "Fetched",
    "MailSource",
    "Page",
    "Ref",
    "Rejected",
    "SourceRevoked",
    "Usage",
    "build_source",
]
