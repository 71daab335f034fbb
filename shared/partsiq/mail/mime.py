"""Parse any RFC 822 message without crashing: what cannot be read is recorded as a defect.

Python's ``email`` package raises on some malformed input (``IndexError`` inside
``message_from_bytes`` or when a header is read, ``LookupError`` for an unknown charset,
``KeyError`` from odd multiparts). Each read here is guarded: the modern policy first, then
``compat32`` raw strings, and payload bytes are decoded through a fallback chain, so a broken
message still yields whatever text and attachments it has, plus a list of what went wrong.
"""

from __future__ import annotations

import email
import email.utils
import re
from dataclasses import dataclass, field
from datetime import datetime
from email import policy
from email.message import Message
from typing import Any

_MESSAGE_ID = re.compile(r"<[^<>\s]+>")
#: Tried in order after the part's declared charset; latin-1 never fails.
FALLBACK_CHARSETS = ("utf-8", "cp1252", "latin-1")


@dataclass
class Attachment:
    """One attachment's name, declared type and bytes."""

    filename: str | None
    content_type: str
    content: bytes

    @property
    def is_pdf(self) -> bool:
        """Declared as PDF, named ``.pdf`` or starting with the PDF magic bytes."""
        name = (self.filename or "").lower()
        return self.content_type == "application/pdf" or name.endswith(".pdf") or self.content.startswith(b"%PDF")


@dataclass
class ParsedMail:
    """What a message says, as far as it could be read."""

    message_id: str | None = None
    #: ``In-Reply-To`` and ``References`` message ids, oldest first (for threading).
    references: list[str] = field(default_factory=list)
    subject: str | None = None
    from_address: str | None = None
    to_addresses: list[str] = field(default_factory=list)
    date: datetime | None = None
    text: str | None = None
    html: str | None = None
    attachments: list[Attachment] = field(default_factory=list)
    #: ``{"part": ..., "reason": ...}`` for everything that could not be read.
    defects: list[dict[str, str]] = field(default_factory=list)

    def defect(self, part: str, reason: str) -> None:
        """Record that ``part`` could not be read, and why."""
        self.defects.append({"part": part, "reason": reason})


def parse_message(raw: bytes) -> ParsedMail:
    """Parse ``raw`` mail bytes; never raises for malformed input."""
    mail = ParsedMail()
    try:
        message: Message = email.message_from_bytes(raw, policy=policy.default)
    except Exception as error:  # noqa: BLE001 (the stdlib raises assorted errors on malformed mail)
        mail.defect("message", f"modern parser failed ({type(error).__name__}: {error}); read as compat32")
        message = email.message_from_bytes(raw, policy=policy.compat32)
    for defect in getattr(message, "defects", []):
        mail.defect("message", type(defect).__name__)

    mail.message_id = _header(message, "Message-ID", mail)
    mail.subject = _header(message, "Subject", mail)
    chain = f"{_header(message, 'References', mail) or ''} {_header(message, 'In-Reply-To', mail) or ''}"
    mail.references = list(dict.fromkeys(_MESSAGE_ID.findall(chain)))
    sender = email.utils.parseaddr(_header(message, "From", mail) or "")[1]
    mail.from_address = sender.lower() or None
    recipients = [_header(message, name, mail) or "" for name in ("To", "Cc")]
    mail.to_addresses = [addr.lower() for _, addr in email.utils.getaddresses(recipients) if addr]
    mail.date = _date(_header(message, "Date", mail), mail)
    _walk(message, mail)
    _drop_nul(mail)
    return mail


def _drop_nul(mail: ParsedMail) -> None:
    """NUL characters cannot be stored in PostgreSQL text; binary sent as text has them."""
    for name in ("message_id", "subject", "from_address", "text", "html"):
        value = getattr(mail, name)
        if value and "\x00" in value:
            setattr(mail, name, value.replace("\x00", ""))
            mail.defect(name, "NUL characters removed (binary content in a text part?)")
    mail.to_addresses = [a.replace("\x00", "") for a in mail.to_addresses]
    mail.references = [r.replace("\x00", "") for r in mail.references]


def _header(message: Message, name: str, mail: ParsedMail) -> str | None:
    try:
        value = message.get(name)
        return None if value is None else str(value).strip()
    except Exception as error:  # noqa: BLE001
        mail.defect(f"header {name}", f"{type(error).__name__}: {error}")
    try:  # the raw header, undecoded, is better than nothing
        raw = message.get_all(name) if hasattr(message, "get_all") else None
        return str(raw[0]).strip() if raw else None
    except Exception:  # noqa: BLE001
        return None


def _date(value: str | None, mail: ParsedMail) -> datetime | None:
    if not value:
        return None
    try:
        return email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError) as error:
        mail.defect("header Date", f"unparseable date {value!r} ({error})")
        return None


def _walk(message: Message, mail: ParsedMail) -> None:
    texts: list[str] = []
    htmls: list[str] = []
    for index, part in enumerate(message.walk()):
        try:
            if part.is_multipart():
                continue
            content_type = part.get_content_type()
            filename = _filename(part)
            disposition = (part.get_content_disposition() or "").lower()
            if disposition == "attachment" or filename or not content_type.startswith("text/"):
                payload = part.get_payload(decode=True)
                if isinstance(payload, bytes):
                    mail.attachments.append(Attachment(filename, content_type, payload))
                continue
            text = _decode(part, mail, f"part {index} ({content_type})")
            (htmls if content_type == "text/html" else texts).append(text)
        except Exception as error:  # noqa: BLE001
            mail.defect(f"part {index}", f"{type(error).__name__}: {error}")
    mail.text = "\n\n".join(t for t in texts if t.strip()) or None
    mail.html = "\n".join(h for h in htmls if h.strip()) or None


def _filename(part: Message) -> str | None:
    try:
        return part.get_filename()
    except Exception:  # noqa: BLE001 (e.g. ``name*`` with no value)
        return None


def _decode(part: Message, mail: ParsedMail, where: str) -> str:
    payload: Any = part.get_payload(decode=True)
    if not isinstance(payload, bytes):
        return str(part.get_payload())
    declared = part.get_content_charset()
    for charset in (declared, *FALLBACK_CHARSETS):
        if not charset:
            continue
        try:
            text = payload.decode(charset)
        except (LookupError, UnicodeDecodeError):
            continue
        if charset != (declared or "utf-8") and declared:
            mail.defect(where, f"declared charset {declared!r} failed; decoded as {charset}")
        return text
    return payload.decode("latin-1")  # pragma: no cover (latin-1 decodes any bytes)
