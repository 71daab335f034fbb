"""The Cypher the Neo4j graph store runs: parameterised, bounded, scoped to one organisation.

Written in the subset Neo4j 5+ and the embedded engine the tests run it on (ladybug, a Kuzu
fork) both execute the same way: no ``type(r)`` or ``last()``, no ``NULL`` columns in a
``UNION`` (each relation kind is its own query), optional arguments as ``''`` rather than
``null`` (ladybug types a null parameter as boolean), variable-length paths always bounded.
Every node carries ``org``; every statement filters on it.
"""

from __future__ import annotations

from parts_search.graph.base import MAX_HOPS

#: The end of each chain starting at a typed number: ``(origin)-[*0..9]->(x)-[s]->(end)`` with no
#: way out of ``end``; ``s`` is the last supersession (its date is the one the answer shows).
REPLACEMENTS = f"""
MATCH (o:Part)-[:SUPERSEDED_BY*0..{MAX_HOPS - 1}]->(x:Part)-[s:SUPERSEDED_BY]->(r:Part)
WHERE o.org = $org AND o.pn_norm IN $numbers AND r.org = $org
  AND NOT EXISTS {{ MATCH (r)-[:SUPERSEDED_BY]->(:Part) }}
RETURN o.id AS origin_id, o.pn AS origin, r.id AS id, s.since AS since
"""

ALTERNATES = """
MATCH (o:Part)-[:ALTERNATE_OF]-(a:Part)
WHERE o.org = $org AND o.pn_norm IN $numbers AND a.org = $org
RETURN DISTINCT o.pn AS number, a.id AS id
LIMIT $limit
"""

MODELS = """
MATCH (m:EquipmentModel)
WHERE m.org = $org AND m.model_norm IN $words AND ($maker = '' OR m.make = $maker)
RETURN m.id AS id, m.make AS make, m.model AS model
"""

#: Candidates fitting the models; ranked against the query's words in Python (bounded here).
FITTING = """
MATCH (p:Part)-[:FITS]->(m:EquipmentModel)
WHERE m.org = $org AND m.id IN $models AND p.org = $org
RETURN DISTINCT p.id AS id, p.name AS name, p.description AS description, p.category AS category
ORDER BY id
LIMIT $limit
"""

_EDGE = """
MATCH (a:Part)-[r:{kind}]->(b:Part)
WHERE a.org = $org AND b.org = $org AND (a.id IN $ids OR b.id IN $ids)
RETURN a.id AS from_id, b.id AS to_id, a.manufacturer AS from_maker, a.pn AS from_pn,
       b.manufacturer AS to_maker, b.pn AS to_pn{extra}
LIMIT $limit
"""
SUPERSESSIONS = _EDGE.format(kind="SUPERSEDED_BY", extra=", r.since AS since")
ALTERNATE_EDGES = _EDGE.format(kind="ALTERNATE_OF", extra="")
COMPONENTS = _EDGE.format(kind="COMPONENT_OF", extra=", r.quantity AS quantity")

FITMENTS = """
MATCH (p:Part)-[:FITS]->(m:EquipmentModel)
WHERE p.org = $org AND p.id IN $ids AND m.org = $org
RETURN p.id AS part_id, m.make AS make, m.model AS model
ORDER BY make, model
LIMIT $limit
"""

# Writes: the catalog import keeps the graph in step (MERGE: re-running changes nothing).
MERGE_PARTS = """
UNWIND $rows AS row
MERGE (p:Part {id: row.id})
SET p.org = row.org, p.pn = row.pn, p.pn_norm = row.pn_norm, p.manufacturer = row.manufacturer,
    p.name = row.name, p.description = row.description, p.category = row.category
"""
MERGE_MODELS = """
UNWIND $rows AS row
MERGE (m:EquipmentModel {id: row.id})
SET m.org = row.org, m.make = row.make, m.model = row.model, m.model_norm = row.model_norm
"""
MERGE_SUPERSESSIONS = """
UNWIND $rows AS row
MATCH (a:Part {id: row.from_id}), (b:Part {id: row.to_id})
MERGE (a)-[r:SUPERSEDED_BY]->(b)
SET r.since = row.since
"""
MERGE_ALTERNATES = """
UNWIND $rows AS row
MATCH (a:Part {id: row.from_id}), (b:Part {id: row.to_id})
MERGE (a)-[:ALTERNATE_OF]->(b)
"""
MERGE_COMPONENTS = """
UNWIND $rows AS row
MATCH (a:Part {id: row.from_id}), (b:Part {id: row.to_id})
MERGE (a)-[r:COMPONENT_OF]->(b)
SET r.quantity = row.quantity
"""
MERGE_FITMENTS = """
UNWIND $rows AS row
MATCH (p:Part {id: row.part_id}), (m:EquipmentModel {id: row.model_id})
MERGE (p)-[:FITS]->(m)
"""

#: Neo4j-only schema (ladybug declares tables instead; see tests/support/cypher_engine.py):
#: unique ids make MERGE a lookup, and the org/number index serves every read's first match.
NEO4J_SCHEMA = (
    "CREATE CONSTRAINT part_id IF NOT EXISTS FOR (p:Part) REQUIRE p.id IS UNIQUE",
    "CREATE CONSTRAINT equipment_model_id IF NOT EXISTS FOR (m:EquipmentModel) REQUIRE m.id IS UNIQUE",
    "CREATE INDEX part_org_number IF NOT EXISTS FOR (p:Part) ON (p.org, p.pn_norm)",
    "CREATE INDEX equipment_model_org_name IF NOT EXISTS FOR (m:EquipmentModel) ON (m.org, m.model_norm)",
)
