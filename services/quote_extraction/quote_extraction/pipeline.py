"""Extract, fall back if allowed, verify: the same steps for the job and for ``partsiq quote extract``."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import Any

from partsiq.db.models import QuoteStatus
from quote_extraction.extractors import Extraction, ExtractionFailed, Extractor, ExtractorUnavailable, RulesExtractor
from quote_extraction.schema import ExtractedQuote
from quote_extraction.source import SourceDocument
from quote_extraction.verify import Finding, passed, verify

log = logging.getLogger("quote_extraction")


@dataclass
class Outcome:
    """What would be stored: the quote, its findings and status, and how it was made."""

    quote: ExtractedQuote
    findings: list[Finding]
    extractor: str
    usage: dict[str, Any] = field(default_factory=dict)

    @property
    def status(self) -> QuoteStatus:
        """PROCESSED only when verification found no error."""
        return QuoteStatus.PROCESSED if passed(self.findings) else QuoteStatus.NEEDS_REVIEW

    def as_json(self) -> dict[str, Any]:
        """The outcome as JSON (the CLI's ``--json`` output)."""
        return {
            "status": self.status.value,
            "extractor": self.extractor,
            "quote": self.quote.model_dump(mode="json"),
            "findings": [f.as_json() for f in self.findings],
            "usage": self.usage,
        }


def run(document: SourceDocument, extractor: Extractor, *, fallback: bool = False) -> Outcome:
    """Extract with ``extractor``, verify against the document.

    An unavailable extractor raises :class:`ExtractorUnavailable` (the job retries) unless
    ``fallback`` allows the rules to step in; an extractor that produced nothing usable is
    recorded as a finding, with the rules' result when ``fallback`` allows.
    """
    notes: list[Finding] = [
        Finding("source_defect", "warning", f"{d['part']}: {d['reason']}") for d in document.defects
    ]
    try:
        extraction = extractor.extract(document)
    except ExtractorUnavailable as error:
        if not fallback or isinstance(extractor, RulesExtractor):
            raise
        log.warning("%s; falling back to the rules", error)
        notes.append(Finding("extractor_fallback", "warning", f"{error}; extracted with the rules instead"))
        extraction = RulesExtractor().extract(document)
    except ExtractionFailed as error:
        notes.append(Finding("extraction_failed", "error", str(error)))
        if fallback and not isinstance(extractor, RulesExtractor):
            extraction = RulesExtractor().extract(document)
            notes.append(Finding("extractor_fallback", "warning", "extracted with the rules instead"))
        else:
            extraction = Extraction(quote=ExtractedQuote(), extractor=extractor.name)
    notes += [Finding("extractor_note", "info", note) for note in extraction.notes]
    findings = verify(extraction.quote, document.text) + notes
    return Outcome(quote=extraction.quote, findings=findings, extractor=extraction.extractor, usage=extraction.usage)
