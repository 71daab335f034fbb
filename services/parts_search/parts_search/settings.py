"""The parts-search service's settings: the library's, plus which embedding model, vector index and graph.

Each backend is chosen by configuration alone:

- ``SEARCH_EMBEDDINGS``: ``local`` (all-MiniLM-L6-v2 on the CPU, offline; the default) or any
  litellm embedding model (``openai/text-embedding-3-small``, ``cohere/embed-english-v3.0``...).
- ``SEARCH_VECTOR_INDEX``: ``local`` (vectors in PostgreSQL, searched in process; the default)
  or ``pinecone`` (``PINECONE_API_KEY``, ``PINECONE_INDEX_HOST``; one namespace per organisation).
- ``SEARCH_GRAPH``: ``postgres`` (recursive queries over the catalog tables; the default) or
  ``neo4j`` (``NEO4J_URI``, ``NEO4J_USER``, ``NEO4J_PASSWORD``, ``NEO4J_DATABASE``).
"""

from __future__ import annotations

from functools import cache
from typing import Literal

from pydantic import SecretStr

from partsiq.settings import Settings


class PartsSearchSettings(Settings):
    """Backends of the semantic and relationship agents; every default works offline."""

    #: ``local`` or a litellm embedding model name.
    search_embeddings: str = "local"
    #: For a litellm model: its endpoint (a local OpenAI-compatible server, Azure...) and key.
    search_embedding_api_base: str | None = None
    search_embedding_api_key: SecretStr | None = None
    search_embedding_timeout_s: float = 10.0
    #: Where part vectors are searched.
    search_vector_index: Literal["local", "pinecone"] = "local"
    #: Organisations whose vector matrices a worker keeps with the local index (~150 MB per 100k parts each).
    search_index_organizations: int = 8
    pinecone_api_key: SecretStr | None = None
    #: The index's data-plane host (``https://<index>-<project>.svc.<env>.pinecone.io``).
    pinecone_index_host: str | None = None
    pinecone_timeout_s: float = 2.0
    #: Where part relationships are walked.
    search_graph: Literal["postgres", "neo4j"] = "postgres"
    neo4j_uri: str = "neo4j://127.0.0.1:7687"
    neo4j_user: str = "neo4j"
    neo4j_password: SecretStr | None = None
    #: ``None``: the server's default database (the only choice on Bolt 3 servers).
    neo4j_database: str | None = None
    #: Per-query timeout, and the driver's retry budget (its 30 s default would stall a search).
    neo4j_timeout_s: float = 2.0


@cache
def settings() -> PartsSearchSettings:
    """The process's settings, read once from the environment."""
    return PartsSearchSettings()
