"""The ``quote-extraction`` job: one stored message in, one verified QuoteRequest out."""

from __future__ import annotations

from typing import Any

from partsiq import runtime
from partsiq.jobs import JobContext, job
from partsiq.payloads import QuoteExtractionPayload
from quote_extraction import pipeline
from quote_extraction.extractors import build_extractor
from quote_extraction.metrics import FINDINGS, LLM_COST, LLM_TOKENS, QUOTES
from quote_extraction.settings import settings
from quote_extraction.store import load_document, load_message, save


@job("quote-extraction")
def extract_quote(context: JobContext, payload: QuoteExtractionPayload) -> dict[str, Any]:
    """Read the message, extract (retrying an unavailable model, then the rules if allowed), verify, store."""
    config = settings()
    database = runtime.current().database
    context.progress(10, "reading message")
    with database.session() as session:
        document = load_document(session, load_message(session, payload.organizationId, payload.emailMessageId))
    extractor = build_extractor(config)
    context.progress(30, f"extracting with {extractor.name}")
    last_attempt = context.attempt >= context.job_type.retry.max_attempts
    outcome = pipeline.run(document, extractor, fallback=last_attempt and config.quote_llm_fallback_to_rules)
    context.progress(80, f"verified: {outcome.status.value.lower()}, saving")
    with database.session() as session:
        message = load_message(session, payload.organizationId, payload.emailMessageId, lock=True)
        quote = save(session, message, document, outcome)
        quote_id = quote.id
    record_metrics(outcome)
    return {
        "quoteRequestId": quote_id,
        "status": outcome.status.value,
        "extractor": outcome.extractor,
        "items": len(outcome.quote.items),
        "total": None if outcome.quote.total is None else str(outcome.quote.total),
        "currency": outcome.quote.currency,
        "findings": [f.check for f in outcome.findings if f.severity != "info"],
        "usage": outcome.usage,
    }


def record_metrics(outcome: pipeline.Outcome) -> None:
    """Count the stored quote, its findings and the model's tokens."""
    QUOTES.labels(outcome.extractor.split(":")[0], outcome.status.value).inc()
    for finding in outcome.findings:
        FINDINGS.labels(finding.check, finding.severity).inc()
    LLM_TOKENS.labels("prompt").inc(outcome.usage.get("promptTokens", 0))
    LLM_TOKENS.labels("completion").inc(outcome.usage.get("completionTokens", 0))
    LLM_COST.inc(outcome.usage.get("costUsd", 0.0))
