"""The relationship agent: what the parts graph says about the query, on any graph store.

- **Supersession**: a number that was superseded finds its current replacement (the end of its
  ``SUPERSEDED_BY`` chain), with the date; it is boosted to rank right after the exact number.
- **Alternates** of a part found by number (``ALTERNATE_OF`` read both ways).
- **Fitment**: a query naming an equipment model (``... for CAT 320D``) finds the parts that fit it,
  ranked by how well the rest of the query matches them.
- :meth:`RelationshipAgent.enrich` describes found parts for the answer ("superseded by X since
  2019", "alternate: Y", "component of Z", "fits CAT 320D").

The store is PostgreSQL (:class:`~parts_search.graph.postgres.PostgresGraph`, the default) or
Neo4j (:class:`~parts_search.graph.neo4j.Neo4jGraph`), chosen by ``SEARCH_GRAPH``.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from parts_search.agents.base import REPLACEMENT, Hit
from parts_search.graph import Graph
from parts_search.query import ParsedQuery


class RelationshipAgent:
    """Supersessions, alternates and fitment from a graph store."""

    name = "relationships"

    def __init__(self, graph: Graph) -> None:
        self.graph = graph

    def search(self, query: ParsedQuery, organization_id: str, limit: int) -> list[Hit]:
        """Replacements of superseded numbers, alternates of exact numbers, parts fitting a named model."""
        hits: dict[str, Hit] = {}
        if query.part_numbers:
            for found in self.graph.replacements(organization_id, query.part_numbers):
                when = f" since {found.since:%Y-%m-%d}" if found.since else ""
                reason = f"current replacement of {found.origin}{when}"
                hits.setdefault(found.part_id, Hit(found.part_id, 3.0, reason, boost=REPLACEMENT))
            for alternate in self.graph.alternates(organization_id, query.part_numbers, limit):
                hits.setdefault(alternate.part_id, Hit(alternate.part_id, 2.0, f"alternate of {alternate.number}"))
        words = [w for w in query.words if w]
        models = self.graph.models(organization_id, words, query.manufacturer) if words else []
        if models:
            names = ", ".join(f"{m.make} {m.model}" for m in models)
            fitting = self.graph.fitting(organization_id, [m.id for m in models], query.descriptive or words, limit)
            for part_id, rank in fitting:
                hits.setdefault(part_id, Hit(part_id, min(0.99, rank) + 0.5, f"fits {names}"))
        return sorted(hits.values(), key=lambda h: -h.score)[:limit]

    def enrich(self, organization_id: str, part_ids: list[str]) -> dict[str, dict[str, Any]]:
        """What the answer says about each part's relationships and fitment."""
        if not part_ids:
            return {}
        out: dict[str, dict[str, Any]] = defaultdict(lambda: defaultdict(list))
        for edge in self.graph.relations(organization_id, part_ids):
            when = edge.since.isoformat() if edge.since else None
            if edge.kind == "SUPERSEDED_BY":
                out[edge.from_id]["supersededBy"].append({"partNumber": edge.to_label, "since": when})
                out[edge.to_id]["supersedes"].append({"partNumber": edge.from_label, "since": when})
            elif edge.kind == "ALTERNATE_OF":
                out[edge.from_id]["alternates"].append(edge.to_label)
                out[edge.to_id]["alternates"].append(edge.from_label)
            else:
                out[edge.from_id]["componentOf"].append({"partNumber": edge.to_label, "quantity": edge.quantity})
                out[edge.to_id]["components"].append({"partNumber": edge.from_label, "quantity": edge.quantity})
        for fit in self.graph.fitments(organization_id, part_ids):
            out[fit.part_id]["fits"].append(f"{fit.make} {fit.model}")
        wanted = set(part_ids)
        return {k: dict(v) for k, v in out.items() if k in wanted}


__all__ = ["RelationshipAgent"]
