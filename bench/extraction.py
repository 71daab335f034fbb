"""Extraction accuracy: field-level precision/recall on real invoices and the labelled quote set.

    python -m bench.extraction            # the rule-based extractor
    BENCH_LLM=1 QUOTE_LLM_MODEL=... python -m bench.extraction   # and the LLM extractor

Datasets: ``bench/corpora/invoice2data`` (7 PDFs + 1 text invoice, invoice2data's expected JSON
mapped to our fields) and ``bench/quotes`` (24 labelled quote messages). A line item matches
when quantity and unit price agree within 0.01 (where the label states them) and the
normalised code or name overlaps by at least half; invoice2data's note and section-header rows
are not items. Also reported: how many quotes verification passed, and how many of those have a
wrong total (must be 0).
"""

from __future__ import annotations

import json
import os
import re
import time
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

from partsiq.part_numbers import normalize
from quote_extraction import pipeline
from quote_extraction.extractors import Extractor, RulesExtractor, build_extractor
from quote_extraction.settings import QuoteExtractionSettings
from quote_extraction.source import SourceDocument, from_eml, from_pdf, from_text

HERE = Path(__file__).parent
HEADER_FIELDS = ("quote_number", "quote_date", "currency", "subtotal", "tax", "shipping", "total")
CENT = Decimal("0.01")


@dataclass
class Case:
    name: str
    document: SourceDocument
    header: dict[str, Any]
    #: None when the label does not list line items (then items are not scored).
    items: list[dict[str, Any]] | None


@dataclass
class Score:
    labelled: int = 0
    extracted: int = 0
    correct: int = 0

    def add(self, labelled: int, extracted: int, correct: int) -> None:
        self.labelled += labelled
        self.extracted += extracted
        self.correct += correct

    @property
    def precision(self) -> float:
        return self.correct / self.extracted if self.extracted else 0.0

    @property
    def recall(self) -> float:
        return self.correct / self.labelled if self.labelled else 0.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0


@dataclass
class Report:
    fields: dict[str, Score] = field(default_factory=lambda: {f: Score() for f in HEADER_FIELDS})
    items: Score = field(default_factory=Score)
    total_and_currency: int = 0
    documents: int = 0
    processed: int = 0
    processed_wrong_total: int = 0
    seconds: float = 0.0


def invoice_cases() -> list[Case]:
    cases = []
    folder = HERE / "corpora" / "invoice2data"
    for label_path in sorted(folder.glob("*.json")):
        label = json.loads(label_path.read_text())[0]
        pdf, txt = label_path.with_suffix(".pdf"), label_path.with_suffix(".txt")
        document = from_pdf(pdf.read_bytes(), pdf.name) if pdf.exists() else from_text(txt.read_text())
        header = {
            "quote_number": label.get("invoice_number"),
            "quote_date": label.get("date"),
            "currency": label.get("currency"),
            "subtotal": label.get("amount_untaxed"),
            "tax": label.get("amount_tax"),
            "total": label.get("amount"),
        }
        items = None
        if "lines" in label:
            items = [
                {
                    "code": line.get("code"),
                    "name": line.get("name") or line.get("desc"),
                    "quantity": line.get("qty"),
                    "unit_price": line.get("price_unit", line.get("price")),
                }
                for line in label["lines"]
                if not ({"sectionheader", "line_note"} & line.keys())
            ]
        cases.append(Case(label_path.stem, document, header, items))
    return cases


def quote_cases() -> list[Case]:
    cases = []
    for label_path in sorted((HERE / "quotes").glob("*.json")):
        label = json.loads(label_path.read_text())
        items = [
            {
                "code": i["part_number"],
                "name": i["description"],
                "quantity": i["quantity"],
                "unit_price": i["unit_price"],
            }
            for i in label["items"]
        ]
        header = {name: label.get(name) for name in HEADER_FIELDS}
        cases.append(Case(label_path.stem, from_eml(label_path.with_suffix(".eml").read_bytes()), header, items))
    return cases


def same(name: str, expected: Any, actual: Any) -> bool:
    if actual is None:
        return False
    if name in ("subtotal", "tax", "shipping", "total"):
        return abs(Decimal(str(expected)) - Decimal(str(actual))) <= CENT
    if name == "quote_date":
        return date.fromisoformat(str(expected)) == actual
    return normalize(str(expected)) == normalize(str(actual))


def words(text: str | None) -> set[str]:
    return set(re.findall(r"[a-z0-9]+", (text or "").lower()))


def item_matches(want: dict[str, Any], got: Any) -> bool:
    for name, value in (("quantity", want["quantity"]), ("unit_price", want["unit_price"])):
        if value is not None and (getattr(got, name) is None or abs(Decimal(str(value)) - getattr(got, name)) > CENT):
            return False
    if want["code"] and got.part_number and normalize(want["code"]) == normalize(got.part_number):
        return True
    a, b = words(want["name"]), words(f"{got.part_number or ''} {got.description or ''}")
    return bool(a and b) and len(a & b) >= min(len(a), len(b)) / 2


def evaluate(cases: list[Case], extractor: Extractor) -> Report:
    report = Report()
    started = time.perf_counter()
    for case in cases:
        outcome = pipeline.run(case.document, extractor, fallback=False)
        quote = outcome.quote
        report.documents += 1
        for name in HEADER_FIELDS:
            expected, actual = case.header.get(name), getattr(quote, name)
            if expected is None:
                continue  # the label does not say: neither a hit nor a miss
            report.fields[name].add(1, actual is not None, same(name, expected, actual))
        total_ok = case.header["total"] is not None and same("total", case.header["total"], quote.total)
        currency_ok = same("currency", case.header["currency"], quote.currency)
        report.total_and_currency += total_ok and currency_ok
        if outcome.status.value == "PROCESSED":
            report.processed += 1
            report.processed_wrong_total += not total_ok
        if case.items is not None:
            unmatched = list(quote.items)
            correct = 0
            for want in case.items:
                hit = next((got for got in unmatched if item_matches(want, got)), None)
                if hit is not None:
                    unmatched.remove(hit)
                    correct += 1
            report.items.add(len(case.items), len(quote.items), correct)
    report.seconds = time.perf_counter() - started
    return report


def print_report(title: str, report: Report) -> None:
    print(f"\n{title}: {report.documents} documents, {report.seconds / report.documents * 1000:.0f} ms each")
    print(f"  {'field':<14}{'labelled':>9}{'extracted':>10}{'correct':>8}{'precision':>10}{'recall':>8}")
    for name, s in report.fields.items():
        if s.labelled:
            print(f"  {name:<14}{s.labelled:>9}{s.extracted:>10}{s.correct:>8}{s.precision:>10.2f}{s.recall:>8.2f}")
    s = report.items
    print(f"  {'line items':<14}{s.labelled:>9}{s.extracted:>10}{s.correct:>8}{s.precision:>10.2f}{s.recall:>8.2f}"
          f"   F1 {s.f1:.2f}")  # fmt: skip
    print(f"  total and currency correct: {report.total_and_currency}/{report.documents}")
    print(f"  verification passed (PROCESSED): {report.processed}/{report.documents}; "
          f"of those with a wrong total: {report.processed_wrong_total}")  # fmt: skip


def main() -> None:
    extractors: list[Extractor] = [RulesExtractor()]
    if os.environ.get("BENCH_LLM"):
        extractors.append(build_extractor(QuoteExtractionSettings(), "llm"))
    for extractor in extractors:
        print(f"=== extractor: {extractor.name}")
        print_report("public invoices (invoice2data)", evaluate(invoice_cases(), extractor))
        print_report("labelled quotes (bench/quotes)", evaluate(quote_cases(), extractor))


if __name__ == "__main__":
    main()
