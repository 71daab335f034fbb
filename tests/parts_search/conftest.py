"""parts-search fixtures: the sample catalog imported for an organisation (and a second organisation's)."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from parts_search.backends import Backends
from parts_search.catalog import import_catalog
from parts_search.graph.postgres import PostgresGraph
from parts_search.vectors import LocalEmbedder
from parts_search.vectors.local import LocalVectorIndex
from partsiq.db.models import Organization

SAMPLE = Path(__file__).resolve().parents[2] / "samples" / "catalog" / "parts.csv"
with SAMPLE.open() as _sample:
    ROWS = list(csv.DictReader(_sample))


#: One embedder for the whole run: the model loads once and the sample's texts are embedded once.
EMBEDDER = LocalEmbedder()
#: Seconds a parts-search test may take: the first one embeds the 4k-part sample on the CPU
#: (25-60 s on 2 cores, more when the machine is busy).
TIMEOUT = 600


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    here = Path(__file__).parent
    for item in items:
        if here in Path(item.fspath).parents:
            item.add_marker(pytest.mark.timeout(TIMEOUT))


@pytest.fixture
def backends(database) -> Backends:
    """The embedded defaults: the real local model, vectors in PostgreSQL, the graph in PostgreSQL."""
    return Backends(database, EMBEDDER, LocalVectorIndex(database, EMBEDDER.name), PostgresGraph(database))


@pytest.fixture
def catalog(database, organization, backends) -> str:
    """The sample catalog imported (and embedded) for ``organization``; returns the organisation id."""
    import_catalog(database, organization, SAMPLE, backends)
    return organization


@pytest.fixture
def other_org(database) -> str:
    """A second organisation with one part of its own."""
    with database.session() as session:
        session.add(Organization(id="org_other", name="Other"))
    return "org_other"


def superseded_row() -> dict[str, str]:
    """A sample part whose replacement was itself replaced (a chain of two)."""
    by_key = {f"{r['manufacturer']}:{r['part_number']}": r for r in ROWS}
    return next(r for r in ROWS if r["superseded_by"] and by_key[r["superseded_by"]]["superseded_by"])


def row_with(**conditions: str) -> dict[str, str]:
    """The first sample row whose columns equal ``conditions``."""
    return next(r for r in ROWS if all(r[k] == v for k, v in conditions.items()))
