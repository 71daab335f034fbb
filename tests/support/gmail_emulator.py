"""A local emulator of the Gmail API endpoints the email monitor uses, for the real google-api-python-client.

State is computed, not canned: every added message gets the next historyId and a
``messageAdded`` history record; history older than ``oldest_history_id`` answers 404 like
Gmail's expired ids. Access tokens come from ``/token`` (refresh-token grant; a revoked refresh
token answers ``invalid_grant``) and every API call checks its bearer token. Options: a quota
of units per minute per user (429 ``rateLimitExceeded`` beyond it, inside batches too),
forced 429s for the next N calls, and a latency added to each HTTP request.
"""

from __future__ import annotations

import base64
import json
import secrets
import threading
import time
from collections import deque
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from email.parser import BytesParser
from email.policy import compat32
from http.server import BaseHTTPRequestHandler
from typing import Any
from urllib.parse import parse_qs, urlsplit

from tests.support.http import serving

#: Quota units per method (Google's published costs).
COST = {"profile": 1, "list": 5, "get": 5, "history": 2}


@dataclass
class StoredMessage:
    id: str
    thread_id: str
    raw: bytes
    history_id: int
    internal_date: int
    labels: list[str]


@dataclass
class GmailEmulator:
    """The mailbox and the server's behaviour; see the module docstring."""

    messages: list[StoredMessage] = field(default_factory=list)
    history_id: int = 1000
    oldest_history_id: int = 0
    refresh_token: str = "refresh-1"
    revoked: bool = False
    tokens: set[str] = field(default_factory=set)
    token_lifetime_s: int = 3600
    quota_per_minute: int | None = None
    latency_s: float = 0.0
    force_429: int = 0
    port: int = 0
    #: Every HTTP request as (method, path), for assertions on cost.
    requests: list[tuple[str, str]] = field(default_factory=list)
    quota_used: deque[tuple[float, int]] = field(default_factory=deque)
    throttled: list[float] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    @property
    def endpoint(self) -> str:
        return f"http://127.0.0.1:{self.port}/"

    @property
    def token_uri(self) -> str:
        return f"http://127.0.0.1:{self.port}/token"

    def add(self, raw: bytes, *, thread_id: str | None = None, labels: list[str] | None = None) -> StoredMessage:
        with self.lock:
            self.history_id += 1
            message = StoredMessage(
                id=f"m{len(self.messages) + 1:06d}",
                thread_id=thread_id or f"t{len(self.messages) + 1:06d}",
                raw=raw,
                history_id=self.history_id,
                internal_date=int(time.time() * 1000),
                labels=labels or ["INBOX"],
            )
            self.messages.append(message)
            return message

    def expire_history(self) -> None:
        """History before now is gone (Gmail keeps about a week): an old startHistoryId gets 404."""
        self.oldest_history_id = self.history_id

    # --- quota -------------------------------------------------------------------------------------------------------

    def charge(self, units: int) -> bool:
        """Take ``units`` from the per-minute quota; False (-> 429) when it would be exceeded or a 429 is forced."""
        with self.lock:
            if self.force_429 > 0:
                self.force_429 -= 1
                self.throttled.append(time.monotonic())
                return False
            now = time.monotonic()
            while self.quota_used and self.quota_used[0][0] <= now - 60:
                self.quota_used.popleft()
            if self.quota_per_minute is not None and sum(u for _, u in self.quota_used) + units > self.quota_per_minute:
                self.throttled.append(now)
                return False
            self.quota_used.append((now, units))
            return True

    # --- API ---------------------------------------------------------------------------------------------------------

    def api(self, method: str, path: str, query: dict[str, list[str]], token: str | None) -> tuple[int, dict[str, Any]]:
        """One API call: (status, JSON body)."""
        if token not in self.tokens:
            return 401, _error(401, "Invalid Credentials", "authError")
        route = path.removeprefix("/gmail/v1/users/me/")
        kind = (
            "profile" if route == "profile" else "history" if route == "history" else "list" if route == "messages"
            else "get" if route.startswith("messages/") else None
        )  # fmt: skip
        if kind is None:
            return 404, _error(404, f"no route {path}", "notFound")
        if not self.charge(COST[kind]):
            return 429, _error(429, "Rate Limit Exceeded", "rateLimitExceeded")
        one = lambda name, default=None: (query.get(name) or [default])[0]  # noqa: E731
        if kind == "profile":
            return 200, {
                "emailAddress": "buyer@example.com",
                "messagesTotal": len(self.messages),
                "historyId": str(self.history_id),
            }
        if kind == "list":
            newest_first = list(reversed(self.messages))
            start, size = int(one("pageToken", "0")), int(one("maxResults", "100"))
            chunk = newest_first[start : start + size]
            body: dict[str, Any] = {
                "messages": [{"id": m.id, "threadId": m.thread_id} for m in chunk],
                "resultSizeEstimate": len(newest_first),
            }
            if start + size < len(newest_first):
                body["nextPageToken"] = str(start + size)
            return 200, body
        if kind == "history":
            since = int(one("startHistoryId", "0"))
            if since < self.oldest_history_id:
                return 404, _error(404, "Requested entity was not found.", "notFound")
            records = [m for m in self.messages if m.history_id > since]
            start, size = int(one("pageToken", "0")), int(one("maxResults", "100"))
            chunk = records[start : start + size]
            body = {"historyId": str(self.history_id)}
            if chunk:
                body["history"] = [
                    {
                        "id": str(m.history_id),
                        "messagesAdded": [{"message": {"id": m.id, "threadId": m.thread_id, "labelIds": m.labels}}],
                    }
                    for m in chunk
                ]
            if start + size < len(records):
                body["nextPageToken"] = str(start + size)
            return 200, body
        message_id = route.removeprefix("messages/")
        found = next((m for m in self.messages if m.id == message_id), None)
        if found is None:
            return 404, _error(404, "Requested entity was not found.", "notFound")
        return 200, {
            "id": found.id,
            "threadId": found.thread_id,
            "historyId": str(found.history_id),
            "internalDate": str(found.internal_date),
            "labelIds": found.labels,
            "raw": base64.urlsafe_b64encode(found.raw).decode(),
        }

    def token(self, form: dict[str, list[str]]) -> tuple[int, dict[str, Any]]:
        if (
            form.get("grant_type") != ["refresh_token"]
            or form.get("refresh_token") != [self.refresh_token]
            or self.revoked
        ):
            return 400, {"error": "invalid_grant", "error_description": "Token has been expired or revoked."}
        token = secrets.token_hex(8)
        self.tokens.add(token)
        return 200, {"access_token": token, "expires_in": self.token_lifetime_s, "token_type": "Bearer"}


def _error(code: int, message: str, reason: str) -> dict[str, Any]:
    return {
        "error": {
            "code": code,
            "message": message,
            "errors": [{"message": message, "domain": "usageLimits" if code == 429 else "global", "reason": reason}],
        }
    }


def _handler(emulator: GmailEmulator) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def _reply(self, status: int, body: bytes, content_type: str = "application/json") -> None:
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def _token(self) -> str | None:
            auth = self.headers.get("Authorization", "")
            return auth.removeprefix("Bearer ") if auth.startswith("Bearer ") else None

        def do_GET(self) -> None:  # noqa: N802
            time.sleep(emulator.latency_s)
            url = urlsplit(self.path)
            emulator.requests.append(("GET", url.path))
            status, body = emulator.api("GET", url.path, parse_qs(url.query), self._token())
            self._reply(status, json.dumps(body).encode())

        def do_POST(self) -> None:  # noqa: N802
            time.sleep(emulator.latency_s)
            url = urlsplit(self.path)
            emulator.requests.append(("POST", url.path))
            data = self.rfile.read(int(self.headers.get("Content-Length", 0)))
            if url.path == "/token":
                status, body = emulator.token(parse_qs(data.decode()))
                self._reply(status, json.dumps(body).encode())
            elif url.path == "/batch/gmail/v1":
                self._batch(data)
            else:
                self._reply(404, json.dumps(_error(404, "not found", "notFound")).encode())

        def _batch(self, data: bytes) -> None:
            envelope = BytesParser(policy=compat32).parsebytes(
                f"Content-Type: {self.headers['Content-Type']}\r\n\r\n".encode() + data
            )
            boundary = "batch_" + secrets.token_hex(8)
            parts = []
            for part in envelope.get_payload():
                request = part.get_payload()
                request_line, _, rest = request.partition("\n")
                method, target, _ = request_line.split(" ", 2)
                token = next(
                    (
                        line.split("Bearer ", 1)[1].strip()
                        for line in rest.splitlines()
                        if line.lower().startswith("authorization:")
                    ),
                    None,
                )
                url = urlsplit(target)
                status, body = emulator.api(method, url.path, parse_qs(url.query), token)
                text = json.dumps(body)
                parts.append(
                    f"--{boundary}\r\nContent-Type: application/http\r\n"
                    f"Content-ID: <response-{part['Content-ID'][1:-1]}>\r\n\r\n"
                    f"HTTP/1.1 {status} {'OK' if status == 200 else 'Error'}\r\n"
                    "Content-Type: application/json; charset=UTF-8\r\n"
                    f"Content-Length: {len(text)}\r\n\r\n{text}\r\n"
                )
            payload = ("".join(parts) + f"--{boundary}--\r\n").encode()
            self._reply(200, payload, f"multipart/mixed; boundary={boundary}")

        def log_message(self, *args: Any) -> None:
            pass

    return Handler


@contextmanager
def gmail_emulator(**options: Any) -> Iterator[GmailEmulator]:
    """Serve an emulator on a free loopback port for the block."""
    emulator = GmailEmulator(**options)
    with serving(_handler(emulator)) as port:
        emulator.port = port
        yield emulator
