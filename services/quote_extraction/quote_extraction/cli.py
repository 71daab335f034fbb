"""``partsiq quote extract FILE``: what would be stored for a file, with its findings, without a database."""

from __future__ import annotations

import json
from pathlib import Path

import click

from quote_extraction import pipeline
from quote_extraction.extractors import build_extractor
from quote_extraction.settings import settings
from quote_extraction.source import SourceDocument, from_eml, from_pdf, from_text


@click.group("quote")
def command() -> None:
    """Quote extraction tools (support and evaluation)."""


@command.command("extract")
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--extractor", type=click.Choice(["rules", "llm"]), default=None, help="Default: QUOTE_EXTRACTOR.")
@click.option("--json", "as_json", is_flag=True, help="Print the outcome as JSON.")
def extract(path: Path, extractor: str | None, as_json: bool) -> None:
    """Extract the quote in an .eml, .pdf or text FILE and verify it; nothing is stored."""
    config = settings()
    outcome = pipeline.run(read(path), build_extractor(config, extractor), fallback=config.quote_llm_fallback_to_rules)
    if as_json:
        click.echo(json.dumps(outcome.as_json(), indent=2, ensure_ascii=False))
        return
    q = outcome.quote
    click.echo(f"status     {outcome.status.value} (extractor {outcome.extractor})")
    for name in ("quote_number", "quote_date", "valid_until", "currency", "subtotal", "discount", "tax", "shipping",
                 "total", "payment_terms", "shipping_method", "lead_time"):  # fmt: skip
        value = getattr(q, name)
        if value is not None:
            click.echo(f"{name:<16}{value}")
    for item in q.items:
        click.echo(
            f"  {item.line_number:>3}  {item.part_number or '-':<20} {(item.description or '')[:40]:<40} "
            f"{item.quantity} {item.unit or ''} x {item.unit_price} = {item.line_total}"
        )
    for finding in outcome.findings:
        click.echo(f"{finding.severity:<8}{finding.check}: {finding.message}")


def read(path: Path) -> SourceDocument:
    """A document from a file, by its extension (``.eml``, ``.pdf``, anything else as text)."""
    data = path.read_bytes()
    suffix = path.suffix.lower()
    if suffix == ".eml":
        return from_eml(data)
    if suffix == ".pdf":
        return from_pdf(data, path.name)
    return from_text(data.decode("utf-8", "replace"))
