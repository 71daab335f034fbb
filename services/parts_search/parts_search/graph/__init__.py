"""The parts graph the relationship agent walks: supersessions, alternates, assemblies, fitment.

Two stores answer the same questions with the same row shapes (:mod:`parts_search.graph.base`):
PostgreSQL recursive queries over the catalog tables (the embedded default) and Neo4j through
the official driver (production).
"""

from parts_search.graph.base import Alternate, Fitment, Graph, Model, Relation, Replacement

__all__ = ["Alternate", "Fitment", "Graph", "Model", "Relation", "Replacement"]
