"""Keep an organisation's vectors in step with its catalog: embed what changed, send it to the index.

A part is (re-)embedded when its text (:func:`part_text`) or the embedding model changed since
its ``PartEmbedding`` row was written, so re-importing an unchanged catalog embeds nothing.
Each batch goes to the index first and is recorded in ``PartEmbedding`` after: if the index
refuses, the batch is not recorded and the next import sends it again.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass
from typing import cast

import numpy as np
from sqlalchemy import Table, func, select
from sqlalchemy.dialects.postgresql import insert

from parts_search.vectors.embedders import Embedder
from parts_search.vectors.index import VectorIndex, VectorItem, part_text
from partsiq.db import Database
from partsiq.db.models import Part, PartEmbedding

EMBEDDINGS = cast(Table, PartEmbedding.__table__)
#: Parts embedded, sent and recorded together.
BATCH = 512


@dataclass
class IndexReport:
    """What a sync did."""

    embedded: int = 0
    unchanged: int = 0
    #: Vectors sent to the index: ``embedded``, plus the unchanged ones with ``resend=True``.
    sent: int = 0


def index_parts(
    database: Database,
    organization_id: str,
    embedder: Embedder,
    index: VectorIndex,
    *,
    resend: bool = False,
    progress: Callable[[int, int], None] | None = None,
) -> IndexReport:
    """Embed the organisation's new or changed parts and send them to ``index``.

    ``resend`` also sends unchanged parts' stored vectors (an emptied or new remote index) without
    embedding them again. ``progress(done, total)`` is called after each batch.
    """
    report = IndexReport()
    with database.session() as session:
        rows = session.execute(
            select(
                Part.id,
                Part.manufacturer,
                Part.name,
                Part.description,
                Part.category,
                PartEmbedding.text_hash,
                PartEmbedding.model,
            )
            .outerjoin(PartEmbedding, PartEmbedding.part_id == Part.id)
            .where(Part.organization_id == organization_id)
            .order_by(Part.id)
        ).all()
    stale: list[tuple[str, str, str, dict[str, str | None]]] = []
    fresh: list[str] = []
    for part_id, manufacturer, name, description, category, stored_hash, model in rows:
        document = part_text(manufacturer, name, description, category)
        digest = hashlib.md5(document.encode(), usedforsecurity=False).hexdigest()
        if stored_hash == digest and model == embedder.name:
            fresh.append(part_id)
            continue
        stale.append((part_id, document, digest, {"manufacturer": manufacturer, "category": category}))
    report.unchanged = len(fresh)
    for start in range(0, len(stale), BATCH):
        batch = stale[start : start + BATCH]
        vectors = embedder.embed([document for _, document, _, _ in batch])
        items = [VectorItem(pid, v, meta) for (pid, _, _, meta), v in zip(batch, vectors, strict=True)]
        index.upsert(organization_id, items)
        with database.session() as session:
            statement = insert(EMBEDDINGS).values(
                [
                    {
                        "partId": pid,
                        "organizationId": organization_id,
                        "model": embedder.name,
                        "textHash": digest,
                        "vector": np.ascontiguousarray(v, dtype="<f4").tobytes(),
                    }
                    for (pid, _, digest, _), v in zip(batch, vectors, strict=True)
                ]
            )
            session.execute(
                statement.on_conflict_do_update(
                    index_elements=["partId"],
                    set_={
                        "model": statement.excluded.model,
                        "textHash": statement.excluded.textHash,
                        "vector": statement.excluded.vector,
                        "updatedAt": func.now(),
                    },
                )
            )
        report.embedded += len(batch)
        report.sent += len(batch)
        if progress:
            progress(report.embedded, len(stale))
    if resend and fresh:
        report.sent += _resend(database, organization_id, index, embedder.name, set(fresh))
    return report


def _resend(database: Database, organization_id: str, index: VectorIndex, model: str, part_ids: set[str]) -> int:
    """Send the stored vectors of these parts to ``index`` again."""
    with database.session() as session:
        rows = session.execute(
            select(PartEmbedding.part_id, PartEmbedding.vector, Part.manufacturer, Part.category)
            .join(Part, Part.id == PartEmbedding.part_id)
            .where(PartEmbedding.organization_id == organization_id, PartEmbedding.model == model)
        ).all()
    items = [
        VectorItem(pid, np.frombuffer(blob, dtype="<f4"), {"manufacturer": maker, "category": category})
        for pid, blob, maker, category in rows
        if pid in part_ids
    ]
    for start in range(0, len(items), BATCH):
        index.upsert(organization_id, items[start : start + BATCH])
    return len(items)
