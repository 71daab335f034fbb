"""The relationship agent, embedded default: the catalog graph walked with PostgreSQL recursive queries.

- **Supersession**: a number that was superseded finds its current replacement (the end of its
  ``SUPERSEDED_BY`` chain, at most :data:`MAX_HOPS` away), with the date.
- **Alternates** of a part found by number (``ALTERNATE_OF`` read both ways).
- **Fitment**: a query naming an equipment model (``... for CAT 320D``) finds the parts that fit it,
  ranked by how well the rest of the query matches them.
- :meth:`RelationshipAgent.enrich` describes found parts for the answer ("superseded by X since
  2019", "alternate: Y", "component of Z", "fits CAT 320D").

PostgreSQL rather than an embedded Cypher engine: the graph lives in the same tables the import
writes, in the same transaction, and bounded recursive queries over indexed edges stay in the
milliseconds at catalog sizes (a Neo4j adapter is the production option, not built yet).
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from sqlalchemy import text

from parts_search.agents.base import REPLACEMENT, Hit
from parts_search.query import ParsedQuery
from partsiq.db import Database

#: Longest supersession chain followed.
MAX_HOPS = 10

_REPLACEMENTS = text(
    """
    WITH RECURSIVE chain(origin, id, depth, since) AS (
        SELECT p.id, p.id, 0, NULL::date FROM "Part" p
        WHERE p."organizationId" = :org AND p."normalizedPartNumber" = ANY(:numbers)
      UNION ALL
        SELECT c.origin, r."toPartId", c.depth + 1, r.since FROM chain c
        JOIN "PartRelationship" r ON r."fromPartId" = c.id AND r.type = 'SUPERSEDED_BY' AND r."organizationId" = :org
        WHERE c.depth < :hops
    )
    SELECT DISTINCT ON (c.origin) c.origin, o."partNumber", c.id, c.depth, c.since
    FROM chain c JOIN "Part" o ON o.id = c.origin
    WHERE c.depth > 0 ORDER BY c.origin, c.depth DESC
    """
)
_ALTERNATES = text(
    """
    WITH found AS (
        SELECT id, "partNumber" FROM "Part" WHERE "organizationId" = :org AND "normalizedPartNumber" = ANY(:numbers)
    )
    SELECT found."partNumber", r."toPartId" FROM found
    JOIN "PartRelationship" r ON r."fromPartId" = found.id AND r.type = 'ALTERNATE_OF'
    UNION
    SELECT found."partNumber", r."fromPartId" FROM found
    JOIN "PartRelationship" r ON r."toPartId" = found.id AND r.type = 'ALTERNATE_OF'
    LIMIT :limit
    """
)
_MODELS = text(
    """
    SELECT id, make, model FROM "EquipmentModel"
    WHERE "organizationId" = :org AND lower(regexp_replace(model, '[^A-Za-z0-9]', '', 'g')) = ANY(:words)
      AND (CAST(:maker AS text) IS NULL OR make = :maker)
    """
)
_FITTING = text(
    """
    SELECT p.id, ts_rank_cd(p."searchVector", to_tsquery('simple', :words)) AS r
    FROM "PartFitment" f JOIN "Part" p ON p.id = f."partId"
    WHERE f."organizationId" = :org AND f."equipmentModelId" = ANY(:models)
    ORDER BY r DESC, p."normalizedPartNumber" LIMIT :limit
    """
)
_ENRICH = text(
    """
    SELECT r."fromPartId", r."toPartId", r.type::text, r.since, r.quantity, f."partNumber", f.manufacturer,
           t."partNumber", t.manufacturer
    FROM "PartRelationship" r JOIN "Part" f ON f.id = r."fromPartId" JOIN "Part" t ON t.id = r."toPartId"
    WHERE r."organizationId" = :org AND (r."fromPartId" = ANY(:ids) OR r."toPartId" = ANY(:ids))
    """
)
_FITS = text(
    """
    SELECT f."partId", m.make, m.model FROM "PartFitment" f JOIN "EquipmentModel" m ON m.id = f."equipmentModelId"
    WHERE f."organizationId" = :org AND f."partId" = ANY(:ids) ORDER BY m.make, m.model
    """
)


class RelationshipAgent:
    """Supersessions, alternates and fitment from the catalog's relationship tables."""

    name = "relationships"

    def __init__(self, database: Database) -> None:
        self.database = database

    def search(self, query: ParsedQuery, organization_id: str, limit: int) -> list[Hit]:
        """Replacements of superseded numbers, alternates of exact numbers, parts fitting a named model."""
        hits: dict[str, Hit] = {}
        with self.database.engine.connect() as conn:
            if query.part_numbers:
                params = {"org": organization_id, "numbers": query.part_numbers}
                for _, old, part_id, _, since in conn.execute(_REPLACEMENTS, {**params, "hops": MAX_HOPS}):
                    when = f" since {since:%Y-%m-%d}" if since else ""
                    hits.setdefault(
                        part_id, Hit(part_id, 3.0, f"current replacement of {old}{when}", boost=REPLACEMENT)
                    )
                for number, part_id in conn.execute(_ALTERNATES, {**params, "limit": limit}):
                    hits.setdefault(part_id, Hit(part_id, 2.0, f"alternate of {number}"))
            words = [w for w in query.words if w]
            if words:
                models = conn.execute(
                    _MODELS, {"org": organization_id, "words": words, "maker": query.manufacturer}
                ).all()
                if models:
                    names = ", ".join(f"{make} {model}" for _, make, model in models)
                    rest = " | ".join(query.descriptive or words)
                    rows = conn.execute(
                        _FITTING,
                        {"org": organization_id, "models": [m[0] for m in models], "words": rest, "limit": limit},
                    )
                    for part_id, rank in rows:
                        hits.setdefault(part_id, Hit(part_id, min(0.99, float(rank)) + 0.5, f"fits {names}"))
        return sorted(hits.values(), key=lambda h: -h.score)[:limit]

    def enrich(self, organization_id: str, part_ids: list[str]) -> dict[str, dict[str, Any]]:
        """What the answer says about each part's relationships and fitment."""
        out: dict[str, dict[str, Any]] = defaultdict(lambda: defaultdict(list))
        if not part_ids:
            return {}
        with self.database.engine.connect() as conn:
            params = {"org": organization_id, "ids": part_ids}
            for from_id, to_id, kind, since, quantity, from_pn, from_mf, to_pn, to_mf in conn.execute(_ENRICH, params):
                from_label, to_label = _label(from_mf, from_pn), _label(to_mf, to_pn)
                when = since.isoformat() if since else None
                if kind == "SUPERSEDED_BY":
                    out[from_id]["supersededBy"].append({"partNumber": to_label, "since": when})
                    out[to_id]["supersedes"].append({"partNumber": from_label, "since": when})
                elif kind == "ALTERNATE_OF":
                    out[from_id]["alternates"].append(to_label)
                    out[to_id]["alternates"].append(from_label)
                else:
                    out[from_id]["componentOf"].append({"partNumber": to_label, "quantity": quantity})
                    out[to_id]["components"].append({"partNumber": from_label, "quantity": quantity})
            for part_id, make, model in conn.execute(_FITS, params):
                out[part_id]["fits"].append(f"{make} {model}")
        return {k: dict(v) for k, v in out.items() if k in set(part_ids)}


def _label(manufacturer: str, part_number: str) -> str:
    return f"{manufacturer} {part_number}".strip()


__all__ = ["RelationshipAgent"]
