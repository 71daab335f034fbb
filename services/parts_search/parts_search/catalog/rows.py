"""The catalog file format: CSV or JSON, one part per row, relationships by part number.

Columns (CSV) or keys (JSON objects):

| column | required | meaning |
|---|---|---|
| ``part_number`` | yes | as the manufacturer writes it (``1R-0750``) |
| ``manufacturer`` | no | ``CAT``, ``Donaldson``... (part numbers are unique per manufacturer) |
| ``name`` | yes | short name |
| ``description``, ``category`` | no | free text; category e.g. ``Filters/Fuel`` |
| ``price``, ``currency`` | no | decimal and ISO 4217 code (both or neither) |
| ``stock``, ``lead_time_days`` | no | integers >= 0 |
| ``attributes`` | no | JSON object, or ``key=value;key=value`` in CSV |
| ``superseded_by`` | no | the part number that replaces this one; ``superseded_since`` its date (ISO) |
| ``alternates`` | no | interchangeable part numbers, ``;``-separated in CSV, a list in JSON |
| ``component_of`` | no | the assembly's part number; ``component_qty`` how many (default 1) |
| ``fits`` | no | equipment models, ``Make Model`` (``CAT 320D``), ``;``-separated in CSV, a list in JSON |

A referenced part number may carry its manufacturer (``CAT:1R-0750``) when it is ambiguous.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Iterator
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from partsiq.part_numbers import normalize

LIST_FIELDS = ("alternates", "fits")


class CatalogRow(BaseModel):
    """One validated catalog row."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    part_number: str = Field(min_length=1, max_length=64)
    manufacturer: str = Field("", max_length=64)
    name: str = Field(min_length=1, max_length=300)
    description: str | None = Field(None, max_length=5000)
    category: str | None = Field(None, max_length=200)
    price: Decimal | None = Field(None, ge=0)
    currency: str | None = None
    stock: int | None = Field(None, ge=0)
    lead_time_days: int | None = Field(None, ge=0)
    attributes: dict[str, Any] = Field(default_factory=dict)
    superseded_by: str | None = None
    superseded_since: date | None = None
    alternates: list[str] = Field(default_factory=list)
    component_of: str | None = None
    component_qty: int = Field(1, ge=1)
    fits: list[str] = Field(default_factory=list)

    @field_validator("part_number")
    @classmethod
    def _has_letters_or_digits(cls, value: str) -> str:
        if not normalize(value):
            raise ValueError("has no letters or digits")
        return value

    @field_validator("currency")
    @classmethod
    def _iso(cls, value: str | None) -> str | None:
        if value in (None, ""):
            return None
        if len(value) != 3 or not value.isalpha():
            raise ValueError(f"{value!r} is not an ISO 4217 code")
        return value.upper()

    @field_validator("fits")
    @classmethod
    def _make_and_model(cls, value: list[str]) -> list[str]:
        for fit in value:
            if len(fit.split(None, 1)) != 2:
                raise ValueError(f"{fit!r} is not 'Make Model'")
        return value

    @model_validator(mode="after")
    def _price_needs_currency(self) -> CatalogRow:
        if self.price is not None and self.currency is None:
            raise ValueError("price without currency")
        if self.superseded_by and normalize(self.superseded_by.rpartition(":")[2]) == self.normalized:
            raise ValueError("a part cannot supersede itself")
        return self

    @property
    def normalized(self) -> str:
        """The normalised part number."""
        return normalize(self.part_number)


def read_rows(path: Path) -> Iterator[tuple[int, dict[str, Any]]]:
    """``(line or index, raw row)`` from a CSV (line numbers, header = 1) or JSON list (1-based index)."""
    if path.suffix.lower() == ".json":
        data = json.loads(path.read_text())
        if not isinstance(data, list):
            raise ValueError(f"{path}: a JSON catalog is a list of objects")
        yield from ((n, row if isinstance(row, dict) else {"_not_an_object": row}) for n, row in enumerate(data, 1))
        return
    with path.open(newline="", encoding="utf-8-sig") as f:
        reader = csv.DictReader(f)
        for row in reader:
            yield reader.line_num, _from_csv(row)


def _from_csv(row: dict[str | None, Any]) -> dict[str, Any]:
    clean: dict[str, Any] = {k.strip(): (v.strip() if isinstance(v, str) else v) for k, v in row.items() if k}
    if None in row:  # more cells than headers: refused by the model (extra keys are forbidden)
        clean["_extra_cells"] = row[None]
    clean = {k: v for k, v in clean.items() if v not in ("", None)}
    for name in LIST_FIELDS:
        if name in clean:
            clean[name] = [v.strip() for v in str(clean[name]).split(";") if v.strip()]
    if isinstance(clean.get("attributes"), str):
        text = clean["attributes"]
        try:
            clean["attributes"] = json.loads(text) if text.startswith("{") else dict(
                pair.split("=", 1) for pair in text.split(";") if pair.strip()
            )  # fmt: skip
        except ValueError:
            clean["attributes"] = {"_unparsed": text}
    return clean


def validate(raw: dict[str, Any]) -> CatalogRow | str:
    """The row, or a one-line reason it was refused."""
    try:
        return CatalogRow.model_validate(raw)
    except ValidationError as error:
        return "; ".join(
            f"{'.'.join(str(p) for p in e['loc']) or 'row'}: {e['msg'].removeprefix('Value error, ')}"
            for e in error.errors()
        )
