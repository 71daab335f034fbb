"""What an extractor returns: the quote and its lines, as validated data (also the LLM's response schema)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from partsiq.part_numbers import normalize


class ExtractedItem(BaseModel):
    """One line of a quote, as written in the source."""

    model_config = ConfigDict(extra="forbid")

    line_number: int = Field(ge=1, description="1-based position of the line in the quote")
    part_number: str | None = Field(None, max_length=64, description="the supplier's part number, as written")
    description: str | None = Field(None, max_length=500)
    quantity: Decimal | None = Field(None, ge=0)
    unit: str | None = Field(None, max_length=20, description="unit of measure as written (EA, pcs, kg...)")
    unit_price: Decimal | None = None
    line_total: Decimal | None = None

    @property
    def normalized_part_number(self) -> str | None:
        """The part number compared with the catalog and the source."""
        return normalize(self.part_number) or None if self.part_number else None


class ExtractedQuote(BaseModel):
    """A supplier's quote: header fields, totals and lines. Amounts are in ``currency``."""

    model_config = ConfigDict(extra="forbid")

    quote_number: str | None = Field(None, max_length=64)
    quote_date: date | None = None
    valid_until: date | None = None
    currency: str | None = Field(None, description="ISO 4217 code, e.g. USD, EUR")
    subtotal: Decimal | None = None
    discount: Decimal | None = Field(None, ge=0, description="quote-level discount, as a positive amount")
    tax: Decimal | None = None
    shipping: Decimal | None = None
    total: Decimal | None = None
    payment_terms: str | None = Field(None, max_length=200)
    shipping_method: str | None = Field(None, max_length=200)
    lead_time: str | None = Field(None, max_length=200)
    notes: str | None = Field(None, max_length=2000)
    items: list[ExtractedItem] = Field(default_factory=list, max_length=500)

    @field_validator("currency")
    @classmethod
    def _iso_code(cls, value: str | None) -> str | None:
        if value is None:
            return None
        code = value.strip().upper()
        if len(code) != 3 or not code.isalpha():
            raise ValueError(f"currency must be an ISO 4217 code, not {value!r}")
        return code
