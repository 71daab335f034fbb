"""Classification: per-class precision and recall on the labelled set, reasons recorded, any mail classified."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

from email_monitor.classify import classify
from partsiq.db.models import EmailClassification
from partsiq.mail import parse_message

ROOT = Path(__file__).resolve().parents[2]
LABELS: dict[str, str] = json.loads((ROOT / "bench" / "mail" / "labels.json").read_text())


def scores() -> dict[str, tuple[float, float]]:
    predicted: Counter[str] = Counter()
    labelled: Counter[str] = Counter()
    correct: Counter[str] = Counter()
    for path, label in LABELS.items():
        got = classify(parse_message((ROOT / path).read_bytes())).label.value
        predicted[got] += 1
        labelled[label] += 1
        correct[label] += got == label
    return {c: (correct[c] / predicted[c] if predicted[c] else 0.0, correct[c] / labelled[c]) for c in labelled}


def test_every_class_reaches_precision_and_recall_of_0_9_on_the_labelled_set() -> None:
    assert len(LABELS) >= 50
    for label, (precision, recall) in scores().items():
        assert precision >= 0.9 and recall >= 0.9, f"{label}: precision {precision:.2f}, recall {recall:.2f}"


def test_a_reply_in_a_quote_thread_that_confirms_an_order_is_an_order_confirmation() -> None:
    result = classify(parse_message((ROOT / "bench" / "mail" / "oc02.eml").read_bytes()))

    assert result.label is EmailClassification.ORDER_CONFIRMATION
    assert any("entered your order" in reason for reason in result.reasons)


def test_our_own_request_for_a_quote_is_not_a_quote() -> None:
    result = classify(parse_message((ROOT / "bench" / "mail" / "ot02.eml").read_bytes()))

    assert result.label is EmailClassification.OTHER


def test_an_automatic_reply_is_other_whatever_it_mentions() -> None:
    result = classify(parse_message((ROOT / "bench" / "mail" / "ot01.eml").read_bytes()))

    assert result.label is EmailClassification.OTHER and "automatic" in result.reasons[0]
