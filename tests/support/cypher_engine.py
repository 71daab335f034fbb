"""A real Cypher engine in process (ladybug, a Kuzu fork) that runs the statements the Neo4j store ships.

Neo4j needs no schema; ladybug needs its tables declared, so :data:`SCHEMA` declares the graph
model the Neo4j store writes. Everything else — the reads and the ``MERGE`` writes of
:mod:`parts_search.graph.cypher` — is executed exactly as written.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from tempfile import TemporaryDirectory
from typing import Any

import ladybug

SCHEMA = (
    "CREATE NODE TABLE Part(id STRING PRIMARY KEY, org STRING, pn STRING, pn_norm STRING, manufacturer STRING, "
    "name STRING, description STRING, category STRING)",
    "CREATE NODE TABLE EquipmentModel(id STRING PRIMARY KEY, org STRING, make STRING, model STRING, model_norm STRING)",
    "CREATE REL TABLE SUPERSEDED_BY(FROM Part TO Part, since STRING)",
    "CREATE REL TABLE ALTERNATE_OF(FROM Part TO Part)",
    "CREATE REL TABLE COMPONENT_OF(FROM Part TO Part, quantity INT64)",
    "CREATE REL TABLE FITS(FROM Part TO EquipmentModel)",
)


class CypherEngine:
    """A :class:`~parts_search.graph.neo4j.CypherRunner` on an embedded database; records every statement."""

    def __init__(self, path: Path) -> None:
        self.database = ladybug.Database(str(path))
        self.connection = ladybug.Connection(self.database)
        self.statements: list[tuple[str, dict[str, Any]]] = []
        for statement in SCHEMA:
            self.connection.execute(statement)

    def __call__(self, statement: str, parameters: dict[str, Any], *, write: bool = False) -> list[dict[str, Any]]:
        self.statements.append((statement, parameters))
        result = self.connection.execute(statement, parameters)
        assert not isinstance(result, list)
        columns = result.get_column_names()
        rows = []
        while result.has_next():
            rows.append(dict(zip(columns, result.get_next(), strict=True)))
        return rows

    def close(self) -> None:
        self.connection.close()
        self.database.close()


@contextmanager
def cypher_engine() -> Iterator[CypherEngine]:
    """A fresh, empty graph database for the block."""
    with TemporaryDirectory() as directory:
        engine = CypherEngine(Path(directory) / "graph")
        try:
            yield engine
        finally:
            engine.close()
