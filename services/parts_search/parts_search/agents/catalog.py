"""The catalog agent (PostgreSQL): exact normalised number, then prefix and trigram similarity, then full text.

Measured (see the search notes): exact btree lookups take ~0.1 ms at 1M rows; trigram
similarity scores on short codes are low (``1R0750`` vs ``1R0751`` = 0.56), so the fuzzy
threshold is 0.45 rather than pg_trgm's 0.3 default and candidates are ordered by similarity;
full-text ranking cost grows with matches, so candidates are capped before ranking.
"""

from __future__ import annotations

from sqlalchemy import text

from parts_search.agents.base import EXACT, Hit
from parts_search.query import ParsedQuery
from partsiq.db import Database

#: Trigram similarity a part number needs to count as "similar" (short codes score low).
SIMILARITY = 0.45
#: Full-text candidates ranked at most (ranking cost grows with the number of matches).
FULL_TEXT_CANDIDATES = 500

_EXACT = text(
    'SELECT id FROM "Part" WHERE "organizationId" = :org AND "normalizedPartNumber" = ANY(:numbers) '
    'ORDER BY (manufacturer = :maker) DESC, "normalizedPartNumber" LIMIT :limit'
)
_PREFIX = text(
    'SELECT id, "normalizedPartNumber" FROM "Part" WHERE "organizationId" = :org '
    'AND "normalizedPartNumber" LIKE :prefix AND "normalizedPartNumber" <> :number '
    'ORDER BY length("normalizedPartNumber"), "normalizedPartNumber" LIMIT :limit'
)
_FUZZY = text(
    'SELECT id, similarity("normalizedPartNumber", :number) AS s FROM "Part" '
    'WHERE "organizationId" = :org AND "normalizedPartNumber" % :number '
    'AND similarity("normalizedPartNumber", :number) >= :threshold '
    "ORDER BY s DESC LIMIT :limit"
)
_FULL_TEXT = text(
    "WITH q AS (SELECT to_tsquery('simple', :words) AS q), "
    'candidates AS (SELECT id, "searchVector" FROM "Part", q WHERE "organizationId" = :org '
    'AND "searchVector" @@ q.q LIMIT :cap) '
    'SELECT id, ts_rank_cd("searchVector", q.q) AS r FROM candidates, q ORDER BY r DESC LIMIT :limit'
)


class CatalogAgent:
    """Part numbers and descriptions in the organisation's catalog."""

    name = "catalog"

    def __init__(self, database: Database) -> None:
        self.database = database

    def search(self, query: ParsedQuery, organization_id: str, limit: int) -> list[Hit]:
        """Exact, then prefix/similar numbers, then words; each hit says how it matched."""
        hits: dict[str, Hit] = {}

        def add(hit: Hit) -> None:
            if hit.part_id not in hits or hits[hit.part_id].score < hit.score:
                hits[hit.part_id] = hit

        with self.database.engine.connect() as conn:
            conn.execute(text("SELECT set_config('pg_trgm.similarity_threshold', :t, true)"), {"t": str(SIMILARITY)})
            if query.part_numbers:
                params = {"org": organization_id, "numbers": query.part_numbers, "maker": query.manufacturer or ""}
                for (part_id,) in conn.execute(_EXACT, {**params, "limit": limit}):
                    add(Hit(part_id, 3.0, "exact part number", boost=EXACT))
                for number in query.part_numbers[:3]:
                    if len(number) >= 4:
                        rows = conn.execute(
                            _PREFIX, {"org": organization_id, "prefix": f"{number}%", "number": number, "limit": limit}
                        )
                        for rank, (part_id, _) in enumerate(rows):
                            add(Hit(part_id, 2.0 - rank * 0.01, "part number starts with the query"))
                    for part_id, similarity in conn.execute(
                        _FUZZY, {"org": organization_id, "number": number, "threshold": SIMILARITY, "limit": limit}
                    ):
                        add(Hit(part_id, 1.0 + float(similarity), f"similar part number ({similarity:.2f})"))
            # Any of the words (ranked by how many and where they match), not all of them.
            words = " | ".join(query.words)
            if words and len(hits) < limit:
                rows = conn.execute(
                    _FULL_TEXT, {"org": organization_id, "words": words, "cap": FULL_TEXT_CANDIDATES, "limit": limit}
                )
                for part_id, rank in rows:
                    add(Hit(part_id, min(0.99, float(rank)), "description matches"))
            conn.rollback()
        return sorted(hits.values(), key=lambda h: -h.score)[:limit]
