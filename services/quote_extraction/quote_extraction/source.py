"""The readable text of a quote: mail body, visible HTML, PDF pages, as one delimited document.

A job carries ids, never content: :func:`from_message` reads the stored message and its
attachment bytes. The CLI reads files: :func:`from_eml` and :func:`from_pdf`. Whatever cannot be
read (a broken PDF, a malformed MIME part) becomes a defect and the rest is still used.
"""

from __future__ import annotations

import io
import logging
from collections.abc import Iterable
from dataclasses import dataclass, field

from partsiq.mail import Attachment, html_to_text, parse_message

log = logging.getLogger("quote_extraction.source")

#: PDF pages read per attachment (a 300-page catalogue attached by mistake is not a quote).
MAX_PDF_PAGES = 30


class PdfUnreadable(Exception):
    """A PDF that pdfplumber cannot open or that holds no text (scanned)."""


@dataclass
class Section:
    """One readable part: ``body`` (visible HTML or text), ``text`` (a differing text part) or an attachment."""

    name: str
    text: str


@dataclass
class SourceDocument:
    """Everything an extractor may read, and what could not be read."""

    sections: list[Section] = field(default_factory=list)
    subject: str | None = None
    sender: str | None = None
    defects: list[dict[str, str]] = field(default_factory=list)

    @property
    def text(self) -> str:
        """All sections, each under a ``--- name ---`` line (the text extractors and verification use)."""
        return "\n\n".join(f"--- {s.name} ---\n{s.text}" for s in self.sections if s.text.strip())

    def quote_text(self) -> str:
        """The part most likely to hold the quote: PDF attachments first, else the body."""
        attachments = [s for s in self.sections if s.name not in ("body", "text")]
        chosen = attachments or self.sections
        return "\n\n".join(s.text for s in chosen if s.text.strip())


def pdf_text(content: bytes, *, max_pages: int = MAX_PDF_PAGES) -> str:
    """Text of a PDF's pages, layout kept line by line (pdfplumber keeps table rows together)."""
    import pdfplumber

    try:
        with pdfplumber.open(io.BytesIO(content)) as pdf:
            pages = [page.extract_text() or "" for page in pdf.pages[:max_pages]]
    except Exception as error:  # noqa: BLE001 (pdfminer raises many kinds of errors on broken files)
        raise PdfUnreadable(f"cannot read PDF ({type(error).__name__}: {error})") from None
    text = "\n".join(pages).strip()
    if not text:
        raise PdfUnreadable("PDF has no text layer (scanned image?)")
    return text


def from_parts(
    *,
    text: str | None,
    html: str | None,
    attachments: Iterable[Attachment],
    subject: str | None = None,
    sender: str | None = None,
    defects: Iterable[dict[str, str]] = (),
) -> SourceDocument:
    """Assemble a document from a message's parts (the one place the rules for parts live)."""
    doc = SourceDocument(subject=subject, sender=sender, defects=list(defects))
    # The HTML alternative keeps table rows together and loses hidden elements: it is the body when it
    # says what the text part says; a text part with more to say is kept as well.
    visible = html_to_text(html) if html and html.strip() else ""
    if visible:
        doc.sections.append(Section("body", visible))
    if text and text.strip() and not (visible and _same_words(text, visible)):
        doc.sections.append(Section("text" if visible else "body", text.strip()))
    for attachment in attachments:
        name = attachment.filename or "attachment"
        if attachment.is_pdf:
            try:
                doc.sections.append(Section(name, pdf_text(attachment.content)))
            except PdfUnreadable as error:
                log.warning("attachment %s unreadable: %s", name, error)
                doc.defects.append({"part": name, "reason": str(error)})
        elif attachment.content_type in ("text/plain", "text/csv"):
            doc.sections.append(Section(name, attachment.content.decode("utf-8", "replace")))
    return doc


def from_eml(raw: bytes) -> SourceDocument:
    """A document from raw RFC 822 bytes."""
    mail = parse_message(raw)
    return from_parts(
        text=mail.text,
        html=mail.html,
        attachments=mail.attachments,
        subject=mail.subject,
        sender=mail.from_address,
        defects=mail.defects,
    )


def from_pdf(content: bytes, name: str = "quote.pdf") -> SourceDocument:
    """A document from one PDF file (a broken one gives an empty document with the defect)."""
    return from_parts(text=None, html=None, attachments=[Attachment(name, "application/pdf", content)])


def from_text(text: str) -> SourceDocument:
    """A document from plain text."""
    return from_parts(text=text, html=None, attachments=[])


def _same_words(a: str, b: str) -> bool:
    """The HTML alternative says what the text part says (then only the text part is kept)."""
    wa, wb = set(a.lower().split()), set(b.lower().split())
    return bool(wa) and len(wa & wb) / len(wa) > 0.9
