"""Money and quantities as suppliers write them: ``1,234.56``, ``1.234,56``, ``1 234,56``, ``€ 399,00``, ``34,73 EUR``.

A document has one decimal separator, guessed from its unambiguous amounts
(:func:`decimal_separator`); an ambiguous token such as ``1.000`` is read with that hint.
:func:`find_numbers` returns every number of a line with its position, the currency written
beside it and whether it is a percentage, which is what the rule-based extractor and the
verifier work from.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

#: ISO 4217 codes recognised in text (the ones suppliers of this product actually use).
ISO_CODES = frozenset(
    [
        "USD",
        "EUR",
        "GBP",
        "CAD",
        "AUD",
        "NZD",
        "CHF",
        "JPY",
        "CNY",
        "INR",
        "PLN",
        "SEK",
        "NOK",
        "DKK",
        "CZK",
        "HUF",
        "RON",
        "BGN",
        "MXN",
        "BRL",
        "ZAR",
        "SGD",
        "HKD",
        "AED",
        "SAR",
        "TRY",
        "KRW",
        "THB",
        "MYR",
        "IDR",
        "PHP",
        "CLP",
        "COP",
        "PEN",
        "ARS",
        "ILS",
    ]
)
#: Symbols and abbreviations, longest first so ``US$`` wins over ``$``.
SYMBOLS = {
    "US$": "USD",
    "CA$": "CAD",
    "C$": "CAD",
    "AU$": "AUD",
    "A$": "AUD",
    "NZ$": "NZD",
    "$": "USD",
    "€": "EUR",
    "£": "GBP",
    "¥": "JPY",
    "₹": "INR",
    "Rs.": "INR",
    "Rs": "INR",
    "zł": "PLN",
    "Kč": "CZK",
    "Fr.": "CHF",
}
_SYMBOL_RE = "|".join(re.escape(s) for s in sorted(SYMBOLS, key=len, reverse=True))
_CODE_RE = "|".join(sorted(ISO_CODES))
_CURRENCY = rf"(?:{_SYMBOL_RE}|\b(?:{_CODE_RE})\b)"

# A number: grouped thousands with an optional fraction, space-grouped only with a decimal comma
# (``2 100.00`` is a quantity and a price), or plain digits. Never glued to letters or slashes,
# so part numbers (``1R-0750``, ``CA6707/10``) are not read as numbers.
_NUMBER = r"""
    (?<![\w/.,-])
    (?P<sign>-\s?)?
    (?P<num>
        \d{1,3}(?:[ \u00a0\u202f]\d{3})+,\d{1,2}
      | \d{1,3}(?:[.,']\d{3})+(?:[.,]\d+)?
      | \d+(?:[.,]\d+)?
    )
    (?![\w/]|[.,]\d)
"""
_TOKEN = re.compile(
    rf"""
    (?P<pre>{_CURRENCY})?\s?
    {_NUMBER}
    (?:\s?(?P<pct>%)|\s?(?P<post>{_CURRENCY})(?!\s?-?\d))?
    """,
    re.VERBOSE,
)
_COMMA_DECIMAL = re.compile(r"\d,\d{2}(?!\d)")
_DOT_DECIMAL = re.compile(r"\d\.\d{2}(?!\d)")


@dataclass(frozen=True)
class Number:
    """One number found in a line."""

    value: Decimal
    start: int
    end: int
    text: str
    #: ISO code of the currency written next to it, if any.
    currency: str | None = None
    percent: bool = False

    @property
    def decimals(self) -> int:
        """Digits after the decimal separator as written (``42.00`` -> 2)."""
        exponent = self.value.as_tuple().exponent
        return -exponent if isinstance(exponent, int) and exponent < 0 else 0

    @property
    def money_like(self) -> bool:
        """Written as money: a currency beside it, or exactly two decimals."""
        return not self.percent and (self.currency is not None or self.decimals == 2)


def decimal_separator(text: str) -> str:
    """``","`` when the text writes amounts as ``12,50``, else ``"."``."""
    commas = len(_COMMA_DECIMAL.findall(text))
    dots = len(_DOT_DECIMAL.findall(text))
    return "," if commas > dots else "."


def parse_number(text: str, decimal: str = ".") -> Decimal | None:
    """``"1.234,56"`` -> 1234.56; ``"1,000"`` is a thousand unless ``decimal == ","``."""
    s = re.sub(r"[\s\u00a0\u202f']", "", text).lstrip("+")
    negative = s.startswith("-")
    s = s.lstrip("-")
    if not s:
        return None
    if "," in s and "." in s:
        point = "," if s.rfind(",") > s.rfind(".") else "."
    elif s.count(",") == 1 and s.count(".") == 0:
        point = "," if (len(s) - s.index(",") - 1 != 3 or decimal == ",") else ""
    elif s.count(".") == 1 and s.count(",") == 0:
        point = "." if (len(s) - s.index(".") - 1 != 3 or decimal == ".") else ""
    else:
        point = ""  # several separators of one kind: all thousands
    grouping = {",": ".", ".": ","}.get(point, ",.")
    s = s.translate({ord(c): None for c in grouping})
    if point:
        s = s.replace(point, ".")
    try:
        value = Decimal(s)
    except InvalidOperation:
        return None
    return -value if negative else value


def find_numbers(line: str, decimal: str = ".") -> list[Number]:
    """Every number in ``line``, left to right, with its currency and percent sign."""
    found: list[Number] = []
    for match in _TOKEN.finditer(line):
        value = parse_number((match.group("sign") or "") + match.group("num"), decimal)
        if value is None:
            continue
        marker = match.group("pre") or match.group("post")
        found.append(
            Number(
                value=value,
                start=match.start("pre")
                if match.group("pre")
                else match.start("sign")
                if match.group("sign")
                else match.start("num"),
                end=match.end(),
                text=match.group(0).strip(),
                currency=currency_of(marker) if marker else None,
                percent=match.group("pct") is not None,
            )
        )
    return found


def currency_of(marker: str) -> str | None:
    """``"€"`` -> ``"EUR"``; ``"usd"`` -> ``"USD"``; unknown -> None."""
    marker = marker.strip()
    if marker.upper() in ISO_CODES:
        return marker.upper()
    return SYMBOLS.get(marker)


_EXPLICIT = re.compile(rf"\b(?:currency|währung|devise|valuta|waluta)\b\s*[:=]?\s*({_CODE_RE})\b", re.IGNORECASE)
_ANY_MARKER = re.compile(_CURRENCY)


def document_currency(text: str, decimal: str = ".") -> str | None:
    """The currency a document is written in: a ``Currency: XXX`` label, else the commonest beside amounts."""
    explicit = _EXPLICIT.search(text)
    if explicit:
        return explicit.group(1).upper()
    beside = Counter(
        n.currency for line in text.splitlines() for n in find_numbers(line, decimal) if n.currency is not None
    )
    if beside:
        return _commonest(beside)
    anywhere = Counter(c for m in _ANY_MARKER.finditer(text) if (c := currency_of(m.group(0))))
    return _commonest(anywhere) if anywhere else None


def _commonest(counts: Counter[str]) -> str:
    # An explicit code beats the generic dollar sign when they tie.
    return max(counts.items(), key=lambda kv: (kv[1], kv[0] != "USD"))[0]


def amounts_in(text: str) -> set[Decimal]:
    """Every amount the text contains, read both ways where a separator is ambiguous (for verification)."""
    values: set[Decimal] = set()
    for line in text.splitlines():
        for decimal in (".", ","):
            for number in find_numbers(line, decimal):
                values.add(abs(number.value).quantize(Decimal("0.01")))
    return values
