"""The extractor interface: a source document in, an extracted quote (and what it cost) out."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Protocol

from quote_extraction.schema import ExtractedQuote
from quote_extraction.source import SourceDocument


class ExtractorUnavailable(Exception):
    """The extractor's backend is down or timed out (retry later, or fall back)."""


class ExtractionFailed(Exception):
    """The extractor ran but produced nothing usable (recorded, not retried)."""


@dataclass
class Extraction:
    """An extracted quote, the extractor that made it, and its token usage and cost."""

    quote: ExtractedQuote
    extractor: str
    usage: dict[str, Any] = field(default_factory=dict)
    #: What happened on the way (a repair, a fallback), kept with the quote's findings.
    notes: list[str] = field(default_factory=list)


class Extractor(Protocol):
    """Turns a document into a quote. ``name`` is stored on the QuoteRequest row."""

    name: str

    def extract(self, document: SourceDocument) -> Extraction:
        """Extract; raise :class:`ExtractorUnavailable` (retryable) or :class:`ExtractionFailed`."""
        ...
