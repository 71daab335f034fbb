"""Deterministic classification of supplier mail, with the reasons recorded.

Each class has weighted signals in the subject, the body, and the attachment names; a new
subject counts double (suppliers' systems put the document type there). The highest score
wins if it reaches :data:`THRESHOLD`, else OTHER. In the body a signal counts at most twice; a
reply's subject (``Re: Quote 123``) counts once, as it names the thread's first document.
Signals are phrases in English, German, French and Dutch; a quote also gains from priced
lines (quantity x price = amount), which our own request for a quote never has. Every
signal that fired is returned as a reason.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from partsiq.db.models import EmailClassification as C
from partsiq.mail import ParsedMail, html_to_text, normalize_subject

THRESHOLD = 2.0
_I = re.IGNORECASE

#: (class, weight, pattern). Subject hits count twice.
SIGNALS: list[tuple[C, float, str]] = [
    (C.QUOTE, 2.0, r"\b(quot(e|ation)|angebot|devis|offerte|estimate|proposal)\b"),
    (C.QUOTE, 1.0, r"\b(valid (until|for)|gültig bis|lead time|lieferzeit|unit price|price each|as quoted)\b"),
    (C.QUOTE, -2.5, r"\b(request for (a )?quot\w*|could you (please )?quote|please quote|rfq)\b"),
    (
        C.ORDER_CONFIRMATION,
        2.5,
        r"\b(order (confirm\w*|acknowledg\w*)|confirm\w* (of )?(your )?order"
        r"|auftragsbestätigung|bestellbestätigung|confirmation de commande|orderbevestiging"
        r"|(we'?ve|we have|has been) (received|entered|booked) your (purchase )?order"
        r"|order (\S+ )?(has been )?(received|booked|entered|acknowledged)"
        r"|acknowledges? receipt of (your )?purchase order"
        r"|bestätigen ihre bestellung|(your )?order \S+ is confirmed)\b",
    ),
    (C.ORDER_CONFIRMATION, 0.5, r"\b(sales order|your po|po number|purchase order|backorder\w*)\b"),
    (
        C.SHIPPING_NOTICE,
        2.5,
        r"\b(shipped|shipment|has shipped|on (its|the) way|out for delivery|dispatched"
        r"|ship notice|versandbestätigung|versendet|expédi\w*|verzonden|tracking (number|#|no)|sendungsnummer"
        r"|waybill|pro #)\b",
    ),
    (C.SHIPPING_NOTICE, 1.0, r"\b(ups|fedex|dhl|purolator|schenker|tnt|usps|carrier|spedition)\b"),
    (C.SHIPPING_NOTICE, 1.5, r"\b1Z[0-9A-Z]{16}\b"),
    (C.INVOICE, 2.5, r"\b(invoice|rechnung|facture|factuur|faktura|credit memo|statement of account)\b"),
    (C.INVOICE, 1.0, r"\b(amount due|balance due|due date|remit|past due|payment due|zahlbar|fällig)\b"),
]
_COMPILED = [(c, w, re.compile(p, _I)) for c, w, p in SIGNALS]
_ATTACHMENT = [
    (C.QUOTE, re.compile(r"quot|angebot|devis|offert", _I)),
    (C.INVOICE, re.compile(r"invoice|rechnung|factu|faktur|inv[-_ ]?\d", _I)),
    (C.ORDER_CONFIRMATION, re.compile(r"order.?conf|auftragsbest|\bab[-_ ]?\d", _I)),
]
_PRICED_LINE = re.compile(r"\d[\d.,']*\s*(x|@|ea\b|pcs\b|stk\b).{0,80}?\d[.,]\d{2}", _I)
_AUTO_REPLY = re.compile(
    r"^(automatic reply|auto-?reply|out of (the )?office|abwesenheit|undeliver\w+|delivery status)", _I
)


@dataclass
class Classification:
    """The class, its score, and every signal that fired."""

    label: C
    score: float
    reasons: list[str] = field(default_factory=list)


def classify(mail: ParsedMail) -> Classification:
    """Score each class on the subject, the body and the attachments' names."""
    subject = mail.subject or ""
    body = mail.text or (html_to_text(mail.html) if mail.html else "")
    if _AUTO_REPLY.search(subject) or (mail.from_address or "").startswith(("mailer-daemon@", "postmaster@")):
        return Classification(C.OTHER, 0.0, [f"automatic message: {subject[:60]!r}"])
    scores: dict[C, float] = {}
    reasons: dict[C, list[str]] = {}
    # A reply's subject names the thread's first document, not this one: it counts once, not twice.
    subject_factor = 1.0 if normalize_subject(subject) != subject.strip().lower() else 2.0
    for label, weight, pattern in _COMPILED:
        for where, text, factor, most in (("subject", subject, subject_factor, 1), ("body", body[:5000], 1.0, 2)):
            for match in list(pattern.finditer(text))[:most]:
                scores[label] = scores.get(label, 0.0) + weight * factor
                reasons.setdefault(label, []).append(f"{where}: {match.group(0)!r} ({weight * factor:+g})")
    for attachment in mail.attachments:
        for label, pattern in _ATTACHMENT:
            if attachment.filename and pattern.search(attachment.filename):
                scores[label] = scores.get(label, 0.0) + 2.0
                reasons.setdefault(label, []).append(f"attachment {attachment.filename!r} (+2)")
    priced = len(_PRICED_LINE.findall(body))
    if priced and scores.get(C.QUOTE, 0.0) > 0:
        bonus = min(priced, 3) * 0.5
        scores[C.QUOTE] += bonus
        reasons.setdefault(C.QUOTE, []).append(f"{priced} priced lines (+{bonus:g})")
    if not scores:
        return Classification(C.OTHER, 0.0, ["no signal of a quote, order, shipment or invoice"])
    label, score = max(scores.items(), key=lambda kv: kv[1])
    if score < THRESHOLD:
        return Classification(C.OTHER, score, [f"best was {label.value} at {score:g} < {THRESHOLD:g}", *reasons[label]])
    return Classification(label, score, reasons[label])
