"""The Neo4j graph store: its Cypher executed by a real engine, and its driver code over real Bolt.

- The statements in ``parts_search.graph.cypher`` (the sync's ``MERGE`` writes and every read)
  run on ladybug, an embedded Cypher engine, over the sample catalog: the relationship agent
  must answer exactly as it does on the PostgreSQL store.
- The driver path (``DriverRunner``: read routing, per-query timeout, parameters, records) is
  exercised by the real ``neo4j`` driver against boltkit's scripted Bolt 3 server, replaying
  what the engine answered. Not verified here: a real Neo4j server's planner and its handling
  of ``NEO4J_SCHEMA`` (no Neo4j server is installable on this machine).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest
from neo4j.exceptions import ServiceUnavailable, SessionExpired

from parts_search.agents.relationships import RelationshipAgent
from parts_search.backends import build
from parts_search.graph import cypher
from parts_search.graph.neo4j import DriverRunner, Neo4jGraph, sync_graph
from parts_search.graph.postgres import PostgresGraph
from parts_search.query import parse
from parts_search.settings import PartsSearchSettings
from partsiq.db.models import EquipmentModel, Part, PartFitment, PartRelation, PartRelationship
from tests.parts_search.conftest import ROWS, row_with, superseded_row
from tests.support.bolt_stub import Exchange, bolt_stub
from tests.support.cypher_engine import CypherEngine, cypher_engine

READS = {
    name: getattr(cypher, name)
    for name in (
        "REPLACEMENTS",
        "ALTERNATES",
        "MODELS",
        "FITTING",
        "SUPERSESSIONS",
        "ALTERNATE_EDGES",
        "COMPONENTS",
        "FITMENTS",
    )
}
WRITES = {name: getattr(cypher, name) for name in dir(cypher) if name.startswith("MERGE_")}


@pytest.fixture
def engine() -> Iterator[CypherEngine]:
    with cypher_engine() as graph:
        yield graph


@pytest.fixture
def graph_catalog(database, catalog, engine) -> str:
    """The sample catalog in PostgreSQL, synced into the Cypher engine."""
    sync_graph(database, catalog, engine)
    return catalog


def queries() -> list[str]:
    """Queries that exercise every relation: obsolete numbers, alternates, fitment, components."""
    old = superseded_row()
    alternate = next(r for r in ROWS if r["alternates"])
    component = next(r for r in ROWS if r["component_of"])
    return [
        old["part_number"],
        alternate["part_number"],
        component["part_number"],
        component["component_of"].split(":")[-1],
        "hydraulic pump for CAT 320D",
        "Deere 310SL filter",
        row_with(manufacturer="Komatsu")["part_number"],
    ]


def answers(agent: RelationshipAgent, organization: str) -> list[Any]:
    out = []
    for text in queries():
        hits = agent.search(parse(text), organization, 1000)
        out.append(
            {
                "query": text,
                # fitment ranks by a different text score in each store: compare the set, order the rest
                "ranked": [(h.part_id, h.reason) for h in hits if not h.reason.startswith("fits")],
                "fitting": {(h.part_id, h.reason) for h in hits if h.reason.startswith("fits")},
                "enrich": agent.enrich(organization, sorted(h.part_id for h in hits)[:15]),
            }
        )
    return out


def normalised(enrichment: dict[str, dict[str, Any]]) -> dict[str, dict[str, Any]]:
    return {pid: {k: sorted(map(str, v)) for k, v in rel.items()} for pid, rel in enrichment.items()}


def test_the_sync_writes_the_catalog_graph_and_running_it_again_changes_nothing(database, graph_catalog, engine):
    def counts() -> tuple[int, ...]:
        return tuple(
            engine(f"MATCH ()-[r:{kind}]->() RETURN count(r) AS n", {})[0]["n"]
            for kind in ("SUPERSEDED_BY", "ALTERNATE_OF", "COMPONENT_OF", "FITS")
        ) + (engine("MATCH (p:Part) RETURN count(p) AS n", {})[0]["n"],)

    first = counts()
    sync_graph(database, graph_catalog, engine)

    with database.session() as session:
        expected = tuple(
            session.query(PartRelationship).filter(PartRelationship.type == kind).count() for kind in PartRelation
        ) + (session.query(PartFitment).count(), session.query(Part).count())
        models = session.query(EquipmentModel).count()
    assert counts() == first == expected
    assert engine("MATCH (m:EquipmentModel) RETURN count(m) AS n", {})[0]["n"] == models


def test_the_relationship_agent_answers_the_same_from_neo4j_cypher_as_from_postgresql(database, graph_catalog, engine):
    on_postgres = answers(RelationshipAgent(PostgresGraph(database)), graph_catalog)
    on_cypher = answers(RelationshipAgent(Neo4jGraph(engine)), graph_catalog)

    for pg, cy in zip(on_postgres, on_cypher, strict=True):
        assert cy["ranked"] == pg["ranked"], pg["query"]
        assert cy["fitting"] == pg["fitting"], pg["query"]
        assert normalised(cy["enrich"]) == normalised(pg["enrich"]), pg["query"]
    assert any(a["ranked"] for a in on_postgres) and any(a["fitting"] for a in on_postgres)
    assert any("current replacement" in reason for a in on_cypher for _, reason in a["ranked"])


def test_every_statement_is_parameterised_scoped_to_the_organisation_and_bounded():
    for name, statement in READS.items():
        assert "$org" in statement, name
        assert re.search(r"\*\s*\]|\*\.\.\s*\]", statement) is None, f"{name}: unbounded path"
        assert "LIMIT" in statement or "SHORTEST" in statement or name in ("REPLACEMENTS", "MODELS"), name
        assert not re.search(r"'[^']*\{|\+\s*\$", statement), f"{name}: text built into the query"
    assert re.search(r"SUPERSEDED_BY\*0\.\.9\]", cypher.REPLACEMENTS)
    assert all("UNWIND $rows" in statement for statement in WRITES.values())


def test_an_organization_never_sees_another_organizations_graph(database, graph_catalog, engine, other_org):
    old = superseded_row()
    with database.session() as session:
        a = Part(
            organization_id=other_org,
            part_number=old["part_number"],
            normalized_part_number=re.sub(r"[^A-Z0-9]", "", old["part_number"].upper()),
            name="Theirs",
        )
        b = Part(organization_id=other_org, part_number="ZZ-2", normalized_part_number="ZZ2", name="Their replacement")
        session.add_all([a, b])
        session.flush()
        session.add(
            PartRelationship(
                organization_id=other_org, from_part_id=a.id, to_part_id=b.id, type=PartRelation.SUPERSEDED_BY
            )
        )
        theirs = {a.id, b.id}
    sync_graph(database, other_org, engine)
    agent = RelationshipAgent(Neo4jGraph(engine))

    mine = agent.search(parse(old["part_number"]), graph_catalog, 20)
    their_hits = agent.search(parse(old["part_number"]), other_org, 20)

    assert mine and not theirs & {h.part_id for h in mine}
    assert {h.part_id for h in their_hits} == {b.id}


class Recording:
    """Runs statements on the engine and keeps each as a scripted exchange for the Bolt stub."""

    def __init__(self, engine: CypherEngine) -> None:
        self.engine = engine
        self.exchanges: list[Exchange] = []

    def __call__(self, statement: str, parameters: dict[str, Any], *, write: bool = False) -> list[dict[str, Any]]:
        rows = self.engine(statement, parameters, write=write)
        fields = list(rows[0]) if rows else _fields(statement)
        self.exchanges.append(Exchange(statement, parameters, fields, [[row[f] for f in fields] for row in rows]))
        return rows


def _fields(statement: str) -> list[str]:
    returned = statement.split("RETURN", 1)[1].split("ORDER BY")[0].split("LIMIT")[0]
    return re.findall(r"AS (\w+)", returned)


def test_the_neo4j_driver_sends_each_read_routed_with_its_timeout_and_parameters(database, graph_catalog, engine):
    recording = Recording(engine)
    expected = answers(RelationshipAgent(Neo4jGraph(recording)), graph_catalog)

    with bolt_stub(recording.exchanges, timeout_ms=2000) as server:
        runner = DriverRunner(server.uri, "neo4j", "secret", database=None, timeout_s=2.0)
        try:
            over_bolt = answers(RelationshipAgent(Neo4jGraph(runner)), graph_catalog)
        finally:
            runner.close()

    assert server.exit_code == 0 and server.unplayed == 0
    assert len(recording.exchanges) > 10
    for via_bolt, direct in zip(over_bolt, expected, strict=True):
        assert via_bolt["ranked"] == direct["ranked"] and via_bolt["fitting"] == direct["fitting"]
        assert normalised(via_bolt["enrich"]) == normalised(direct["enrich"])


def test_a_statement_the_script_does_not_expect_fails_loudly(database, graph_catalog, engine):
    expected = Exchange(cypher.MODELS, {"org": graph_catalog, "words": ["320d"], "maker": ""}, ["id"], [])

    with bolt_stub([expected], timeout_ms=2000) as server:
        runner = DriverRunner(server.uri, "neo4j", "secret", database=None, timeout_s=1.0)
        try:
            with pytest.raises((ServiceUnavailable, SessionExpired, OSError)):
                Neo4jGraph(runner).models(graph_catalog, ["320d"], "CAT")  # maker differs from the script
        finally:
            runner.close()


def test_configuration_alone_selects_the_neo4j_store(database):
    settings = PartsSearchSettings(
        database_url=database.settings.database_url, search_graph="neo4j", neo4j_uri="bolt://127.0.0.1:9"
    )
    backends = build(settings, database)
    try:
        assert isinstance(backends.graph, Neo4jGraph) and isinstance(backends.cypher, DriverRunner)
    finally:
        backends.close()
