"""Query understanding: which tokens look like part numbers, which words name a manufacturer or a machine.

``CAT 1R-0750``, ``1r0750``, ``1R 0750`` and ``hydraulic pump for CAT 320D`` all arrive as one
string. Part-number candidates are tokens with a digit (and runs of adjacent short tokens,
since people type ``1R 0750``); a known manufacturer word is noted and removed from the
candidates; the rest is the descriptive text for full-text and vector search.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from partsiq.part_numbers import normalize

#: Words that name a manufacturer, as people type them -> the catalog's manufacturer.
MANUFACTURERS = {
    "cat": "CAT",
    "caterpillar": "CAT",
    "deere": "Deere",
    "jd": "Deere",
    "john": "Deere",
    "komatsu": "Komatsu",
    "volvo": "Volvo",
    "bobcat": "Bobcat",
    "donaldson": "Donaldson",
    "fleetguard": "Fleetguard",
    "baldwin": "Baldwin",
    "parker": "Parker",
}
_TOKEN = re.compile(r"[A-Za-z0-9][A-Za-z0-9\-./]*")
#: Words that carry no meaning in a parts query.
STOP_WORDS = frozenset(
    "a an and the for of with to in on at by from my our need needs looking want part parts".split()  # noqa: SIM905
)


@dataclass
class ParsedQuery:
    """The query as the agents use it."""

    text: str
    #: Normalised part-number candidates, most likely first.
    part_numbers: list[str] = field(default_factory=list)
    manufacturer: str | None = None
    #: Every meaningful word, lower-cased, for full-text and vector search (numbers and makers included).
    words: list[str] = field(default_factory=list)
    #: Words that are not part-number candidates (a description, if there are enough of them).
    descriptive: list[str] = field(default_factory=list)

    @property
    def looks_like_part_number(self) -> bool:
        """Mostly a part number (route to exact matching first) rather than a description."""
        return bool(self.part_numbers) and len(self.descriptive) <= 2


def parse(text: str) -> ParsedQuery:
    """Split a query into part-number candidates, a manufacturer and descriptive words."""
    tokens = _TOKEN.findall(text)
    query = ParsedQuery(text=text.strip())
    candidates: list[str] = []
    plain: list[str] = []
    for token in tokens:
        key = token.lower().strip(".-/")
        if key in MANUFACTURERS and query.manufacturer is None:
            query.manufacturer = MANUFACTURERS[key]
            plain.append(token)
            continue
        if any(c.isdigit() for c in token) and len(normalize(token)) >= 3:
            candidates.append(normalize(token))
        else:
            plain.append(token)
    # "1R 0750", "RE 504836", "600 211 1340": a number typed in two to four pieces
    pieces = [normalize(t) for t in tokens]
    for size in (2, 3, 4):
        for start in range(len(pieces) - size + 1):
            run = pieces[start : start + size]
            joined = "".join(run)
            if len(joined) >= 5 and any(c.isdigit() for c in joined) and run[0].lower() not in MANUFACTURERS:
                candidates.append(joined)
    # "CAT1R0750": a vendor prefix glued to the number
    for candidate in list(candidates):
        for word, maker in MANUFACTURERS.items():
            if candidate.startswith(word.upper()) and len(candidate) - len(word) >= 4:
                candidates.append(candidate[len(word) :])
                query.manufacturer = query.manufacturer or maker
    # Longest first: the whole number typed in pieces is likelier than any of its pieces.
    query.part_numbers = sorted(dict.fromkeys(candidates), key=len, reverse=True)
    query.words = [w for t in tokens if (w := re.sub(r"[^a-z0-9]", "", t.lower())) and w not in STOP_WORDS]
    query.descriptive = [w.lower() for w in plain if len(w) > 1 and w.lower() not in STOP_WORDS]
    return query
