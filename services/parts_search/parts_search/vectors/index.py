"""What a vector index is to the semantic agent and the catalog import, and the text a part is embedded as."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from parts_search.vectors.embedders import Vectors


@dataclass(frozen=True)
class VectorMatch:
    """A part near the query, with its cosine similarity (-1..1, higher is closer)."""

    part_id: str
    score: float


@dataclass(frozen=True)
class VectorItem:
    """A part's vector and the metadata an index may filter on (``manufacturer``, ``category``)."""

    part_id: str
    vector: Vectors
    metadata: dict[str, Any]


class VectorIndex(Protocol):
    """Per-organisation vectors: an organisation's queries never see another's parts."""

    name: str

    def upsert(self, organization_id: str, items: Sequence[VectorItem]) -> None:
        """Add or replace the organisation's vectors (the parts' rows in ``PartEmbedding`` are already written)."""
        ...

    def query(
        self, organization_id: str, vector: Vectors, top_k: int, *, manufacturer: str | None = None
    ) -> list[VectorMatch]:
        """The ``top_k`` nearest parts of the organisation, optionally of one manufacturer, closest first."""
        ...

    def count(self, organization_id: str) -> int:
        """Vectors the index holds for the organisation."""
        ...


def part_text(manufacturer: str, name: str, description: str | None, category: str | None) -> str:
    """What a part is embedded as: maker, name, description and category, the words people search with."""
    parts = [f"{manufacturer} {name}".strip(), description or "", (category or "").replace("/", " ")]
    return ". ".join(p.strip().rstrip(".") for p in parts if p.strip())
