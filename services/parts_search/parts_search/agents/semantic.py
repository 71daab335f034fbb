"""The semantic agent: the query embedded, the organisation's nearest parts by cosine similarity.

It answers descriptive queries ("hydraulic pump for CAT 320D", "spin-on oil filter") that share
meaning rather than exact words with the catalog. A query that is only a part number is left to
the catalog agent (embeddings of codes are noise). A manufacturer named in the query filters
the index. Matches below :data:`MIN_SIMILARITY` are dropped: an unrelated part is no answer.
"""

from __future__ import annotations

from parts_search.agents.base import Hit
from parts_search.query import MANUFACTURERS, ParsedQuery
from parts_search.vectors import Embedder, VectorIndex

#: Cosine similarity a part needs to be returned at all. Measured on the sample catalog with
#: all-MiniLM-L6-v2: the best part for an unrelated query ("xylophone", "windshield wiper")
#: scores 0.28-0.33, for a real one ("spin-on oil filter", "seal kit for boom cylinder") 0.65-0.82.
MIN_SIMILARITY = 0.40


class SemanticAgent:
    """Vector similarity over the organisation's part embeddings, on any embedder and index."""

    name = "semantic"

    def __init__(self, embedder: Embedder, index: VectorIndex) -> None:
        self.embedder = embedder
        self.index = index

    def search(self, query: ParsedQuery, organization_id: str, limit: int) -> list[Hit]:
        """The ``limit`` parts closest in meaning to the query's description."""
        if not [w for w in query.descriptive if w not in MANUFACTURERS]:
            return []  # a part number, perhaps with its maker: nothing to compare meanings of
        vector = self.embedder.embed([query.text])[0]
        matches = self.index.query(organization_id, vector, limit, manufacturer=query.manufacturer)
        return [
            Hit(m.part_id, m.score, f"similar description ({m.score:.2f})")
            for m in matches
            if m.score >= MIN_SIMILARITY
        ]


__all__ = ["SemanticAgent"]
