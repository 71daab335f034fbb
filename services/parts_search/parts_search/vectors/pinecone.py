"""The production vector index: Pinecone, through the official ``pinecone`` SDK's data plane.

- One namespace per organisation (``org-<id>``): a query can only ever see its organisation's parts.
- Metadata ``manufacturer``, ``category`` and ``partNumber`` on every vector; the semantic agent
  filters on ``manufacturer`` when the query names one.
- The index (cosine metric, the embedding model's dimension) is created once by an operator;
  this adapter only talks to its data-plane host (``PINECONE_INDEX_HOST``) and never to the
  control plane.
- Short request timeouts: a slow Pinecone degrades one search, it does not hold a worker thread.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from parts_search.vectors.embedders import Vectors
from parts_search.vectors.index import VectorItem, VectorMatch

#: Vectors per upsert request (384 floats + metadata stays far under the 2 MB request cap).
UPSERT_BATCH = 200


def namespace(organization_id: str) -> str:
    """The organisation's namespace."""
    return f"org-{organization_id}"


class PineconeVectorIndex:
    """A Pinecone index's data plane, one namespace per organisation."""

    name = "pinecone"

    def __init__(self, *, api_key: str, host: str, timeout_s: float) -> None:
        from pinecone import Index

        self.timeout_s = timeout_s
        self.index = Index(host=host, api_key=api_key, timeout=timeout_s)

    def upsert(self, organization_id: str, items: Sequence[VectorItem]) -> None:
        for start in range(0, len(items), UPSERT_BATCH):
            vectors = [
                {"id": item.part_id, "values": item.vector.tolist(), "metadata": _metadata(item.metadata)}
                for item in items[start : start + UPSERT_BATCH]
            ]
            self.index.upsert(vectors=vectors, namespace=namespace(organization_id), show_progress=False)

    def delete(self, organization_id: str, part_ids: Sequence[str]) -> None:
        """Remove parts' vectors (ids the namespace does not hold are ignored)."""
        if part_ids:
            self.index.delete(ids=list(part_ids), namespace=namespace(organization_id))

    def query(
        self, organization_id: str, vector: Vectors, top_k: int, *, manufacturer: str | None = None
    ) -> list[VectorMatch]:
        response = self.index.query(
            vector=vector.reshape(-1).tolist(),
            top_k=top_k,
            namespace=namespace(organization_id),
            filter={"manufacturer": {"$eq": manufacturer}} if manufacturer else None,
            timeout=self.timeout_s,
        )
        return [VectorMatch(match.id, float(match.score)) for match in response.matches]

    def close(self) -> None:
        """Close the SDK's connection pool."""
        self.index.close()

    def count(self, organization_id: str) -> int:
        stats = self.index.describe_index_stats(timeout=self.timeout_s)
        summary = stats.namespaces.get(namespace(organization_id))
        return 0 if summary is None else int(summary.vector_count)


def _metadata(values: dict[str, Any]) -> dict[str, Any]:
    """Pinecone refuses null metadata values: leave them out."""
    return {k: v for k, v in values.items() if v is not None}
