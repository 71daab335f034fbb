"""The mail source interface: pages of message references, then the messages' bytes.

A sync walks :meth:`MailSource.pages` from the stored state; after each page the caller
stores the page's messages and then the page's ``state``, so a crash or a job time limit
loses nothing and repeats at most one page (whose messages are then recognised as known).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any, Protocol


@dataclass(frozen=True)
class Ref:
    """A message as the provider names it: its id (unique per mailbox) and its thread, if the provider has one."""

    external_id: str
    thread_key: str | None = None
    #: The provider renumbered its messages (IMAP UIDVALIDITY): a stored Message-ID means a duplicate.
    resync: bool = False


@dataclass
class Page:
    """Some message references and the state to store once they are all stored."""

    refs: list[Ref]
    state: dict[str, Any]


@dataclass
class Fetched:
    """A message's raw RFC 822 bytes."""

    ref: Ref
    raw: bytes


@dataclass
class Rejected:
    """A message that cannot be stored, and why (recorded, never silently dropped)."""

    ref: Ref
    reason: str


@dataclass
class Usage:
    """What a sync cost at the provider."""

    requests: int = 0
    quota_units: int = 0
    retries: int = 0
    extra: dict[str, Any] = field(default_factory=dict)


class SourceRevoked(Exception):
    """The provider refused the stored grant for good (e.g. ``invalid_grant``): a person must reconnect."""


class MailSource(Protocol):
    """Where an organisation's mail comes from."""

    #: ``local``, ``gmail`` or ``imap``.
    kind: str
    usage: Usage

    def pages(self, state: dict[str, Any]) -> Iterator[Page]:
        """References of messages new since ``state``, page by page, oldest first where the provider allows."""
        ...

    def fetch(self, refs: list[Ref]) -> list[Fetched | Rejected]:
        """The bytes of ``refs`` (one result per ref)."""
        ...

    def credentials_changed(self) -> dict[str, Any] | None:
        """Credentials to persist if the source refreshed them during the sync, else None."""
        ...

    def close(self) -> None:
        """Release connections."""
        ...
