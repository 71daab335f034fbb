"""The production graph store: Neo4j through the official ``neo4j`` driver.

- Every read is one parameterised, bounded statement from :mod:`parts_search.graph.cypher`,
  read-routed (``routing_=READ``: a cluster's followers answer) with a per-query timeout, and
  the driver's retry budget is the same few seconds (its 30 s default would hold a worker thread
  long after the search gave up).
- ``NEO4J_DATABASE`` selects a database; unset, the server's default is used (Bolt 3 servers
  refuse a database name).
- :func:`sync_graph` copies an organisation's catalog graph from PostgreSQL (the source of
  truth) with idempotent ``MERGE`` batches; the catalog import calls it when ``SEARCH_GRAPH=neo4j``.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from typing import Any, Protocol

from sqlalchemy import select

from parts_search.graph import cypher
from parts_search.graph.base import Alternate, Fitment, Model, Relation, Replacement, label
from partsiq.db import Database
from partsiq.db.models import EquipmentModel, Part, PartFitment, PartRelation, PartRelationship

#: Rows per ``UNWIND`` write.
WRITE_BATCH = 1000
#: Candidates fitting a model that are ranked against the query; edges read per enrichment query.
CANDIDATES = 500


class CypherRunner(Protocol):
    """Runs one statement and returns its records as dicts (the driver in production, an engine in tests)."""

    def __call__(self, statement: str, parameters: dict[str, Any], *, write: bool = False) -> list[dict[str, Any]]: ...


class DriverRunner:
    """:class:`CypherRunner` on a ``neo4j`` driver: read routing, per-query timeout, bounded retries."""

    def __init__(self, uri: str, user: str, password: str | None, *, database: str | None, timeout_s: float) -> None:
        import neo4j

        self._neo4j = neo4j
        self.database = database
        self.timeout_s = timeout_s
        self._schema_ready = False
        self.driver = neo4j.GraphDatabase.driver(
            uri,
            auth=(user, password or ""),
            connection_timeout=timeout_s,
            connection_acquisition_timeout=timeout_s,
            max_transaction_retry_time=timeout_s,
        )

    def __call__(self, statement: str, parameters: dict[str, Any], *, write: bool = False) -> list[dict[str, Any]]:
        if write and not self._schema_ready:
            self._schema_ready = True
            for ddl in cypher.NEO4J_SCHEMA:  # idempotent; before the first write, so MERGE finds ids by index
                self._execute(ddl, {}, write=True)
        return self._execute(statement, parameters, write=write)

    def _execute(self, statement: str, parameters: dict[str, Any], *, write: bool) -> list[dict[str, Any]]:
        neo4j = self._neo4j
        routing = neo4j.RoutingControl.WRITE if write else neo4j.RoutingControl.READ
        options: dict[str, Any] = {"database_": self.database} if self.database else {}
        records, _, _ = self.driver.execute_query(
            neo4j.Query(statement, timeout=None if write else self.timeout_s),
            parameters,
            routing_=routing,
            **options,
        )
        return [record.data() for record in records]

    def close(self) -> None:
        self.driver.close()


class Neo4jGraph:
    """The :class:`~parts_search.graph.base.Graph` questions asked in Cypher."""

    name = "neo4j"

    def __init__(self, run: CypherRunner) -> None:
        self.run = run

    def replacements(self, organization_id: str, numbers: list[str]) -> list[Replacement]:
        rows = self.run(cypher.REPLACEMENTS, {"org": organization_id, "numbers": numbers})
        found: dict[str, Replacement] = {}
        for row in rows:  # one per origin, like the PostgreSQL store (a chain that forks keeps one end)
            found.setdefault(row["origin_id"], Replacement(row["origin"], row["id"], _date(row["since"])))
        return list(found.values())

    def alternates(self, organization_id: str, numbers: list[str], limit: int) -> list[Alternate]:
        rows = self.run(cypher.ALTERNATES, {"org": organization_id, "numbers": numbers, "limit": limit})
        return [Alternate(row["number"], row["id"]) for row in rows]

    def models(self, organization_id: str, words: list[str], manufacturer: str | None) -> list[Model]:
        params = {"org": organization_id, "words": words, "maker": manufacturer or ""}
        return [Model(row["id"], row["make"], row["model"]) for row in self.run(cypher.MODELS, params)]

    def fitting(
        self, organization_id: str, model_ids: list[str], words: list[str], limit: int
    ) -> list[tuple[str, float]]:
        rows = self.run(cypher.FITTING, {"org": organization_id, "models": model_ids, "limit": CANDIDATES})
        wanted = {w.lower() for w in words}
        ranked = []
        for row in rows:
            text = " ".join(str(row.get(k) or "") for k in ("name", "description", "category")).lower()
            found = set(re.findall(r"[a-z0-9]+", text)) & wanted
            ranked.append((row["id"], len(found) / len(wanted) if wanted else 0.0))
        ranked.sort(key=lambda item: -item[1])
        return ranked[:limit]

    def relations(self, organization_id: str, part_ids: list[str]) -> list[Relation]:
        params = {"org": organization_id, "ids": part_ids, "limit": CANDIDATES}
        edges: list[Relation] = []
        for statement, kind in (
            (cypher.SUPERSESSIONS, "SUPERSEDED_BY"),
            (cypher.ALTERNATE_EDGES, "ALTERNATE_OF"),
            (cypher.COMPONENTS, "COMPONENT_OF"),
        ):
            for row in self.run(statement, params):
                edges.append(
                    Relation(
                        row["from_id"],
                        row["to_id"],
                        kind,
                        _date(row.get("since")),
                        row.get("quantity"),
                        label(row["from_maker"], row["from_pn"]),
                        label(row["to_maker"], row["to_pn"]),
                    )
                )
        return edges

    def fitments(self, organization_id: str, part_ids: list[str]) -> list[Fitment]:
        rows = self.run(cypher.FITMENTS, {"org": organization_id, "ids": part_ids, "limit": CANDIDATES})
        return [Fitment(row["part_id"], row["make"], row["model"]) for row in rows]


@dataclass
class GraphSyncReport:
    """Nodes and edges written (merged) by a sync."""

    parts: int = 0
    models: int = 0
    edges: int = 0


def sync_graph(database: Database, organization_id: str, run: CypherRunner) -> GraphSyncReport:
    """Merge the organisation's parts, models, relationships and fitments into the graph."""
    report = GraphSyncReport()
    org = organization_id
    with database.session() as session:
        parts = [
            {
                "id": p.id,
                "org": org,
                "pn": p.part_number,
                "pn_norm": p.normalized_part_number,
                "manufacturer": p.manufacturer,
                "name": p.name,
                "description": p.description or "",
                "category": p.category or "",
            }
            for p in session.scalars(select(Part).where(Part.organization_id == org).order_by(Part.id))
        ]
        models = [
            {"id": m.id, "org": org, "make": m.make, "model": m.model, "model_norm": model_key(m.model)}
            for m in session.scalars(select(EquipmentModel).where(EquipmentModel.organization_id == org))
        ]
        edges: dict[PartRelation, list[dict[str, Any]]] = {kind: [] for kind in PartRelation}
        for r in session.scalars(select(PartRelationship).where(PartRelationship.organization_id == org)):
            edges[r.type].append(
                {
                    "from_id": r.from_part_id,
                    "to_id": r.to_part_id,
                    "since": r.since.isoformat() if r.since else "",
                    "quantity": r.quantity or 1,
                }
            )
        fits = [
            {"part_id": f.part_id, "model_id": f.equipment_model_id}
            for f in session.scalars(select(PartFitment).where(PartFitment.organization_id == org))
        ]
    _write(run, cypher.MERGE_PARTS, parts)
    _write(run, cypher.MERGE_MODELS, models)
    _write(run, cypher.MERGE_SUPERSESSIONS, edges[PartRelation.SUPERSEDED_BY])
    _write(run, cypher.MERGE_ALTERNATES, edges[PartRelation.ALTERNATE_OF])
    _write(run, cypher.MERGE_COMPONENTS, edges[PartRelation.COMPONENT_OF])
    _write(run, cypher.MERGE_FITMENTS, fits)
    report.parts, report.models = len(parts), len(models)
    report.edges = sum(len(v) for v in edges.values()) + len(fits)
    return report


def model_key(model: str) -> str:
    """How a model name is matched against query words: ``320D``, ``320-d`` -> ``320d``."""
    return re.sub(r"[^a-z0-9]", "", model.lower())


def _write(run: CypherRunner, statement: str, rows: Iterable[dict[str, Any]]) -> None:
    batch = list(rows)
    for start in range(0, len(batch), WRITE_BATCH):
        run(statement, {"rows": batch[start : start + WRITE_BATCH]}, write=True)


def _date(value: Any) -> date | None:
    if not value:
        return None
    if isinstance(value, date):
        return value
    if hasattr(value, "to_native"):  # neo4j.time.Date
        return value.to_native()  # type: ignore[no-any-return]
    return date.fromisoformat(str(value))
