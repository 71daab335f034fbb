"""The embedded vector index: vectors in PostgreSQL (``PartEmbedding``), searched exactly in process.

Each worker keeps one matrix per organisation (at most ``organizations`` of them, 8 by default,
least recently used dropped; 100k parts take ~150 MB) and reloads it when the organisation's
newest ``PartEmbedding.updatedAt`` changes (checked at most every :data:`REFRESH_S` with an
index-only lookup of 0.2 ms; a ``count(*)`` as well cost 100 ms at 100k rows). Reloading 100k
vectors takes about a second. Vectors of deleted parts stay in the matrix until the next
change, and are never shown: the answer only describes parts that exist. A booting worker
preloads the matrices of the organisations whose embeddings changed last (as many as it
keeps), so their first search does not wait for a load.

Exact search over 100k x 384 float32 is a matrix-vector product of 10-15 ms: no approximate
index needed at catalog sizes, and recall is 1. It runs on one BLAS thread: OpenBLAS's threads
spin after each call and starved the embedding model's threads of the next query (measured at
100k parts: semantic agent p95 129 ms with BLAS threads, 38 ms with one).
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
from sqlalchemy import text
from threadpoolctl import ThreadpoolController

from parts_search.vectors.embedders import Vectors
from parts_search.vectors.index import VectorItem, VectorMatch
from partsiq.db import Database

#: Organisations whose matrices a worker keeps in memory by default (100k parts = ~150 MB each).
ORGANIZATIONS = 8
#: Seconds between checks that an organisation's embeddings are unchanged.
REFRESH_S = 1.0
#: Limits BLAS to one thread around the search (see the module docstring).
_THREADS = ThreadpoolController()

_VERSION = text('SELECT max("updatedAt") FROM "PartEmbedding" WHERE "organizationId" = :org')
_LOAD = text(
    'SELECT e."partId", e.vector, p.manufacturer FROM "PartEmbedding" e JOIN "Part" p ON p.id = e."partId" '
    'WHERE e."organizationId" = :org AND e.model = :model ORDER BY e."partId"'
)
_RECENT = text(
    'SELECT "organizationId" FROM "PartEmbedding" WHERE model = :model '
    'GROUP BY "organizationId" ORDER BY max("updatedAt") DESC LIMIT :limit'
)
_COUNT = text('SELECT count(*) FROM "PartEmbedding" WHERE "organizationId" = :org AND model = :model')


@dataclass
class _Snapshot:
    version: object
    ids: list[str]
    matrix: Vectors
    manufacturers: npt.NDArray[np.str_]
    checked: float


class LocalVectorIndex:
    """Exact cosine search over the organisation's ``PartEmbedding`` rows of one model."""

    name = "local"

    def __init__(self, database: Database, model: str, *, organizations: int = ORGANIZATIONS) -> None:
        self.database = database
        self.model = model
        self.organizations = organizations
        self._snapshots: OrderedDict[str, _Snapshot] = OrderedDict()
        self._lock = threading.Lock()
        self._loading: dict[str, threading.Lock] = {}

    def upsert(self, organization_id: str, items: Sequence[VectorItem]) -> None:
        """Nothing to send: the vectors are the ``PartEmbedding`` rows. This process's matrix is dropped."""
        with self._lock:
            self._snapshots.pop(organization_id, None)

    def preload(self) -> list[str]:
        """Load the matrices of the organisations whose embeddings changed last (a worker's boot)."""
        with self.database.engine.connect() as conn:
            organizations = list(conn.execute(_RECENT, {"model": self.model, "limit": self.organizations}).scalars())
        for organization_id in organizations:
            self._snapshot(organization_id)
        return organizations

    def count(self, organization_id: str) -> int:
        with self.database.engine.connect() as conn:
            return int(conn.execute(_COUNT, {"org": organization_id, "model": self.model}).scalar_one())

    def query(
        self, organization_id: str, vector: Vectors, top_k: int, *, manufacturer: str | None = None
    ) -> list[VectorMatch]:
        snapshot = self._snapshot(organization_id)
        if not snapshot.ids:
            return []
        with _THREADS.limit(limits=1, user_api="blas"):
            scores = snapshot.matrix @ vector.astype(np.float32).reshape(-1)
        if manufacturer is not None:
            scores = np.where(snapshot.manufacturers == manufacturer, scores, -np.inf)
        k = min(top_k, len(scores))
        best = np.argpartition(-scores, k - 1)[:k]
        best = best[np.argsort(-scores[best])]
        return [VectorMatch(snapshot.ids[i], float(scores[i])) for i in best if np.isfinite(scores[i])]

    def _snapshot(self, organization_id: str) -> _Snapshot:
        now = time.monotonic()
        with self._lock:
            current = self._snapshots.get(organization_id)
            if current is not None:
                self._snapshots.move_to_end(organization_id)
                if now - current.checked < REFRESH_S:
                    return current
            loading = self._loading.setdefault(organization_id, threading.Lock())
        with loading:  # one load per organisation at a time; others wait for it
            with self._lock:
                current = self._snapshots.get(organization_id)
                if current is not None and time.monotonic() - current.checked < REFRESH_S:
                    return current
            with self.database.engine.connect() as conn:
                params = {"org": organization_id, "model": self.model}
                version = conn.execute(_VERSION, params).scalar()
                if current is not None and current.version == version:
                    current.checked = time.monotonic()
                    return current
                rows = conn.execute(_LOAD, params).all()
            snapshot = _Snapshot(
                version=version,
                ids=[r[0] for r in rows],
                matrix=_matrix([r[1] for r in rows]),
                manufacturers=np.array([r[2] for r in rows], dtype=str),
                checked=time.monotonic(),
            )
            with self._lock:
                self._snapshots[organization_id] = snapshot
                self._snapshots.move_to_end(organization_id)
                while len(self._snapshots) > self.organizations:
                    self._snapshots.popitem(last=False)
            return snapshot


def _matrix(blobs: list[bytes]) -> Vectors:
    if not blobs:
        return np.zeros((0, 0), dtype=np.float32)
    return np.frombuffer(b"".join(blobs), dtype="<f4").reshape(len(blobs), -1)
