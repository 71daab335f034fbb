"""Import a catalog file: bad rows reported by line and skipped, good rows upserted, re-imports change nothing.

Parts are keyed by organisation, manufacturer and normalised part number. Relationships and
fitments are added or updated (never removed by a later file that omits them). A reference to a
part number not in the catalog is reported on its row; the part itself is still imported.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

from sqlalchemy import Table, func, select, tuple_
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.orm import Session

from parts_search.catalog.rows import CatalogRow, read_rows, validate
from partsiq.db import Database
from partsiq.db.models import EquipmentModel, Organization, Part, PartFitment, PartRelation, PartRelationship
from partsiq.errors import UnknownOrganization
from partsiq.ids import new_id
from partsiq.part_numbers import normalize

if TYPE_CHECKING:
    from parts_search.backends import Backends

PARTS = cast(Table, Part.__table__)
RELATIONSHIPS = cast(Table, PartRelationship.__table__)
MODELS = cast(Table, EquipmentModel.__table__)
FITMENTS = cast(Table, PartFitment.__table__)

#: Rows per INSERT statement.
BATCH = 1000

#: Columns a re-import may change.
PART_COLUMNS = (
    "partNumber",
    "name",
    "description",
    "category",
    "attributes",
    "price",
    "currency",
    "stock",
    "leadTimeDays",
)


@dataclass
class ImportReport:
    """What an import did, and every row it refused with the reason."""

    rows: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    relationships: int = 0
    fitments: int = 0
    errors: list[tuple[int, str]] = field(default_factory=list)
    #: What :meth:`Backends.sync` did: parts embedded, vectors sent, graph nodes and edges merged.
    index: dict[str, Any] = field(default_factory=dict)


def import_catalog(
    database: Database,
    organization_id: str,
    path: Path,
    backends: Backends | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> ImportReport:
    """Validate ``path``'s rows and upsert the good ones into the organisation's catalog.

    With ``backends``, the vector index (and a Neo4j graph) are then brought in step: parts whose
    text changed are embedded again, the rest are left alone.
    """
    report = ImportReport()
    good: list[tuple[int, CatalogRow]] = []
    seen: dict[tuple[str, str], int] = {}
    for line, raw in read_rows(path):
        report.rows += 1
        row = validate(raw)
        if isinstance(row, str):
            report.errors.append((line, row))
            continue
        key = (row.manufacturer, row.normalized)
        if key in seen:
            report.errors.append((line, f"duplicate of line {seen[key]} ({row.manufacturer} {row.part_number})"))
            continue
        seen[key] = line
        good.append((line, row))
    with database.session() as session:
        if session.get(Organization, organization_id) is None:
            raise UnknownOrganization(f"organization {organization_id!r} does not exist")
        _upsert_parts(session, organization_id, [row for _, row in good], report)
        ids = _part_ids(session, organization_id)
        _relate_all(session, organization_id, ids, good, report)
    report.errors.sort()
    if backends is not None:
        report.index = backends.sync(organization_id, progress=progress)
    return report


def _upsert_parts(session: Session, organization_id: str, rows: list[CatalogRow], report: ImportReport) -> None:
    for start in range(0, len(rows), BATCH):
        values = [
            {
                "id": new_id(),
                "organizationId": organization_id,
                "partNumber": r.part_number,
                "normalizedPartNumber": r.normalized,
                "manufacturer": r.manufacturer,
                "name": r.name,
                "description": r.description,
                "category": r.category,
                "attributes": r.attributes,
                "price": r.price,
                "currency": r.currency,
                "stock": r.stock,
                "leadTimeDays": r.lead_time_days,
            }
            for r in rows[start : start + BATCH]
        ]
        table = PARTS
        statement = insert(table).values(values)
        changed = tuple_(*(table.c[c] for c in PART_COLUMNS)).is_distinct_from(
            tuple_(*(statement.excluded[c] for c in PART_COLUMNS))
        )
        upsert = statement.on_conflict_do_update(
            index_elements=["organizationId", "manufacturer", "normalizedPartNumber"],
            set_={**{c: statement.excluded[c] for c in PART_COLUMNS}, "updatedAt": func.now()},
            where=changed,
        ).returning(table.c.createdAt == table.c.updatedAt)
        written = session.execute(upsert).scalars().all()
        report.created += sum(1 for new in written if new)
        report.updated += sum(1 for new in written if not new)
        report.unchanged += len(values) - len(written)


def _part_ids(session: Session, organization_id: str) -> dict[str, list[tuple[str, str]]]:
    """Normalised number -> [(manufacturer, id)] of the organisation's parts."""
    ids: dict[str, list[tuple[str, str]]] = {}
    rows = session.execute(
        select(Part.normalized_part_number, Part.manufacturer, Part.id).where(Part.organization_id == organization_id)
    )
    for number, manufacturer, part_id in rows:
        ids.setdefault(number, []).append((manufacturer, part_id))
    return ids


def _resolve(ids: dict[str, list[tuple[str, str]]], reference: str, own_manufacturer: str) -> str:
    """The id a reference names (``PN`` or ``MANUFACTURER:PN``); ``ValueError`` says why not."""
    manufacturer, _, number = reference.rpartition(":")
    candidates = ids.get(normalize(number), [])
    if manufacturer:
        candidates = [c for c in candidates if c[0].lower() == manufacturer.lower()]
    if len(candidates) > 1:
        candidates = [c for c in candidates if c[0] == own_manufacturer] or candidates
    if not candidates:
        raise ValueError(f"{reference!r} is not in the catalog")
    if len(candidates) > 1:
        makers = ", ".join(sorted(c[0] for c in candidates))
        raise ValueError(f"{reference!r} is ambiguous ({makers}): write it as MANUFACTURER:{number}")
    return candidates[0][1]


def _relate_all(
    session: Session,
    organization_id: str,
    ids: dict[str, list[tuple[str, str]]],
    rows: list[tuple[int, CatalogRow]],
    report: ImportReport,
) -> None:
    """Resolve every row's references, then write relationships, models and fitments in batches."""
    links: dict[tuple[str, str, str], dict[str, Any]] = {}
    fits: set[tuple[str, str, str]] = set()
    for line, row in rows:
        own = _resolve(ids, f"{row.manufacturer}:{row.part_number}", row.manufacturer)
        wanted: list[tuple[str, str, PartRelation, dict[str, Any]]] = []
        if row.superseded_by:
            wanted.append(
                ("superseded_by", row.superseded_by, PartRelation.SUPERSEDED_BY, {"since": row.superseded_since})
            )
        wanted += [("alternates", alt, PartRelation.ALTERNATE_OF, {}) for alt in row.alternates]
        if row.component_of:
            wanted.append(
                ("component_of", row.component_of, PartRelation.COMPONENT_OF, {"quantity": row.component_qty})
            )
        for column, reference, relation, extra in wanted:
            try:
                other = _resolve(ids, reference, row.manufacturer)
            except ValueError as error:
                report.errors.append((line, f"{column}: {error}"))
                continue
            if other == own:
                report.errors.append((line, f"{column}: a part cannot relate to itself"))
                continue
            links[(own, other, relation.value)] = {"since": None, "quantity": None, **extra}
        fits.update((own, *fit.split(None, 1)) for fit in row.fits)  # type: ignore[misc]
    report.relationships = len(links)
    report.fitments = len(fits)
    values = [
        {"id": new_id(), "organizationId": organization_id, "fromPartId": a, "toPartId": b, "type": t, **extra}
        for (a, b, t), extra in links.items()
    ]
    for start in range(0, len(values), BATCH):
        statement = insert(RELATIONSHIPS).values(values[start : start + BATCH])
        session.execute(
            statement.on_conflict_do_update(
                index_elements=["fromPartId", "toPartId", "type"],
                set_={"since": statement.excluded.since, "quantity": statement.excluded.quantity},
            )
        )
    models = sorted({(make, model) for _, make, model in fits})
    model_ids: dict[tuple[str, str], str] = {}
    for start in range(0, len(models), BATCH):
        chunk = models[start : start + BATCH]
        statement = insert(MODELS).values(
            [{"id": new_id(), "organizationId": organization_id, "make": m, "model": n} for m, n in chunk]
        )
        returned = session.execute(
            statement.on_conflict_do_update(
                index_elements=["organizationId", "make", "model"], set_={"make": statement.excluded.make}
            ).returning(MODELS.c.make, MODELS.c.model, MODELS.c.id)
        )
        model_ids.update({(make, model): model_id for make, model, model_id in returned})
    fitments = [
        {"id": new_id(), "organizationId": organization_id, "partId": part, "equipmentModelId": model_ids[(m, n)]}
        for part, m, n in sorted(fits)
    ]
    for start in range(0, len(fitments), BATCH):
        session.execute(insert(FITMENTS).values(fitments[start : start + BATCH]).on_conflict_do_nothing())
