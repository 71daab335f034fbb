"""The configured agents and stores of one process, built from :class:`PartsSearchSettings`.

Embedding provider, vector index and graph store are each chosen by one setting; everything
else (the agents, the orchestrator, the catalog import) only sees the interfaces. A worker
builds this once: the embedding model and the vector matrices are loaded once per process.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from parts_search.agents import Agent
from parts_search.agents.catalog import CatalogAgent
from parts_search.agents.relationships import RelationshipAgent
from parts_search.agents.semantic import SemanticAgent
from parts_search.graph import Graph
from parts_search.graph.neo4j import CypherRunner, DriverRunner, Neo4jGraph, sync_graph
from parts_search.graph.postgres import PostgresGraph
from parts_search.settings import PartsSearchSettings
from parts_search.vectors import Embedder, LiteLLMEmbedder, LocalEmbedder, VectorIndex, index_parts
from parts_search.vectors.local import LocalVectorIndex
from parts_search.vectors.pinecone import PineconeVectorIndex
from partsiq.db import Database

log = logging.getLogger("parts_search")


@dataclass
class Backends:
    """The stores the agents search, and how the catalog import keeps them in step."""

    database: Database
    embedder: Embedder
    index: VectorIndex
    graph: Graph
    #: Set when the graph is Neo4j: the import copies the catalog graph there.
    cypher: CypherRunner | None = None
    _closers: list[Callable[[], None]] = field(default_factory=list)

    def agents(self) -> list[Agent]:
        """The three agents, in the order sources are listed in answers."""
        return [
            CatalogAgent(self.database),
            SemanticAgent(self.embedder, self.index),
            RelationshipAgent(self.graph),
        ]

    def sync(
        self, organization_id: str, *, resend: bool = False, progress: Callable[[int, int], None] | None = None
    ) -> dict[str, Any]:
        """Bring the vector index (and a Neo4j graph) in step with the organisation's catalog."""
        vectors = index_parts(
            self.database, organization_id, self.embedder, self.index, resend=resend, progress=progress
        )
        result: dict[str, Any] = {"embedded": vectors.embedded, "unchanged": vectors.unchanged, "sent": vectors.sent}
        if self.cypher is not None:
            graph = sync_graph(self.database, organization_id, self.cypher)
            result["graph"] = {"parts": graph.parts, "models": graph.models, "edges": graph.edges}
        return result

    def warm_up(self) -> None:
        """Load the embedding model (and a local index's matrices) now, not in the first searches' budgets."""
        self.embedder.embed(["warm-up"])
        if isinstance(self.index, LocalVectorIndex):
            organizations = self.index.preload()
            log.info("vector matrices loaded for %d organisations", len(organizations))

    def close(self) -> None:
        for close in self._closers:
            close()


def build(settings: PartsSearchSettings, database: Database) -> Backends:
    """The backends ``settings`` choose (every default works offline)."""
    embedder: Embedder
    if settings.search_embeddings == "local":
        embedder = LocalEmbedder()
    else:
        key = settings.search_embedding_api_key
        embedder = LiteLLMEmbedder(
            settings.search_embeddings,
            api_base=settings.search_embedding_api_base,
            api_key=key.get_secret_value() if key else None,
            timeout_s=settings.search_embedding_timeout_s,
        )
    index: VectorIndex
    closers: list[Callable[[], None]] = []
    if settings.search_vector_index == "pinecone":
        if settings.pinecone_api_key is None or not settings.pinecone_index_host:
            raise ValueError("SEARCH_VECTOR_INDEX=pinecone needs PINECONE_API_KEY and PINECONE_INDEX_HOST")
        pinecone = PineconeVectorIndex(
            api_key=settings.pinecone_api_key.get_secret_value(),
            host=settings.pinecone_index_host,
            timeout_s=settings.pinecone_timeout_s,
        )
        index = pinecone
        closers.append(pinecone.close)
    else:
        index = LocalVectorIndex(database, embedder.name, organizations=settings.search_index_organizations)
    backends = Backends(database, embedder, index, PostgresGraph(database), _closers=closers)
    if settings.search_graph == "neo4j":
        password = settings.neo4j_password
        runner = DriverRunner(
            settings.neo4j_uri,
            settings.neo4j_user,
            password.get_secret_value() if password else None,
            database=settings.neo4j_database,
            timeout_s=settings.neo4j_timeout_s,
        )
        backends.graph, backends.cypher = Neo4jGraph(runner), runner
        backends._closers.append(runner.close)
    log.info(
        "parts-search backends: embeddings %s, vector index %s, graph %s",
        embedder.name,
        index.name,
        backends.graph.name,
    )
    return backends
