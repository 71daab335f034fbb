"""Vectors for the semantic agent: embedding providers, indexes (local or Pinecone), and their sync with the catalog."""

from parts_search.vectors.embedders import Embedder, EmbeddingUnavailable, LiteLLMEmbedder, LocalEmbedder
from parts_search.vectors.index import VectorIndex, VectorItem, VectorMatch, part_text
from parts_search.vectors.sync import IndexReport, index_parts

__all__ = [
    "Embedder",
    "EmbeddingUnavailable",
    "IndexReport",
    "LiteLLMEmbedder",
    "LocalEmbedder",
    "VectorIndex",
    "VectorItem",
    "VectorMatch",
    "index_parts",
    "part_text",
]
