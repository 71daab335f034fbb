"""Write the labelled classification set (``python -m bench.mail.build``): mail files and ``labels.json``.

Labels were written before the classification rules were tuned. The set: every labelled
quote of ``bench/quotes`` (QUOTE), each public invoice of ``bench/corpora/invoice2data`` sent
as a PDF attachment (INVOICE), and the messages below, written to be realistic and to
include the hard cases: a reply in a quote's thread that confirms an order, an invoice that
cites its quote, our own request for a quote, a price-list mailing, an out-of-office.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from email.message import EmailMessage
from email.utils import format_datetime
from pathlib import Path

HERE = Path(__file__).parent
ROOT = HERE.parent
SUPPLIERS = [
    ("Westside Heavy Parts", "sales@westsideheavy.com"),
    ("Northern Hydraulics Supply", "orders@northernhydraulics.ca"),
    ("Atlas Undercarriage GmbH", "angebote@atlas-undercarriage.de"),
    ("Pacific Filter & Seal", "quotes@pacificfilterseal.com"),
]

# (key, label, sender index or address, subject, body)
MESSAGES: list[tuple[str, str, int | str, str, str]] = [
    (
        "oc01",
        "ORDER_CONFIRMATION",
        0,
        "Order Confirmation SO-55120 (your PO 4471)",
        "Thank you for your order.\n\nSales order: SO-55120\nYour PO: 4471\n\n1R-0750 Fuel filter  12 EA\n"
        "1R-1808 Oil filter  12 EA\n\nEstimated ship date: Dec 8, 2026.\nWe will send tracking once it ships.",
    ),
    (
        "oc02",
        "ORDER_CONFIRMATION",
        1,
        "RE: Quote NHS-88120",
        "Hi Tom,\n\nThanks for the PO. We have entered your order #77812 for the Parker pump and seal kits as quoted.\n"
        "Order acknowledged; expected to ship in 3 weeks.\n\nRegards,\nNorthern Hydraulics",
    ),
    (
        "oc03",
        "ORDER_CONFIRMATION",
        2,
        "Auftragsbestätigung AB-2026-3318",
        "Sehr geehrte Damen und Herren,\n\nwir bestätigen Ihre Bestellung 4490 vom 01.12.2026.\n"
        "Auftragsbestätigung Nr. AB-2026-3318\nLiefertermin: KW 51\n\nMit freundlichen Grüßen",
    ),
    (
        "oc04",
        "ORDER_CONFIRMATION",
        3,
        "We've received your order PFS-O-99310",
        "Your order PFS-O-99310 has been received and is being processed.\nPO number: 4502\n"
        "Items: 48 x BF7633, 48 x B7577\n"
        "You will receive a shipping confirmation when your order ships.",
    ),
    (
        "oc05",
        "ORDER_CONFIRMATION",
        0,
        "Order acknowledgement - PO 4513",
        "This email acknowledges receipt of purchase order 4513. Order number WHP-SO-55188 has been booked.\n"
        "Backordered: 6I-2504 (ETA 12/15). Everything else ships tomorrow.",
    ),
    (
        "oc06",
        "ORDER_CONFIRMATION",
        1,
        "Confirmation of your order 77850",
        "Hello,\n\nThis confirms order 77850 placed by phone today: 2 x D1VW004CNJW directional valve.\n"
        "Payment terms Net 30. Thank you for your business.",
    ),
    (
        "oc07",
        "ORDER_CONFIRMATION",
        2,
        "Order confirmation / Bestellbestätigung 4521",
        "Dear customer,\n\nyour order 4521 is confirmed. Order confirmation number: AB-2026-3342.\n"
        "Delivery: approx. 2 weeks.\n",
    ),
    (
        "sh01",
        "SHIPPING_NOTICE",
        0,
        "Your order SO-55120 has shipped",
        "Good news! Your order SO-55120 shipped today via UPS Ground.\nTracking number: 1Z999AA10123456784\n"
        "Estimated delivery: Dec 11, 2026.",
    ),
    (
        "sh02",
        "SHIPPING_NOTICE",
        1,
        "Shipment notification - order 77812",
        "Your shipment is on its way.\nCarrier: Purolator\nTracking #: 329018845512\nPackages: 2\n"
        "Track your package at the carrier's site.",
    ),
    (
        "sh03",
        "SHIPPING_NOTICE",
        2,
        "Versandbestätigung zu Auftrag AB-2026-3318",
        "Ihre Ware wurde heute versendet.\nSpedition: DB Schenker\nSendungsnummer: 1045839920\n"
        "Lieferung voraussichtlich am 18.12.2026.",
    ),
    (
        "sh04",
        "SHIPPING_NOTICE",
        3,
        "Delivery update: out for delivery",
        "Your package for order PFS-O-99310 is out for delivery today.\nFedEx tracking number 7712 3456 7890.\n",
    ),
    (
        "sh05",
        "SHIPPING_NOTICE",
        0,
        "Advance ship notice ASN-20931",
        "ADVANCE SHIP NOTICE\nASN: ASN-20931\nPO: 4513\nShip date: 12/05/2026\nCarrier: LTL Freight, PRO # 448120933\n"
        "Pallets: 1",
    ),
    (
        "sh06",
        "SHIPPING_NOTICE",
        1,
        "Partial shipment for PO 4502",
        "Part of your order has shipped. The remaining items are backordered.\nTracking: 1Z999AA10123456799 (UPS)",
    ),
    (
        "sh07",
        "SHIPPING_NOTICE",
        3,
        "Your order is on the way",
        "Hi, your order 99342 has been dispatched with DHL Express, waybill 1234567890. Delivery in 2 days.",
    ),
    (
        "in01",
        "INVOICE",
        0,
        "Invoice INV-88120 for order SO-55120",
        "Please find your invoice below.\n\nInvoice number: INV-88120\nInvoice date: 12/08/2026\nAmount due: $796.26\n"
        "Due date: 01/07/2027\nPayment terms: Net 30\n\nRemit to: Westside Heavy Parts, PO Box 1200",
    ),
    (
        "in02",
        "INVOICE",
        1,
        "Invoice 30061 - payment due",
        "Invoice 30061 (quote NHS-88120, order 77812) totalling CAD 10,726.75 is attached. Balance due in 45 days.",
    ),
    (
        "in03",
        "INVOICE",
        2,
        "Rechnung RE-2026-7712",
        "Sehr geehrte Damen und Herren,\n\nanbei erhalten Sie unsere Rechnung RE-2026-7712 über 5.004,35 EUR.\n"
        "Zahlbar innerhalb von 30 Tagen netto.",
    ),
    (
        "in04",
        "INVOICE",
        3,
        "Statement of account - overdue invoices",
        "Our records show the following invoices are past due:\nINV-10442  $1,240.20  due 11/12/2026\n"
        "Please remit payment at your earliest convenience.",
    ),
    (
        "in05",
        "INVOICE",
        0,
        "Credit memo CM-2211",
        "A credit memo CM-2211 of $45.00 has been issued against invoice INV-88120 for the returned filter.",
    ),
    (
        "in06",
        "INVOICE",
        1,
        "Your invoice is ready",
        "Invoice #30099 for $684.25 is now available. Pay online or by cheque. Thank you.",
    ),
    (
        "ot01",
        "OTHER",
        0,
        "Automatic reply: Request for quote",
        "I am out of the office until December 14 with limited access to email. For urgent quotes call 555-0100.",
    ),
    (
        "ot02",
        "OTHER",
        "tom@demo-fleet.example",
        "Request for quote: 320D filters",
        "Hi, could you quote 12 x 1R-0750 and 12 x 1R-1808, delivered to our Reno yard? Thanks, Tom",
    ),
    (
        "ot03",
        "OTHER",
        3,
        "December promotions: 15% off Baldwin filters",
        "This month only: 15% off all Baldwin filters. Browse the catalogue on our website. Unsubscribe here.",
    ),
    (
        "ot04",
        "OTHER",
        1,
        "2027 price list",
        "Dear customer, our 2027 price list takes effect January 1. The list is available on request.",
    ),
    (
        "ot05",
        "OTHER",
        2,
        "Betriebsferien / holiday closure",
        "Unser Lager ist vom 24.12. bis 02.01. geschlossen. Our warehouse is closed from 24 Dec to 2 Jan.",
    ),
    (
        "ot06",
        "OTHER",
        0,
        "Question about the part you returned",
        "Hi Tom, the 326-1644 you returned looks used. Can you tell us what happened before we process the credit?",
    ),
    (
        "ot07",
        "OTHER",
        "mailer-daemon@demo-fleet.example",
        "Undelivered Mail Returned to Sender",
        "This is the mail system. I'm sorry to have to inform you that your message could not be delivered.",
    ),
    (
        "ot08",
        "OTHER",
        3,
        "Webinar: extending filter service intervals",
        "Join our free webinar on Thursday at 10am. Register now to save your seat.",
    ),
    (
        "ot09",
        "OTHER",
        1,
        "Updated W-9 and banking details",
        "Please find our updated W-9 attached for your vendor records.",
    ),
    ("ot10", "OTHER", 2, "Messe-Einladung bauma 2028", "Besuchen Sie uns auf der bauma 2028, Halle A3, Stand 221."),
]


def message(key: str, sender: int | str, subject: str, body: str, n: int) -> bytes:
    name, address = SUPPLIERS[sender] if isinstance(sender, int) else (sender.split("@")[0], sender)
    msg = EmailMessage()
    msg["From"] = f"{name} <{address}>"
    msg["To"] = "purchasing@demo-fleet.example"
    msg["Subject"] = subject
    msg["Date"] = format_datetime(datetime(2026, 12, 1, 9, tzinfo=UTC) + timedelta(hours=n))
    msg["Message-ID"] = f"<{key}@{address.split('@')[1]}>"
    msg.set_content(body + "\n")
    return bytes(msg)


def invoice_mail(pdf: Path, n: int) -> bytes:
    msg = EmailMessage()
    msg["From"] = "Billing <billing@vendor.example>"
    msg["To"] = "accounts@demo-fleet.example"
    msg["Subject"] = f"Your invoice {pdf.stem}"
    msg["Date"] = format_datetime(datetime(2026, 12, 2, 9, tzinfo=UTC) + timedelta(hours=n))
    msg["Message-ID"] = f"<invoice-{pdf.stem}@vendor.example>"
    msg.set_content("Dear customer,\n\nplease find your invoice attached.\n\nKind regards,\nBilling\n")
    msg.add_attachment(pdf.read_bytes(), maintype="application", subtype="pdf", filename=pdf.name)
    msg.set_boundary(f"=={pdf.stem}==")
    return bytes(msg)


def main() -> None:
    labels: dict[str, str] = {}
    for n, (key, label, sender, subject, body) in enumerate(MESSAGES):
        (HERE / f"{key}.eml").write_bytes(message(key, sender, subject, body, n))
        labels[f"bench/mail/{key}.eml"] = label
    for n, pdf in enumerate(sorted((ROOT / "corpora" / "invoice2data").glob("*.pdf"))):
        name = f"iv-{pdf.stem}.eml"
        (HERE / name).write_bytes(invoice_mail(pdf, n))
        labels[f"bench/mail/{name}"] = "INVOICE"
    for quote in sorted((ROOT / "quotes").glob("*.eml")):
        labels[f"bench/quotes/{quote.name}"] = "QUOTE"
    (HERE / "labels.json").write_text(json.dumps(labels, indent=1, sort_keys=True) + "\n")
    counts = {c: list(labels.values()).count(c) for c in sorted(set(labels.values()))}
    print(f"wrote {len(labels)} labelled messages: {counts}")


if __name__ == "__main__":
    main()
