"""Dates as suppliers write them: ISO, ``20.03.2023``, ``03/20/2023``, ``August 3, 2014``, ``7. Mai 2014``."""

from __future__ import annotations

import contextlib
import re
from datetime import date

MONTHS = {
    **dict.fromkeys(("jan", "january", "januar", "janvier", "januari", "enero", "gennaio", "jän"), 1),
    **dict.fromkeys(("feb", "february", "februar", "février", "fevrier", "februari", "febrero"), 2),
    **dict.fromkeys(("mar", "march", "märz", "maerz", "mars", "maart", "marzo", "mrt"), 3),
    **dict.fromkeys(("apr", "april", "avril", "abril", "aprile"), 4),
    **dict.fromkeys(("may", "mai", "mei", "mayo", "maggio"), 5),
    **dict.fromkeys(("jun", "june", "juni", "juin", "junio", "giugno"), 6),
    **dict.fromkeys(("jul", "july", "juli", "juillet", "julio", "luglio"), 7),
    **dict.fromkeys(("aug", "august", "août", "aout", "augustus", "agosto"), 8),
    **dict.fromkeys(("sep", "sept", "september", "septembre", "septiembre", "settembre"), 9),
    **dict.fromkeys(("oct", "october", "oktober", "octobre", "octubre", "ottobre", "okt"), 10),
    **dict.fromkeys(("nov", "november", "novembre", "noviembre"), 11),
    **dict.fromkeys(("dec", "december", "dezember", "décembre", "decembre", "diciembre", "dicembre", "dez"), 12),
}
_MONTH = "|".join(sorted(MONTHS, key=len, reverse=True))
_ISO = re.compile(r"\b(\d{4})-(\d{1,2})-(\d{1,2})\b")
_NUMERIC = re.compile(r"\b(\d{1,2})([./-])(\d{1,2})\2(\d{4}|\d{2})\b")
_DAY_MONTH = re.compile(rf"\b(\d{{1,2}})\.?\s+({_MONTH})\.?\s+(\d{{4}})\b", re.IGNORECASE)
_MONTH_DAY = re.compile(rf"\b({_MONTH})\.?\s+(\d{{1,2}})(?:st|nd|rd|th)?\s*,?\s*(\d{{4}})\b", re.IGNORECASE)


def find_date(text: str, *, month_first: bool = False) -> date | None:
    """The first date in ``text``; ``month_first`` reads ``03/04/2023`` as March 4 (US documents)."""
    candidates: list[tuple[int, date]] = []
    for match in _ISO.finditer(text):
        _add(candidates, match.start(), int(match.group(1)), int(match.group(2)), int(match.group(3)))
    for match in _NUMERIC.finditer(text):
        a, b, year = int(match.group(1)), int(match.group(3)), int(match.group(4))
        year += 2000 if year < 100 else 0
        if match.group(2) == "/" and month_first and a <= 12:
            a, b = b, a
        if a <= 12 < b:  # 03/20/2023 can only be month first
            a, b = b, a
        _add(candidates, match.start(), year, b, a)
    for match in _DAY_MONTH.finditer(text):
        _add(candidates, match.start(), int(match.group(3)), MONTHS[match.group(2).lower()], int(match.group(1)))
    for match in _MONTH_DAY.finditer(text):
        _add(candidates, match.start(), int(match.group(3)), MONTHS[match.group(1).lower()], int(match.group(2)))
    return min(candidates, key=lambda c: c[0])[1] if candidates else None


def _add(candidates: list[tuple[int, date]], position: int, year: int, month: int, day: int) -> None:
    with contextlib.suppress(ValueError):  # 31 February is not a date
        candidates.append((position, date(year, month, day)))
