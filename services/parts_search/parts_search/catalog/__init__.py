"""The parts catalog: its file format (:mod:`.rows`) and its import (:mod:`.importer`)."""

from parts_search.catalog.importer import ImportReport, import_catalog
from parts_search.catalog.rows import CatalogRow, read_rows

__all__ = ["CatalogRow", "ImportReport", "import_catalog", "read_rows"]
