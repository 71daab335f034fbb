"""The embedded graph store: bounded recursive queries over the catalog's relationship tables.

PostgreSQL rather than an embedded Cypher engine: the graph lives in the tables the import
writes, in the same transaction, so it can never lag the catalog, and bounded recursive
queries over indexed edges stay in the milliseconds at catalog sizes.
"""

from __future__ import annotations

from sqlalchemy import text

from parts_search.graph.base import MAX_HOPS, Alternate, Fitment, Model, Relation, Replacement, label
from partsiq.db import Database

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
    SELECT DISTINCT ON (c.origin) o."partNumber", c.id, c.since
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
_RELATIONS = text(
    """
    SELECT r."fromPartId", r."toPartId", r.type::text, r.since, r.quantity, f.manufacturer, f."partNumber",
           t.manufacturer, t."partNumber"
    FROM "PartRelationship" r JOIN "Part" f ON f.id = r."fromPartId" JOIN "Part" t ON t.id = r."toPartId"
    WHERE r."organizationId" = :org AND (r."fromPartId" = ANY(:ids) OR r."toPartId" = ANY(:ids))
    """
)
_FITMENTS = text(
    """
    SELECT f."partId", m.make, m.model FROM "PartFitment" f JOIN "EquipmentModel" m ON m.id = f."equipmentModelId"
    WHERE f."organizationId" = :org AND f."partId" = ANY(:ids) ORDER BY m.make, m.model
    """
)


class PostgresGraph:
    """The graph in PostgreSQL's ``PartRelationship``, ``EquipmentModel`` and ``PartFitment`` tables."""

    name = "postgres"

    def __init__(self, database: Database) -> None:
        self.database = database

    def replacements(self, organization_id: str, numbers: list[str]) -> list[Replacement]:
        params = {"org": organization_id, "numbers": numbers, "hops": MAX_HOPS}
        with self.database.engine.connect() as conn:
            return [Replacement(*row) for row in conn.execute(_REPLACEMENTS, params)]

    def alternates(self, organization_id: str, numbers: list[str], limit: int) -> list[Alternate]:
        params = {"org": organization_id, "numbers": numbers, "limit": limit}
        with self.database.engine.connect() as conn:
            return [Alternate(*row) for row in conn.execute(_ALTERNATES, params)]

    def models(self, organization_id: str, words: list[str], manufacturer: str | None) -> list[Model]:
        params = {"org": organization_id, "words": words, "maker": manufacturer}
        with self.database.engine.connect() as conn:
            return [Model(*row) for row in conn.execute(_MODELS, params)]

    def fitting(
        self, organization_id: str, model_ids: list[str], words: list[str], limit: int
    ) -> list[tuple[str, float]]:
        params = {"org": organization_id, "models": model_ids, "words": " | ".join(words), "limit": limit}
        with self.database.engine.connect() as conn:
            return [(part_id, float(rank)) for part_id, rank in conn.execute(_FITTING, params)]

    def relations(self, organization_id: str, part_ids: list[str]) -> list[Relation]:
        with self.database.engine.connect() as conn:
            rows = conn.execute(_RELATIONS, {"org": organization_id, "ids": part_ids}).all()
        return [
            Relation(a, b, kind, since, qty, label(a_maker, a_pn), label(b_maker, b_pn))
            for a, b, kind, since, qty, a_maker, a_pn, b_maker, b_pn in rows
        ]

    def fitments(self, organization_id: str, part_ids: list[str]) -> list[Fitment]:
        with self.database.engine.connect() as conn:
            return [Fitment(*row) for row in conn.execute(_FITMENTS, {"org": organization_id, "ids": part_ids})]
