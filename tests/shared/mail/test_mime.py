"""Any mail parses: malformed messages give what they have plus their defects, never an exception."""

from __future__ import annotations

from pathlib import Path

import pytest

from partsiq.mail import html_to_text, parse_message

CORPORA = Path(__file__).resolve().parents[3] / "bench" / "corpora"
REAL_MAIL = sorted(
    p
    for folder in ("mikel-mail", "spamscope-mail-parser")
    for p in (CORPORA / folder).rglob("*")
    if p.is_file() and p.name != "LICENSE"
)


def test_a_multipart_quote_gives_headers_text_html_and_attachments() -> None:
    raw = Path(__file__).resolve().parents[3].joinpath("bench/quotes/q04-atlas-pdf-de.eml").read_bytes()

    mail = parse_message(raw)

    assert mail.from_address == "angebote@atlas-undercarriage.de"
    assert mail.subject == "Quotation ANG-2026-1183" and mail.date is not None
    assert "attached" in (mail.text or "")
    assert [(a.filename, a.is_pdf) for a in mail.attachments] == [("ANG-2026-1183.pdf", True)]


@pytest.mark.parametrize(
    "raw",
    [
        pytest.param(b"Content-Type: text/plain; name*\n\nbody", id="parameter without value"),
        pytest.param(b'To: "\nSubject: x\n\nbody', id="unterminated quote in To"),
        pytest.param(b"Content-Type: text/plain; charset=x-unknown-9\n\ncaf\xe9", id="unknown charset"),
        pytest.param(b"Date: yesterday-ish\nMessage-ID: <<>>\n\nbody", id="bad date and message id"),
        pytest.param(
            b'Content-Type: multipart/mixed; boundary="b"\n\n--b\nContent-Type: text/plain\n\nno end',
            id="no closing boundary",
        ),
        pytest.param(b"\x00\xff\xfe garbage \r\n\r\n\x00", id="binary garbage"),
    ],
)
def test_malformed_mail_never_raises(raw: bytes) -> None:
    mail = parse_message(raw)

    assert isinstance(mail.defects, list)


def test_an_unknown_charset_is_decoded_with_a_fallback_and_recorded() -> None:
    mail = parse_message(b"Content-Type: text/plain; charset=x-unknown-9\n\ncaf\xe9")

    assert mail.text == "café"
    assert any("x-unknown-9" in d["reason"] for d in mail.defects)


def test_every_message_of_the_real_mail_corpora_parses_malformed_ones_included() -> None:
    assert len(REAL_MAIL) >= 100, "the mail corpora in bench/corpora are missing"
    with_defects = [path.name for path in REAL_MAIL if parse_message(path.read_bytes()).defects]

    assert with_defects, "the malformed messages report their defects"


def test_hidden_elements_scripts_and_comments_are_not_text() -> None:
    html = (
        "<style>p{}</style><script>alert(1)</script><!-- note to AI -->"
        "<p>Visible</p><div style='display: none'>hidden one</div><p style='visibility:hidden'>hidden two</p>"
        "<span aria-hidden='true'>hidden three</span><p style='font-size:0px'>hidden four</p>"
    )

    assert html_to_text(html) == "Visible"
