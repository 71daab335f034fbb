"""Verification: nothing is stored as fact unless the source says it and the arithmetic agrees.

Checks (each failure is a finding; any ``error`` finding sends the quote to review):
- every part number, normalised, occurs in the normalised source;
- every amount (unit prices, line totals, subtotal, tax, shipping, discount, total) occurs in the source;
- each line: quantity x unit price = line total, within 0.01;
- the lines add up to the subtotal, and subtotal - discount + tax + shipping to the total, within 0.5%;
- the currency is an ISO 4217 code written in the source, and the source's amounts are not in another one;
- there is a total and at least one line.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import asdict, dataclass
from decimal import Decimal
from typing import Literal

from partsiq.part_numbers import normalize
from quote_extraction.amounts import ISO_CODES, SYMBOLS, amounts_in, decimal_separator, find_numbers
from quote_extraction.schema import ExtractedQuote

LINE_TOLERANCE = Decimal("0.01")
TOTAL_TOLERANCE = Decimal("0.005")  # 0.5 %


@dataclass(frozen=True)
class Finding:
    """One failed check: which, how serious, and a sentence a reviewer can act on."""

    check: str
    severity: Literal["error", "warning", "info"]
    message: str

    def as_json(self) -> dict[str, str]:
        """The form stored in ``QuoteRequest.findings``."""
        return asdict(self)


def passed(findings: list[Finding]) -> bool:
    """No error among the findings."""
    return not any(f.severity == "error" for f in findings)


def verify(quote: ExtractedQuote, source: str) -> list[Finding]:
    """Every check above, against the text the quote was extracted from."""
    findings: list[Finding] = []
    normalized_source = normalize(source)
    known_amounts = amounts_in(source)

    def error(check: str, message: str) -> None:
        findings.append(Finding(check, "error", message))

    if quote.total is None:
        error("total_missing", "no total found")
    if not quote.items:
        error("no_line_items", "no line items found")

    for item in quote.items:
        where = f"line {item.line_number}"
        pn = item.normalized_part_number
        if item.part_number and (not pn or pn not in normalized_source):
            error(
                "part_number_not_in_source", f"{where}: part number {item.part_number!r} does not occur in the source"
            )
        for name in ("unit_price", "line_total"):
            value = getattr(item, name)
            if value is not None and not _in_source(value, known_amounts):
                error("amount_not_in_source", f"{where}: {name.replace('_', ' ')} {value} does not occur in the source")
        if None not in (item.quantity, item.unit_price, item.line_total):
            expected = item.quantity * item.unit_price  # type: ignore[operator]
            if abs(expected - item.line_total) > LINE_TOLERANCE:  # type: ignore[operator]
                error(
                    "line_total_mismatch",
                    f"{where}: {item.quantity} x {item.unit_price} = {expected:.2f}, "
                    f"but the line total is {item.line_total}",
                )

    for name in ("subtotal", "discount", "tax", "shipping", "total"):
        value = getattr(quote, name)
        if value is not None and value != 0 and not _in_source(value, known_amounts):
            error("amount_not_in_source", f"{name} {value} does not occur in the source")

    findings += _reconcile(quote)
    findings += _currency(quote, source)
    return findings


def _in_source(value: Decimal, known: set[Decimal]) -> bool:
    return value == 0 or abs(value).quantize(Decimal("0.01")) in known


def _reconcile(quote: ExtractedQuote) -> list[Finding]:
    totals = [i.line_total for i in quote.items if i.line_total is not None]
    if not totals or quote.total is None:
        return []
    lines_sum = sum(totals, Decimal(0))
    findings = []
    if quote.subtotal is not None and not _within(lines_sum, quote.subtotal) and not _within(lines_sum, quote.total):
        findings.append(
            Finding(
                "subtotal_mismatch", "error", f"the lines add up to {lines_sum}, but the subtotal is {quote.subtotal}"
            )
        )
    tax_included = (
        quote.subtotal is not None
        and quote.tax is not None
        and _within(lines_sum, quote.total)
        and _within(quote.subtotal + quote.tax, quote.total)
    )
    if tax_included:  # prices include tax: the lines make the total, the subtotal is net of it
        return []
    base = quote.subtotal if quote.subtotal is not None else lines_sum
    expected = base - (quote.discount or 0) + (quote.tax or 0) + (quote.shipping or 0)
    if not _within(expected, quote.total):
        parts = f"{base} - discount {quote.discount or 0} + tax {quote.tax or 0} + shipping {quote.shipping or 0}"
        findings.append(Finding("total_mismatch", "error", f"{parts} = {expected}, but the total is {quote.total}"))
    return findings


def _within(a: Decimal, b: Decimal) -> bool:
    return abs(a - b) <= max(LINE_TOLERANCE, abs(b) * TOTAL_TOLERANCE)


def _currency(quote: ExtractedQuote, source: str) -> list[Finding]:
    if quote.currency is None:
        return [Finding("currency_missing", "error", "no currency found")]
    if quote.currency not in ISO_CODES:
        return [Finding("currency_unknown", "error", f"{quote.currency} is not a recognised ISO 4217 code")]
    decimal = decimal_separator(source)
    beside = Counter(n.currency for line in source.splitlines() for n in find_numbers(line, decimal) if n.currency)
    written = (
        re.search(rf"\b{quote.currency}\b", source.upper()) is not None
        or quote.currency in beside
        or any(code == quote.currency and symbol in source for symbol, code in SYMBOLS.items())
    )
    if not written:
        return [Finding("currency_not_in_source", "error", f"{quote.currency} is not written anywhere in the source")]
    others = {code: n for code, n in beside.items() if code != quote.currency}
    # "$" reads as USD by default: a CAD or AUD quote writing "$" is not a mismatch.
    if quote.currency in ("CAD", "AUD", "NZD", "SGD", "HKD", "MXN"):
        others.pop("USD", None)
    if others and sum(others.values()) > beside.get(quote.currency, 0):
        named = ", ".join(sorted(others))
        return [
            Finding(
                "currency_mismatch", "error", f"the quote says {quote.currency} but its amounts are written in {named}"
            )
        ]
    return []
