"""The rule-based extractor reads quotes in every layout the labelled set holds, and real invoices."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

from quote_extraction.extractors import RulesExtractor
from quote_extraction.schema import ExtractedQuote
from quote_extraction.source import from_eml, from_pdf, from_text
from tests.quote_extraction.conftest import labelled


def extract(raw: bytes) -> ExtractedQuote:
    return RulesExtractor().extract(from_eml(raw)).quote


def assert_matches_label(quote: ExtractedQuote, label: dict[str, Any]) -> None:
    for name in ("quote_number", "currency", "subtotal", "tax", "shipping", "total"):
        expected = label[name]
        actual = getattr(quote, name)
        if expected is None:
            continue
        assert (str(actual) if isinstance(actual, str) else actual) == (
            expected if isinstance(actual, str) else Decimal(expected)
        ), name
    assert str(quote.quote_date) == label["quote_date"]
    assert len(quote.items) == len(label["items"])
    for item, want in zip(quote.items, label["items"], strict=True):
        assert item.part_number == want["part_number"]
        assert item.quantity == Decimal(want["quantity"])
        assert item.unit_price == Decimal(want["unit_price"])
        assert item.line_total == Decimal(want["line_total"])
        assert want["description"].split()[0] in (item.description or "")


@pytest.mark.parametrize(
    "key",
    [
        pytest.param("q01-westside-text", id="plain text table, USD"),
        pytest.param("q02-westside-list", id="item list '2 x PN @ price'"),
        pytest.param("q03-northern-html", id="HTML table, CAD"),
        pytest.param("q04-atlas-pdf-de", id="PDF attachment, German, 1.234,56"),
        pytest.param("q09-westside-pdf-multipage", id="two-page PDF, 45 lines"),
        pytest.param("q11-fr-text", id="French, 1 234,56"),
        pytest.param("q12-ch-text", id="Swiss, 1'234.50 CHF"),
        pytest.param("q16-pacific-html-discount", id="HTML with a discount"),
        pytest.param("q21-pacific-list-sek", id="SEK, space thousands"),
    ],
)
def test_each_layout_of_the_labelled_set_is_read_as_labelled(key: str) -> None:
    raw, label = labelled(key)

    assert_matches_label(extract(raw), label)


def test_valid_until_payment_terms_lead_time_and_shipping_method_are_read() -> None:
    raw, label = labelled("q03-northern-html")

    quote = extract(raw)

    assert str(quote.valid_until) == label["valid_until"]
    assert quote.payment_terms == label["payment_terms"]
    assert quote.lead_time == label["lead_time"]
    assert quote.shipping_method == label["shipping_method"]


def test_a_real_invoice_pdf_gives_its_total_currency_and_items(invoices) -> None:
    quote = RulesExtractor().extract(from_pdf((invoices / "AzureInterior.pdf").read_bytes())).quote

    assert (quote.total, quote.currency, quote.quote_number) == (Decimal("279.84"), "USD", "INV/2023/03/0008")
    assert [(i.part_number, i.quantity, i.unit_price) for i in quote.items] == [
        ("17589684", Decimal("1.00"), Decimal("42.00")),
        ("FURN_7777", Decimal("1.00"), Decimal("70.00")),
        ("987123", Decimal("1.00"), Decimal("1.00")),
        ("LUX_TRF", Decimal("15.00"), Decimal("10.00")),
    ]


def test_an_invoice_in_polish_text_gives_its_total_in_zloty(invoices) -> None:
    quote = RulesExtractor().extract(from_text((invoices / "Orlen.txt").read_text())).quote

    assert (quote.total, quote.currency) == (Decimal("316.83"), "PLN")


def test_text_without_a_quote_gives_an_empty_quote_not_an_error() -> None:
    quote = RulesExtractor().extract(from_text("Hi, can you call me back about the excavator? Thanks")).quote

    assert quote.total is None and quote.items == []
