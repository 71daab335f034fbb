"""Supplier mail as data: robust MIME parsing and untrusted HTML reduced to safe text."""

from partsiq.mail.html import html_to_text
from partsiq.mail.mime import Attachment, ParsedMail, parse_message
from partsiq.mail.store import normalize_subject, save_message

__all__ = ["Attachment", "ParsedMail", "html_to_text", "normalize_subject", "parse_message", "save_message"]
