"""Verification catches what an extractor got wrong; a correct quote passes."""

from __future__ import annotations

from decimal import Decimal

from quote_extraction.extractors import RulesExtractor
from quote_extraction.schema import ExtractedQuote
from quote_extraction.source import from_eml
from quote_extraction.verify import passed, verify
from tests.quote_extraction.conftest import labelled


def extracted(key: str) -> tuple[ExtractedQuote, str]:
    raw, _ = labelled(key)
    document = from_eml(raw)
    return RulesExtractor().extract(document).quote, document.text


def checks(quote: ExtractedQuote, source: str) -> set[str]:
    return {f.check for f in verify(quote, source)}


def test_a_correct_quote_passes() -> None:
    quote, source = extracted("q01-westside-text")

    assert verify(quote, source) == []


def test_a_wrong_total_is_caught() -> None:
    quote, source = extracted("q01-westside-text")

    wrong = quote.model_copy(update={"total": Decimal("0")})

    assert "total_mismatch" in checks(wrong, source)
    assert not passed(verify(wrong, source))


def test_a_total_that_is_not_in_the_source_is_caught_even_when_it_reconciles() -> None:
    quote, source = extracted("q01-westside-text")
    fake = quote.model_copy(update={"total": quote.total + 1, "shipping": quote.shipping + 1})

    assert "amount_not_in_source" in checks(fake, source)


def test_a_hallucinated_part_number_is_caught() -> None:
    quote, source = extracted("q01-westside-text")
    items = [quote.items[0].model_copy(update={"part_number": "9X-9999"}), *quote.items[1:]]

    found = verify(quote.model_copy(update={"items": items}), source)

    assert [f.check for f in found] == ["part_number_not_in_source"]
    assert "9X-9999" in found[0].message


def test_a_line_whose_quantity_times_price_is_not_its_total_is_caught() -> None:
    quote, source = extracted("q01-westside-text")
    items = [quote.items[0].model_copy(update={"quantity": Decimal(13)}), *quote.items[1:]]

    assert "line_total_mismatch" in checks(quote.model_copy(update={"items": items}), source)


def test_a_currency_the_source_does_not_use_is_caught() -> None:
    quote, source = extracted("q04-atlas-pdf-de")  # a EUR quote

    assert "currency_mismatch" in checks(quote.model_copy(update={"currency": "GBP"}), source + "\nGBP")
    assert "currency_not_in_source" in checks(quote.model_copy(update={"currency": "JPY"}), source)


def test_a_quote_without_total_or_lines_goes_to_review() -> None:
    assert checks(ExtractedQuote(currency="USD"), "USD") == {"total_missing", "no_line_items"}


def test_prices_including_tax_reconcile_with_the_total() -> None:
    quote, _ = extracted("q01-westside-text")
    lines = sum(i.line_total for i in quote.items)
    source = f"{lines} USD {lines - 10} 10.00 " + " ".join(
        f"{i.part_number} {i.unit_price} {i.line_total}" for i in quote.items
    )
    gross = quote.model_copy(update={"subtotal": lines - 10, "tax": Decimal(10), "shipping": None, "total": lines})

    assert verify(gross, source) == []
