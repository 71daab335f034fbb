"""The email-monitor service's settings: the library's, plus sync sizes and the Gmail endpoints."""

from __future__ import annotations

from functools import cache

from partsiq.settings import Settings


class EmailMonitorSettings(Settings):
    """``MAIL_*`` settings; Gmail's endpoints are only overridden for tests and emulators."""

    #: Messages one sync job stores at most; the rest waits for the next tick (state is kept per page).
    mail_max_messages_per_sync: int = 2000
    #: Messages fetched per Gmail batch request (Google advises at most 50) and per local-folder page.
    mail_page_size: int = 50
    #: Message ids per Gmail list/history page (one call costs the same for 1 or 500 ids).
    mail_list_page_size: int = 500
    #: A message larger than this is rejected with the reason (Gmail's own limit is 25 MB).
    mail_max_message_bytes: int = 30 * 1024 * 1024
    #: Gmail search query of a full sync (first sync, or after the stored historyId expired).
    mail_gmail_full_sync_query: str = "newer_than:30d"
    #: Gmail quota units per minute per mailbox that syncs may use (Google's limit: 15,000).
    gmail_quota_units_per_minute: int = 15_000
    #: Gmail API root (tests point it at an emulator); the batch endpoint is derived from it.
    gmail_api_endpoint: str = "https://gmail.googleapis.com/"
    #: OAuth token endpoint used to refresh access tokens.
    gmail_token_uri: str = "https://oauth2.googleapis.com/token"
    #: Attempts per Gmail request on 429/403-rate-limit/5xx, with exponential backoff.
    gmail_max_retries: int = 5


@cache
def settings() -> EmailMonitorSettings:
    """The process's settings, read once from the environment."""
    return EmailMonitorSettings()
