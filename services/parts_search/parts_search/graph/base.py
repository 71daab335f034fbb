"""What a graph store answers, row by row; the relationship agent turns rows into hits and enrichment."""

from __future__ import annotations

from datetime import date
from typing import NamedTuple, Protocol

#: Longest supersession chain followed.
MAX_HOPS = 10


class Replacement(NamedTuple):
    """``origin`` (as typed in the catalog) is superseded, at the end of its chain, by part ``part_id``."""

    origin: str
    part_id: str
    #: Date of the last supersession of the chain.
    since: date | None


class Alternate(NamedTuple):
    """Part ``part_id`` is an alternate of the catalog's ``number``."""

    number: str
    part_id: str


class Model(NamedTuple):
    """An equipment model named in a query."""

    id: str
    make: str
    model: str


class Relation(NamedTuple):
    """One edge between two parts, labelled ``MANUFACTURER NUMBER`` on both ends."""

    from_id: str
    to_id: str
    kind: str
    since: date | None
    quantity: int | None
    from_label: str
    to_label: str


class Fitment(NamedTuple):
    """Part ``part_id`` fits ``make model``."""

    part_id: str
    make: str
    model: str


class Graph(Protocol):
    """One organisation's graph at a time: every method is scoped by ``organization_id``."""

    name: str

    def replacements(self, organization_id: str, numbers: list[str]) -> list[Replacement]:
        """The end of each superseded number's chain (at most :data:`MAX_HOPS`), one per origin."""
        ...

    def alternates(self, organization_id: str, numbers: list[str], limit: int) -> list[Alternate]:
        """Alternates of the parts with these normalised numbers (either direction)."""
        ...

    def models(self, organization_id: str, words: list[str], manufacturer: str | None) -> list[Model]:
        """Equipment models whose normalised name is one of ``words`` (of ``manufacturer`` if given)."""
        ...

    def fitting(
        self, organization_id: str, model_ids: list[str], words: list[str], limit: int
    ) -> list[tuple[str, float]]:
        """``(part id, 0..1 text match)`` of parts fitting the models, best matching ``words`` first."""
        ...

    def relations(self, organization_id: str, part_ids: list[str]) -> list[Relation]:
        """Every edge touching the parts."""
        ...

    def fitments(self, organization_id: str, part_ids: list[str]) -> list[Fitment]:
        """The equipment the parts fit."""
        ...


def label(manufacturer: str | None, part_number: str) -> str:
    """``CAT 1R-0750``."""
    return f"{manufacturer or ''} {part_number}".strip()
