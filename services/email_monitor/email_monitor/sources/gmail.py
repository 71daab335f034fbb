"""Gmail through the official client: incremental ``history.list``, full-sync fallback, batched ``messages.get``.

- **Incremental**: ``history.list(startHistoryId, historyTypes=messageAdded)``, paged; the new
  ``historyId`` is stored with the last page. An unchanged mailbox costs one call (2 units).
- **Expired history** (HTTP 404): a full sync, ``messages.list`` (``MAIL_GMAIL_FULL_SYNC_QUERY``,
  default the last 30 days) from the ``historyId`` read at its start, resumable by page token.
- **Fetching**: ``messages.get(format=raw)`` in batches of ``MAIL_PAGE_SIZE`` (at most 50), the
  batch URI built from the configured endpoint (the client's own ignores ``api_endpoint``).
  Sub-requests answered 429/403-rate-limit/5xx are retried with exponential backoff (the
  client never retries inside a batch); a message deleted meanwhile (404) is rejected.
- **Quota**: every call is paced by a :class:`~email_monitor.quota.TokenBucket` at 95 % of the
  mailbox's units per minute.
- **Credentials**: google-auth refreshes the access token when it is missing or about to
  expire; the new token (and refresh token, if Google rotated it) is handed back to be stored.
  ``invalid_grant`` means the grant was revoked: :class:`SourceRevoked`.
"""

from __future__ import annotations

import base64
import logging
import random
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Any

from email_monitor.quota import TokenBucket
from email_monitor.settings import EmailMonitorSettings
from email_monitor.sources.base import Fetched, Page, Ref, Rejected, SourceRevoked, Usage

log = logging.getLogger("email_monitor.gmail")

SCOPES = ["https://www.googleapis.com/auth/gmail.readonly"]
#: Quota units per call (Google's published costs).
UNITS = {"getProfile": 1, "history.list": 2, "messages.list": 5, "messages.get": 5}
#: Reasons of a 403 that mean "slow down", not "forbidden".
RATE_LIMIT_REASONS = frozenset({"rateLimitExceeded", "userRateLimitExceeded", "quotaExceeded"})


class GmailThrottled(Exception):
    """Gmail kept answering "slow down" through every retry (the job retries later)."""


class GmailSource:
    """One organisation's Gmail mailbox; see the module docstring."""

    kind = "gmail"

    def __init__(
        self,
        credentials: dict[str, Any],
        settings: EmailMonitorSettings,
        *,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        from google.oauth2.credentials import Credentials
        from googleapiclient.discovery import build

        self.settings = settings
        self.sleep = sleep
        self.usage = Usage()
        expiry = credentials.get("expiry")
        self.creds = Credentials(  # type: ignore[no-untyped-call]
            token=credentials.get("token"),
            refresh_token=credentials["refresh_token"],
            token_uri=settings.gmail_token_uri,
            client_id=credentials["client_id"],
            client_secret=credentials["client_secret"],
            scopes=SCOPES,
            # google-auth compares expiry with a naive UTC datetime
            expiry=datetime.fromisoformat(expiry).astimezone(UTC).replace(tzinfo=None) if expiry else None,
        )
        self._secret = dict(credentials)
        self._initial = (self.creds.token, self.creds.refresh_token)
        endpoint = settings.gmail_api_endpoint.rstrip("/") + "/"
        self.service = build(
            "gmail",
            "v1",
            credentials=self.creds,
            static_discovery=True,
            cache_discovery=False,
            client_options={"api_endpoint": endpoint},
        )
        self.batch_uri = endpoint + "batch/gmail/v1"
        self.bucket = TokenBucket(settings.gmail_quota_units_per_minute, sleep=sleep)

    # --- pages -------------------------------------------------------------------------------------------------------

    def pages(self, state: dict[str, Any]) -> Iterator[Page]:
        """Incremental from ``historyId``; a full sync when there is none or it expired."""
        from googleapiclient.errors import HttpError

        if "fullSync" in state:
            yield from self._full(state["fullSync"]["historyId"], state["fullSync"].get("pageToken"))
            return
        if "historyId" not in state:
            yield from self._full(None, None)
            return
        try:
            yield from self._incremental(str(state["historyId"]))
        except HttpError as error:
            if error.resp.status != 404:
                raise
            log.warning("historyId %s expired (404): full sync", state["historyId"])
            yield from self._full(None, None)

    def _incremental(self, start: str) -> Iterator[Page]:
        token: str | None = None
        while True:
            response = self._call(
                "history.list",
                self.service.users()
                .history()
                .list(
                    userId="me",
                    startHistoryId=start,
                    historyTypes=["messageAdded"],
                    pageToken=token,
                    maxResults=self.settings.mail_list_page_size,
                ),
            )
            refs = _unique(
                Ref(added["message"]["id"], added["message"].get("threadId"))
                for record in response.get("history", [])
                for added in record.get("messagesAdded", [])
                if _incoming(added["message"].get("labelIds", []))
            )
            token = response.get("nextPageToken")
            yield Page(refs, {"historyId": start if token else response["historyId"]})
            if not token:
                return

    def _full(self, history_id: str | None, token: str | None) -> Iterator[Page]:
        if history_id is None:
            history_id = str(self._call("getProfile", self.service.users().getProfile(userId="me"))["historyId"])
        while True:
            response = self._call(
                "messages.list",
                self.service.users()
                .messages()
                .list(
                    userId="me",
                    q=self.settings.mail_gmail_full_sync_query or None,
                    pageToken=token,
                    maxResults=self.settings.mail_list_page_size,
                ),
            )
            refs = [Ref(m["id"], m.get("threadId")) for m in response.get("messages", [])]
            token = response.get("nextPageToken")
            state = {"fullSync": {"historyId": history_id, "pageToken": token}} if token else {"historyId": history_id}
            yield Page(refs, state)
            if not token:
                return

    def _call(self, method: str, request: Any) -> dict[str, Any]:
        self.bucket.acquire(UNITS[method])
        self.usage.requests += 1
        self.usage.quota_units += UNITS[method]
        with _revocation():
            result: dict[str, Any] = request.execute(num_retries=self.settings.gmail_max_retries)
        return result

    # --- fetch -------------------------------------------------------------------------------------------------------

    def fetch(self, refs: list[Ref]) -> list[Fetched | Rejected]:
        """Raw bytes of ``refs``, in batches, retrying throttled sub-requests with backoff."""
        from googleapiclient.http import BatchHttpRequest

        results: dict[str, Fetched | Rejected] = {}
        pending = list(refs)
        for attempt in range(self.settings.gmail_max_retries + 1):
            throttled: list[Ref] = []
            for start in range(0, len(pending), self.settings.mail_page_size):
                chunk = pending[start : start + self.settings.mail_page_size]
                by_id = {ref.external_id: ref for ref in chunk}

                def done(
                    request_id: str,
                    response: Any,
                    error: Any,
                    by_id: dict[str, Ref] = by_id,
                    throttled: list[Ref] = throttled,
                ) -> None:
                    ref = by_id[request_id]
                    if error is None:
                        results[request_id] = self._decode(ref, response)
                    elif _throttled(error):
                        throttled.append(ref)
                    elif getattr(error.resp, "status", None) == 404:
                        results[request_id] = Rejected(ref, "message deleted before it could be fetched")
                    else:
                        results[request_id] = Rejected(ref, f"Gmail answered {error.resp.status}: {_reason(error)}")

                batch = BatchHttpRequest(callback=done, batch_uri=self.batch_uri)
                for ref in chunk:
                    batch.add(
                        self.service.users().messages().get(userId="me", id=ref.external_id, format="raw"),
                        request_id=ref.external_id,
                    )
                self.bucket.acquire(UNITS["messages.get"] * len(chunk))
                self.usage.requests += 1
                self.usage.quota_units += UNITS["messages.get"] * len(chunk)
                with _revocation():
                    self._ensure_token()
                    batch.execute()
            if not throttled:
                break
            self.usage.retries += len(throttled)
            delay = min(64.0, 2.0**attempt) * (0.5 + random.random() / 2)  # noqa: S311 (jitter, not crypto)
            log.info("%d messages throttled by Gmail: retrying in %.1f s", len(throttled), delay)
            self.sleep(delay)
            pending = throttled
        else:
            raise GmailThrottled(
                f"{len(pending)} messages still throttled after {self.settings.gmail_max_retries} retries"
            )
        return [results[ref.external_id] for ref in refs]

    def _ensure_token(self) -> None:
        """Refresh over the service's own connection (a batch would open one it never closes)."""
        if not self.creds.valid:
            import google_auth_httplib2

            self.creds.refresh(google_auth_httplib2.Request(self.service._http.http))  # type: ignore[no-untyped-call]

    def _decode(self, ref: Ref, response: dict[str, Any]) -> Fetched | Rejected:
        raw = response.get("raw", "")
        data = base64.urlsafe_b64decode(raw + "=" * (-len(raw) % 4))
        if len(data) > self.settings.mail_max_message_bytes:
            return Rejected(
                ref, f"message is {len(data)} bytes, over the {self.settings.mail_max_message_bytes}-byte limit"
            )
        return Fetched(Ref(ref.external_id, response.get("threadId") or ref.thread_key), data)

    def close(self) -> None:
        """Close the HTTP connections."""
        self.service.close()

    def credentials_changed(self) -> dict[str, Any] | None:
        """The refreshed token (and rotated refresh token) to store, if google-auth refreshed them."""
        if (self.creds.token, self.creds.refresh_token) == self._initial:
            return None
        expiry = self.creds.expiry.replace(tzinfo=UTC).isoformat() if self.creds.expiry else None
        return {**self._secret, "token": self.creds.token, "refresh_token": self.creds.refresh_token, "expiry": expiry}


@contextmanager
def _revocation() -> Iterator[None]:
    """Turn google-auth's ``invalid_grant`` into :class:`SourceRevoked`."""
    from google.auth.exceptions import RefreshError

    try:
        yield
    except RefreshError as error:
        if "invalid_grant" in str(error):
            raise SourceRevoked(f"Google refused the stored grant: {error}") from None
        raise


def _incoming(labels: list[str]) -> bool:
    """Mail we received (not drafts, not what we sent)."""
    return "DRAFT" not in labels and ("INBOX" in labels or "SENT" not in labels)


def _unique(refs: Iterator[Ref]) -> list[Ref]:
    seen: dict[str, Ref] = {}
    for ref in refs:
        seen.setdefault(ref.external_id, ref)
    return list(seen.values())


def _reason(error: Any) -> str:
    try:
        details = error.error_details
        return str(details[0].get("reason")) if details else str(error.reason)
    except (AttributeError, IndexError, TypeError):
        return str(error)


def _throttled(error: Any) -> bool:
    status = getattr(error.resp, "status", 0)
    return status == 429 or status >= 500 or (status == 403 and _reason(error) in RATE_LIMIT_REASONS)
