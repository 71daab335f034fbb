"""The accuracy targets of the rule-based extractor hold (the same evaluation as ``make bench-extraction``)."""

from __future__ import annotations

from bench.extraction import evaluate, invoice_cases, quote_cases
from quote_extraction.extractors import RulesExtractor


def test_on_the_public_invoices_total_and_currency_are_right_on_six_of_eight_and_items_reach_f1_0_8() -> None:
    report = evaluate(invoice_cases(), RulesExtractor())

    assert report.documents == 8
    assert report.total_and_currency >= 6
    assert report.items.f1 >= 0.8


def test_verification_never_passes_a_quote_whose_total_is_wrong() -> None:
    for cases in (invoice_cases(), quote_cases()):
        report = evaluate(cases, RulesExtractor())

        assert report.processed > 0
        assert report.processed_wrong_total == 0
