"""The rule-based extractor: the embedded default, which works offline and never invents a number.

Header fields are found by their labels (in English, German, French, Dutch and Polish, as
suppliers write them); the value is the last amount between the label and the next label on
the line. A line item is a line where two numbers multiply to the line's last amount
(quantity x unit price = line total, a percentage discount allowed): that reconciliation,
rather than a column layout, is what makes a line an item, so plain text, HTML tables
(cells joined with ``|``) and PDF text all work the same way.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from quote_extraction.amounts import Number, decimal_separator, document_currency, find_numbers
from quote_extraction.dates import find_date
from quote_extraction.extractors.base import Extraction
from quote_extraction.schema import ExtractedItem, ExtractedQuote
from quote_extraction.source import SourceDocument

_I = re.IGNORECASE
#: Amount labels, most specific first within each field. ``total`` lists grand totals before plain "total".
AMOUNT_LABELS: dict[str, list[str]] = {
    "total": [
        r"grand\s+total|total\s+amount\s+due|amount\s+due|balance\s+due|total\s+due|total\s+ttc|total\s+for\s+this\s+\w+"
        r"|należność\s+ogółem|factuur\s*totaal|gesamtbetrag|endbetrag|rechnungsbetrag|quote\s+total|total\s+quote"
        r"|total\s+(?:price|amount|value)|total\s+incl\w*\.?\s*(?:vat|tax|btw|mwst|gst)?|totaal\s+incl\w*\.?\s*btw",
        r"(?<![\w-])(?:total|totaal|gesamt|summe|razem)(?!\s*(?:ht|excl|net|before|exkl|ohne))\b",
    ],
    "subtotal": [
        r"sub[\s-]?total|subtotaal|zwischensumme|net\s+total|total\s+net|nettobetrag|summe\s+netto|total\s+ht"
        r"|total\s+excl\w*\.?\s*(?:vat|tax|btw|mwst|gst)?|exclusief\s+btw|total\s+before\s+tax|merchandise\s+total"
    ],
    "tax": [r"(?:sales\s+)?tax(?:es)?\b|\bvat\b|\bgst\b|\bhst\b|\btva\b|\bbtw\b|\bmwst\b\.?|\bust\b\.?|\biva\b"],
    "shipping": [
        r"shipping(?:\s*(?:&|and)\s*handling)?(?:\s+(?:cost|charges?|fee))?(?!\s*(?:method|via|terms|address|date))"
        r"|freight|carriage|delivery\s+(?:charges?|costs?|fee)|versandkosten|fracht(?:kosten)?|frais\s+de\s+port"
        r"|verzendkosten"
    ],
    # At the start of a line only: "Korting" or "discount" inside an item's description is not a discount line.
    "discount": [r"^(?:\w+\s+)?(?:discount|rabatt|remise|korting)\b"],
}
TEXT_LABELS: dict[str, str] = {
    "payment_terms": r"payment\s+terms?|terms\s+of\s+payment|zahlungsbedingungen|conditions\s+de\s+paiement"
    r"|betalingsvoorwaarden|payment\s+conditions|^terms",
    "shipping_method": r"shipping\s+method|ship\s+via|delivery\s+method|shipment\s+method|carrier|incoterms?"
    r"|versandart|lieferbedingungen|delivery\s+terms",
    "lead_time": r"lead\s*time|delivery\s+time|lieferzeit|délai\s+de\s+livraison|levertijd|ships\s+within",
}
VALID_LABEL = (
    r"valid\s+(?:until|till|through|thru|to)|validity|quote\s+expires?|expir(?:y|ation|es)\s*(?:date)?"
    r"|gültig\s+bis|offer\s+valid|valable\s+jusqu"
)
DATE_LABELS = [
    r"(?:quote|quotation|invoice|offer|proposal)\s+date|angebotsdatum|rechnungsdatum|factuurdatum|data\s+wystawienia"
    r"|date\s+de\s+(?:facture|devis)|datum\s+offerte|f\s?actuurdatum",
    r"(?<!due\s)(?<!order\s)(?<!delivery\s)(?<!ship\s)\bdate\b|\bdatum\b",
]
NUMBER_LABELS = [
    r"(?:quot(?:e|ation)|offer|proposal|estimate|angebot|devis|offerte|oferta)\s*(?:no\.?|n[°º]\.?|nr\.?|number|num(?:ber|éro)|#|id|ref(?:erence)?)?",
    r"angebotsnr\.?|rechnungsnr\.?|factuurnummer|f\s?actuurnummer|(?:invoice|rechnung|facture|factuur|faktura)\s*(?:no\.?|n[°º]\.?|nr\.?|number|num(?:ber|éro)|#)?",
    r"(?:our\s+)?ref(?:erence)?\s*(?:no\.?|#)?",
]
UNIT_WORDS = frozenset(
    [
        "ea",
        "each",
        "pc",
        "pcs",
        "piece",
        "pieces",
        "stk",
        "st",
        "stück",
        "stuks",
        "unit",
        "units",
        "kg",
        "g",
        "l",
        "lt",
        "ltr",
        "m",
        "mm",
        "cm",
        "ft",
        "box",
        "boxes",
        "set",
        "sets",
        "pr",
        "pair",
        "pairs",
        "roll",
        "rolls",
        "hr",
        "hrs",
        "h",
        "lot",
        "lots",
        "kit",
        "kits",
        "can",
        "cans",
        "drum",
        "drums",
        "gal",
        "qt",
    ]
)
_CODE = re.compile(r"^[\[*(]?([A-Z0-9][A-Z0-9\-_./]*[A-Z0-9])[\])*]?$")
_BRACKETED = re.compile(r"^\[([A-Za-z0-9][\w\-./]*)\]$")
_LINE_NO = re.compile(r"^\s*(?:#|pos\.?\s*)?\d{1,3}[.)]?\s+(?=\S)", _I)
_PN_LABEL = re.compile(
    r"(?:p/n|part\s*(?:no\.?|number|#)|art(?:ikel)?[.-]*\s*nr\.?|sku|item\s*(?:no\.?|#))\s*[:#]?\s*(\S+)", _I
)
_TOLERANCE = Decimal("0.011")
_SUMMARY_WORDS = re.compile(r"charges?|credits?|payments?|balance|paid|refund|deposit", _I)


@dataclass(frozen=True)
class _Label:
    field: str
    start: int
    end: int


def _compile(patterns: dict[str, list[str]]) -> list[tuple[str, re.Pattern[str]]]:
    return [(name, re.compile(rf"(?<!\w)(?:{p})(?!\w)", _I)) for name, ps in patterns.items() for p in ps]


_AMOUNT_PATTERNS = _compile(AMOUNT_LABELS)
_TOTAL_PRIORITY = [re.compile(p, _I) for p in AMOUNT_LABELS["total"]]


class RulesExtractor:
    """Labels, number formats and reconciling line items; see the module docstring."""

    name = "rules"

    def extract(self, document: SourceDocument) -> Extraction:
        """Extract from the part most likely to hold the quote (a PDF attachment, else the body)."""
        return Extraction(quote=extract_text(document.quote_text()), extractor=self.name)


def extract_text(text: str) -> ExtractedQuote:
    """Everything the rules find in ``text``."""
    decimal = decimal_separator(text)
    currency = document_currency(text, decimal)
    lines = [_clean(line) for line in text.splitlines()]
    labelled = [_labels(line) for line in lines]
    quote = ExtractedQuote(currency=currency)
    amounts = _amounts(lines, labelled, decimal)
    quote.total = amounts.get("total")
    quote.subtotal = amounts.get("subtotal")
    quote.tax = amounts.get("tax")
    quote.shipping = amounts.get("shipping")
    quote.discount = abs(amounts["discount"]) if amounts.get("discount") else None
    quote.quote_number = _quote_number(lines)
    month_first = currency in ("USD", None) and "/" in text
    quote.quote_date = _labelled_date(lines, DATE_LABELS, month_first)
    quote.valid_until = _labelled_date(lines, [VALID_LABEL], month_first)
    if quote.valid_until is None and quote.quote_date is not None:
        days = re.search(r"valid\s+for\s+(\d{1,3})\s+days", text, _I)
        quote.valid_until = quote.quote_date + timedelta(days=int(days.group(1))) if days else None
    for name, pattern in TEXT_LABELS.items():
        setattr(quote, name, _labelled_text(lines, re.compile(pattern, _I | re.MULTILINE)))
    quote.items = _items(lines, labelled, decimal)
    return quote


def _clean(line: str) -> str:
    return " ".join(line.replace("|", "  ").replace("\t", "  ").split())


def _labels(line: str) -> list[_Label]:
    """Amount labels on a line, earliest first, overlapping matches dropped (``Total incl. VAT`` is one label)."""
    found = sorted(
        (_Label(name, m.start(), m.end()) for name, p in _AMOUNT_PATTERNS for m in p.finditer(line)),
        key=lambda label: (label.start, -(label.end - label.start)),
    )
    kept: list[_Label] = []
    for label in found:
        if not kept or label.start >= kept[-1].end:
            kept.append(label)
    return kept


def _value_after(line: str, label: _Label, following: _Label | None, decimal: str) -> Decimal | None:
    """The last money-like amount between ``label`` and the next label."""
    segment = line[label.end : following.start if following else len(line)]
    money = [n for n in find_numbers(segment, decimal) if n.money_like or (n.currency and not n.percent)]
    return money[-1].value if money else None


def _amounts(lines: list[str], labelled: list[list[_Label]], decimal: str) -> dict[str, Decimal]:
    found: dict[str, list[tuple[int, int, Decimal]]] = {}
    for index, (line, labels) in enumerate(zip(lines, labelled, strict=True)):
        for label, following in zip(labels, [*labels[1:], None], strict=False):
            value = _value_after(line, label, following, decimal)
            if value is None and following is None and index + 1 < len(lines) and not labelled[index + 1]:
                numbers = find_numbers(lines[index + 1], decimal)  # "Total:" with the amount on the next line
                if len(numbers) == 1 and numbers[0].money_like:
                    value = numbers[0].value
            if value is not None:
                priority = _priority(line[label.start : label.end]) if label.field == "total" else 0
                found.setdefault(label.field, []).append((priority, index, value))
    # The most specific label wins; among equals the last one (grand totals close a document).
    return {name: min(values, key=lambda v: (v[0], -v[1]))[2] for name, values in found.items()}


def _priority(label_text: str) -> int:
    return next((i for i, p in enumerate(_TOTAL_PRIORITY) if p.fullmatch(label_text)), len(_TOTAL_PRIORITY))


def _quote_number(lines: list[str]) -> str | None:
    for pattern in NUMBER_LABELS:
        label = re.compile(rf"(?<![\w])(?:{pattern})\s*[:#.]?\s*", _I)
        for line in lines:
            for match in label.finditer(line):
                rest = line[match.end() :].lstrip(" :#")
                token = rest.split(" ")[0].strip(":,;").rstrip(".") if rest else ""
                if len(token) >= 3 and any(c.isdigit() for c in token) and not _is_date_like(token):
                    return token
    return None


def _is_date_like(token: str) -> bool:
    return find_date(token) is not None


def _labelled_date(lines: list[str], patterns: list[str], month_first: bool) -> date | None:
    for pattern in patterns:
        label = re.compile(pattern, _I)
        for index, line in enumerate(lines):
            match = label.search(line)
            if not match:
                continue
            found = find_date(line[match.end() :], month_first=month_first)
            if found is None and index + 1 < len(lines):
                found = find_date(lines[index + 1], month_first=month_first)
            if found is not None:
                return found
    return None


def _labelled_text(lines: list[str], label: re.Pattern[str]) -> str | None:
    for line in lines:
        match = label.search(line)
        if match:
            value = line[match.end() :].strip(" :-–").strip()
            if value:
                return value[:200]
    return None


# --- line items ---------------------------------------------------------------------------------------------------


def _items(lines: list[str], labelled: list[list[_Label]], decimal: str) -> list[ExtractedItem]:
    items = [
        item for line, labels in zip(lines, labelled, strict=True) if not labels and (item := _item(line, decimal))
    ]
    if not items:
        items = [
            item
            for line, labels in zip(lines, labelled, strict=True)
            if not labels and (item := _priced_line(line, decimal))
        ]
    return [item.model_copy(update={"line_number": n}) for n, item in enumerate(items, 1)]


def _item(line: str, decimal: str) -> ExtractedItem | None:
    """A line whose quantity x unit price (less a % discount) is its last amount."""
    numbers = [n for n in find_numbers(line, decimal) if not n.percent]
    if len(numbers) < 3 or not (numbers[-1].money_like or numbers[-1].currency):
        return None
    total = numbers[-1]
    for j in range(len(numbers) - 2, 0, -1):
        for i in range(j - 1, -1, -1):
            a, b = numbers[i], numbers[j]
            product = a.value * b.value
            if _close(product, total.value) or _discounted(product, total.value, numbers[j + 1 : -1]):
                quantity, price = _quantity_and_price(line, a, b)
                if quantity.value < 0 or price.percent:
                    continue
                part_number, rest_start = _part_number(line, quantity)
                description = _description(line, rest_start, min(a.start, b.start), quantity, price)
                if not description and part_number is None:
                    continue
                return ExtractedItem(
                    line_number=1,
                    part_number=part_number,
                    description=description or None,
                    quantity=quantity.value,
                    unit=_unit_after(line, quantity),
                    unit_price=price.value,
                    line_total=total.value,
                )
    return None


def _priced_line(line: str, decimal: str) -> ExtractedItem | None:
    """Fallback when no line reconciles: ``<name> <one amount with a currency>`` (a charges breakdown)."""
    numbers = find_numbers(line, decimal)
    if len(numbers) != 1 or numbers[0].currency is None or numbers[0].value < 0 or _SUMMARY_WORDS.search(line):
        return None
    name = line[: numbers[0].start].strip(" :-*")
    if len(re.findall(r"[A-Za-z]", name)) < 3 or name.endswith(":"):
        return None
    return ExtractedItem(
        line_number=1, description=name, quantity=Decimal(1), unit_price=numbers[0].value, line_total=numbers[0].value
    )


def _close(a: Decimal, b: Decimal) -> bool:
    return abs(a - b) <= max(_TOLERANCE, abs(b) * Decimal("0.0001"))


def _discounted(product: Decimal, total: Decimal, between: list[Number]) -> bool:
    return any(0 < n.value < 100 and _close(product * (1 - n.value / 100), total) for n in between)


def _quantity_and_price(line: str, a: Number, b: Number) -> tuple[Number, Number]:
    """Which of two factors is the quantity: the one with a unit after it, else the one not written as money."""
    for quantity, price in ((a, b), (b, a)):
        if _unit_after(line, quantity) and not quantity.currency:
            return quantity, price
    for quantity, price in ((a, b), (b, a)):
        if not quantity.money_like and price.money_like:
            return quantity, price
    return a, b


def _unit_after(line: str, number: Number) -> str | None:
    word = re.match(r"\s*([A-Za-zäöü]+)\.?", line[number.end :])
    return word.group(1) if word and word.group(1).lower() in UNIT_WORDS else None


def _part_number(line: str, quantity: Number) -> tuple[str | None, int]:
    """A code at the start of the line (after a line number), or after a ``P/N`` label; and where text resumes."""
    labelled = _PN_LABEL.search(line)
    if labelled:
        return labelled.group(1).strip("()[],;"), 0
    start = 0
    line_no = _LINE_NO.match(line)
    if line_no and line_no.end() <= quantity.start:
        start = line_no.end()
    times = re.match(r"\S+\s*[x×]\s+", line[start:])
    if times and start <= quantity.start < start + times.end():  # "2 x 1R-0750 Fuel filter @ 12.50"
        start += times.end()
    first = line[start:].split(" ")[0]
    bracketed = _BRACKETED.match(first)
    code = bracketed.group(1) if bracketed else None
    if code is None:
        match = _CODE.match(first)
        if (
            match
            and any(c.isdigit() for c in match.group(1))
            and (len(match.group(1)) >= 4 or any(c.isalpha() for c in match.group(1)))
        ):
            code = match.group(1)
    first_is_the_quantity = start <= quantity.start < start + len(first) and first.strip("[]*") == quantity.text
    if code is None or first_is_the_quantity:
        return None, start
    return code, start + len(first)


def _description(line: str, start: int, end: int, quantity: Number, price: Number) -> str:
    text = line[start:end] if end > start else ""
    if not re.search(r"[A-Za-z]{2}", text):  # quantity first: the description sits between the factors
        first, second = sorted((quantity, price), key=lambda n: n.start)
        text = line[first.end : second.start]
    words = [w for w in text.split() if w not in ("x", "×", "@", "=")]
    while words and (
        words[-1].lower().strip(".") in UNIT_WORDS or not re.search(r"\w", words[-1]) or words[-1] in ("€", "$", "£")
    ):
        words.pop()
    while words and words[0].lower().strip(".") in UNIT_WORDS:
        words.pop(0)
    return " ".join(words).strip(" -:;,")[:500]


__all__ = ["RulesExtractor", "extract_text"]
