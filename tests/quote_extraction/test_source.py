"""The source document: every readable part, hidden HTML gone, a broken PDF recorded and the body kept."""

from __future__ import annotations

from email.message import EmailMessage

from quote_extraction.source import from_eml, from_pdf
from tests.quote_extraction.conftest import labelled


def mail_with_pdf(pdf: bytes, body: str) -> bytes:
    msg = EmailMessage()
    msg["From"] = "quotes@pacificfilterseal.com"
    msg["Subject"] = "Quote"
    msg.set_content(body)
    msg.add_attachment(pdf, maintype="application", subtype="pdf", filename="quote.pdf")
    return bytes(msg)


def test_a_pdf_attachment_is_read_and_preferred_as_the_quote_text() -> None:
    raw, _ = labelled("q04-atlas-pdf-de")

    document = from_eml(raw)

    assert [s.name for s in document.sections] == ["body", "ANG-2026-1183.pdf"]
    assert "Laufrolle" in document.quote_text() and "please find" not in document.quote_text()


def test_a_broken_pdf_is_recorded_as_a_defect_and_the_body_still_used() -> None:
    raw = mail_with_pdf(b"%PDF-1.4\n1 0 obj << /Type /Catalog >> garbage", "Total: USD 10.00")

    document = from_eml(raw)

    assert [d["part"] for d in document.defects] == ["quote.pdf"]
    assert "PDF" in document.defects[0]["reason"]
    assert "Total: USD 10.00" in document.quote_text()


def test_a_pdf_that_is_not_a_pdf_at_all_gives_an_empty_document_with_the_reason() -> None:
    document = from_pdf(b"this is not a pdf", "fake.pdf")

    assert document.sections == [] and document.defects[0]["part"] == "fake.pdf"


def test_hidden_html_is_removed_and_table_rows_stay_on_one_line() -> None:
    raw, _ = labelled("q03-northern-html")

    text = from_eml(raw).quote_text()

    assert "1 | PV270R1K1T1NMMC | Parker axial piston pump | 1 | EA | 8,940.00 | 8,940.00" in text
