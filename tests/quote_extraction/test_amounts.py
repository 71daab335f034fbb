"""Amounts are read in every format suppliers write them, with the currency beside them."""

from __future__ import annotations

from decimal import Decimal

import pytest

from quote_extraction.amounts import decimal_separator, document_currency, find_numbers, parse_number


@pytest.mark.parametrize(
    ("text", "decimal", "expected"),
    [
        ("1,234.56", ".", "1234.56"),
        ("1.234,56", ",", "1234.56"),
        ("1 234,56", ",", "1234.56"),
        ("1'234.50", ".", "1234.50"),
        ("45,93", ".", "45.93"),
        ("1,000", ".", "1000"),
        ("1.000", ",", "1000"),
        ("-9,32", ",", "-9.32"),
    ],
)
def test_a_number_is_read_in_its_format(text: str, decimal: str, expected: str) -> None:
    assert parse_number(text, decimal) == Decimal(expected)


def test_a_document_writing_twelve_comma_fifty_uses_a_decimal_comma() -> None:
    assert decimal_separator("Preis 12,50 EUR\nGesamt 1.250,00 EUR") == ","
    assert decimal_separator("Price 12.50\nTotal 1,250.00") == "."


def test_part_numbers_are_not_read_as_numbers() -> None:
    numbers = find_numbers("1R-0750 Fuel filter CA6707/10 2 EA 12.50 25.00")

    assert [str(n.value) for n in numbers] == ["2", "12.50", "25.00"]


def test_currency_symbols_and_codes_are_attached_to_their_amounts() -> None:
    numbers = find_numbers("Apple iPad 1 € 399,00 21% € 399,00 and 34,73 EUR", ",")

    assert [(str(n.value), n.currency, n.percent) for n in numbers] == [
        ("1", None, False),
        ("399.00", "EUR", False),
        ("21", None, True),
        ("399.00", "EUR", False),
        ("34.73", "EUR", False),
    ]


def test_an_explicit_currency_label_decides_the_document_currency() -> None:
    assert document_currency("Currency: CAD\nTotal $ 1,200.00") == "CAD"
    assert document_currency("Total £ 12.00") == "GBP"
    assert document_currency("Rs -40.00 discount") == "INR"
