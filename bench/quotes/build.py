"""Write the labelled quote set: one ``.eml`` and one ``.json`` label per quote (``python -m bench.quotes.build``).

The labels are the specs below, written before the rule-based extractor was tuned on them:
24 generated quotes from the sample suppliers in several layouts (fixed-width text, item lists, HTML
tables, PDF attachments including a two-page one), number formats (``1,234.56``,
``1.234,56``, ``1 234,56``, ``1'234.50``) and currencies. Totals are computed here once, the
way a supplier's system would, so every label is arithmetically consistent.

Three more are written by hand (``q25``-``q27``: an informal reply with a quoted thread, HTML
with a hidden injection, a forwarded German quote); this script does not touch them.
"""

from __future__ import annotations

import io
import json
from dataclasses import dataclass, field
from datetime import UTC, datetime
from decimal import ROUND_HALF_UP, Decimal
from email.message import EmailMessage
from email.utils import format_datetime
from pathlib import Path

HERE = Path(__file__).parent
CENT = Decimal("0.01")


@dataclass
class Spec:
    key: str
    supplier: str
    sender: str
    quote_number: str
    quote_date: str
    currency: str
    items: list[tuple[str | None, str, str, str, str]]  # part, description, qty, unit, unit price
    style: str
    number_format: str = "us"  # us 1,234.56 | eu 1.234,56 | fr 1 234,56 | ch 1'234.50
    tax_rate: str = "0"
    shipping: str = "0"
    discount: str = "0"
    valid_until: str | None = None
    payment_terms: str | None = None
    lead_time: str | None = None
    shipping_method: str | None = None
    notes: list[str] = field(default_factory=list)


def money(value: Decimal, fmt: str) -> str:
    text = f"{value:,.2f}"
    if fmt == "eu":
        return text.replace(",", "X").replace(".", ",").replace("X", ".")
    if fmt == "fr":
        return text.replace(",", " ").replace(".", ",")
    if fmt == "ch":
        return text.replace(",", "'")
    return text


def qty(value: Decimal, fmt: str) -> str:
    text = f"{value.normalize():f}"
    return text.replace(".", ",") if fmt in ("eu", "fr") else text


SPECS: list[Spec] = [
    Spec(
        "q01-westside-text",
        "Westside Heavy Parts",
        "sales@westsideheavy.com",
        "WHP-Q-24017",
        "2026-11-02",
        "USD",
        [
            ("1R-0750", "Fuel filter element", "12", "EA", "14.85"),
            ("1R-1808", "Engine oil filter", "12", "EA", "22.40"),
            ("326-1644", "Hydraulic filter", "4", "EA", "61.75"),
        ],
        "text_table",
        tax_rate="0.0825",
        shipping="45.00",
        valid_until="2026-12-02",
        payment_terms="Net 30",
        lead_time="2-3 business days",
        shipping_method="UPS Ground",
    ),
    Spec(
        "q02-westside-list",
        "Westside Heavy Parts",
        "quotes@westsideheavy.com",
        "WHP-Q-24031",
        "2026-11-05",
        "USD",
        [
            ("6I-2503", "Air filter primary", "2", "EA", "88.20"),
            ("6I-2504", "Air filter secondary", "2", "EA", "41.10"),
        ],
        "text_list",
        payment_terms="Net 30",
        lead_time="In stock, ships same day",
    ),
    Spec(
        "q03-northern-html",
        "Northern Hydraulics Supply",
        "orders@northernhydraulics.ca",
        "NHS-88120",
        "2026-10-28",
        "CAD",
        [
            ("PV270R1K1T1NMMC", "Parker axial piston pump", "1", "EA", "8,940.00"),
            ("S26-58483", "Seal kit, pump shaft", "2", "KIT", "186.50"),
            ("4HBK-6-6", "Hose fitting JIC 3/8", "10", "EA", "7.35"),
        ],
        "html_table",
        tax_rate="0.13",
        shipping="120.00",
        valid_until="2026-11-27",
        payment_terms="Net 45",
        shipping_method="Purolator Freight",
        lead_time="3 weeks ARO",
    ),
    Spec(
        "q04-atlas-pdf-de",
        "Atlas Undercarriage GmbH",
        "angebote@atlas-undercarriage.de",
        "ANG-2026-1183",
        "2026-11-10",
        "EUR",
        [
            ("9W-7162", "Laufrolle, Einfachflansch", "4", "Stk", "412.00"),
            ("6Y-1248", "Leitrad komplett", "1", "Stk", "1,985.50"),
            ("7T-1253", "Kettenschraube mit Mutter", "80", "Stk", "6.15"),
        ],
        "pdf_de",
        number_format="eu",
        tax_rate="0.19",
        shipping="95.00",
        valid_until="2026-12-10",
        payment_terms="30 Tage netto",
        lead_time="ca. 2 Wochen",
        shipping_method="Spedition frei Haus",
    ),
    Spec(
        "q05-pacific-text",
        "Pacific Filter & Seal",
        "quotes@pacificfilterseal.com",
        "PFS-10442",
        "2026-11-12",
        "USD",
        [
            ("P551808", "Donaldson lube filter", "24", "EA", "18.92"),
            ("P550820", "Donaldson fuel filter", "24", "EA", "24.10"),
            ("P181052", "Donaldson air filter", "6", "EA", "96.40"),
            ("O-RING-236", "O-ring kit, metric, 382 pc", "1", "KIT", "74.99"),
        ],
        "text_table",
        discount="50.00",
        payment_terms="2% 10, Net 30",
        shipping_method="FedEx Ground",
    ),
    Spec(
        "q06-mikes-plain",
        "Mike's Diesel",
        "mikesdiesel.parts@gmail.com",
        "MD-0917",
        "2026-11-14",
        "USD",
        [("RE504836", "John Deere oil filter", "3", "EA", "21.50"), ("RE62418", "Fuel filter JD", "3", "EA", "33.00")],
        "text_list",
        shipping="18.00",
        payment_terms="Due on receipt",
    ),
    Spec(
        "q07-atlas-html-eu",
        "Atlas Undercarriage GmbH",
        "angebote@atlas-undercarriage.de",
        "ANG-2026-1201",
        "2026-11-18",
        "EUR",
        [
            ("8E-9804", "Segment, Antriebsrad", "10", "Stk", "58.40"),
            ("3P-5736", "Schraube Segment", "60", "Stk", "3.85"),
            ("2J-3506", "Mutter", "60", "Stk", "1.20"),
        ],
        "html_table",
        number_format="eu",
        tax_rate="0.19",
        valid_until="2026-12-18",
        payment_terms="14 Tage 2% Skonto, 30 Tage netto",
    ),
    Spec(
        "q08-northern-pdf",
        "Northern Hydraulics Supply",
        "orders@northernhydraulics.ca",
        "NHS-88167",
        "2026-11-19",
        "CAD",
        [
            ("D1VW004CNJW", "Directional control valve", "2", "EA", "1,212.00"),
            ("R4V10-5", "Pressure relief valve", "1", "EA", "684.25"),
        ],
        "pdf_table",
        tax_rate="0.05",
        shipping="75.00",
        valid_until="2026-12-19",
        payment_terms="Net 30",
        lead_time="10 business days",
    ),
    Spec(
        "q09-westside-pdf-multipage",
        "Westside Heavy Parts",
        "sales@westsideheavy.com",
        "WHP-Q-24102",
        "2026-11-20",
        "USD",
        [
            (
                f"{n}R-{1000 + 37 * n:04d}",
                f"Undercarriage bolt kit size {n}",
                str(2 + n % 5),
                "EA",
                f"{9 + n * 3.25:.2f}",
            )
            for n in range(1, 46)
        ],
        "pdf_table",
        tax_rate="0.0825",
        shipping="150.00",
        payment_terms="Net 30",
        shipping_method="LTL Freight",
    ),
    Spec(
        "q10-pacific-html",
        "Pacific Filter & Seal",
        "quotes@pacificfilterseal.com",
        "PFS-10471",
        "2026-11-21",
        "USD",
        [
            ("LF9009", "Fleetguard lube filter", "12", "EA", "31.60"),
            ("FS1000", "Fleetguard fuel/water separator", "12", "EA", "38.25"),
        ],
        "html_table",
        tax_rate="0.0725",
        valid_until="2026-12-21",
        payment_terms="Net 30",
    ),
    Spec(
        "q11-fr-text",
        "Atlas Undercarriage GmbH",
        "angebote@atlas-undercarriage.de",
        "DEV-2026-0412",
        "2026-11-22",
        "EUR",
        [
            ("1V-4024", "Galet inférieur simple bride", "6", "pcs", "1235.00"),
            ("5P-8248", "Joint de chaîne", "2", "pcs", "318.40"),
        ],
        "text_fr",
        number_format="fr",
        tax_rate="0.20",
        shipping="210.00",
        payment_terms="30 jours fin de mois",
    ),
    Spec(
        "q12-ch-text",
        "Pacific Filter & Seal",
        "quotes@pacificfilterseal.com",
        "PFS-CH-2207",
        "2026-11-23",
        "CHF",
        [
            ("HF6554", "Fleetguard hydraulic filter", "8", "EA", "142.80"),
            ("AF25139M", "Air filter outer", "4", "EA", "1125.00"),
        ],
        "text_table",
        number_format="ch",
        tax_rate="0.081",
        payment_terms="Net 30",
    ),
    Spec(
        "q13-gbp-list",
        "Westside Heavy Parts",
        "sales@westsideheavy.com",
        "WHP-UK-3390",
        "2026-11-24",
        "GBP",
        [
            ("CH11929", "Bobcat hydraulic filter", "5", "EA", "48.00"),
            ("6667352", "Bobcat fuel filter", "5", "EA", "27.50"),
        ],
        "text_list",
        tax_rate="0.20",
        shipping="12.50",
        payment_terms="30 days",
    ),
    Spec(
        "q14-northern-text-bigqty",
        "Northern Hydraulics Supply",
        "orders@northernhydraulics.ca",
        "NHS-88201",
        "2026-11-25",
        "CAD",
        [
            ("6-6 FJX", "Hose end 3/8 JIC female", "250", "EA", "4.12"),
            ("H42506", "Hose 3/8 two-wire per ft", "1200", "FT", "2.87"),
        ],
        "text_table",
        tax_rate="0.13",
        shipping="260.00",
        lead_time="1 week",
    ),
    Spec(
        "q15-atlas-pdf-eu-single",
        "Atlas Undercarriage GmbH",
        "angebote@atlas-undercarriage.de",
        "ANG-2026-1240",
        "2026-11-26",
        "EUR",
        [("CR5394", "Kettenglied komplett 45 Glieder", "2", "Stk", "3,420.00")],
        "pdf_de",
        number_format="eu",
        tax_rate="0.19",
        shipping="180.00",
        payment_terms="Vorkasse",
        valid_until="2026-12-26",
    ),
    Spec(
        "q16-pacific-html-discount",
        "Pacific Filter & Seal",
        "quotes@pacificfilterseal.com",
        "PFS-10502",
        "2026-11-27",
        "USD",
        [
            ("BF7633", "Baldwin fuel filter", "48", "EA", "16.30"),
            ("B7577", "Baldwin lube filter", "48", "EA", "19.85"),
            ("PA2814", "Baldwin air filter", "10", "EA", "67.40"),
        ],
        "html_table",
        discount="120.00",
        tax_rate="0.0725",
        shipping="0",
        payment_terms="Net 30",
        notes=["Volume pricing applied."],
    ),
    Spec(
        "q17-mikes-text-aud",
        "Mike's Diesel",
        "mikesdiesel.parts@gmail.com",
        "MD-0944",
        "2026-11-28",
        "AUD",
        [
            ("23530573", "Detroit fuel filter", "6", "EA", "44.90"),
            ("23518482", "Detroit oil filter", "6", "EA", "39.95"),
        ],
        "text_table",
        tax_rate="0.10",
        shipping="35.00",
        payment_terms="7 days",
    ),
    Spec(
        "q18-westside-html-seals",
        "Westside Heavy Parts",
        "sales@westsideheavy.com",
        "WHP-Q-24140",
        "2026-11-29",
        "USD",
        [
            ("4J-0520", "O-ring seal", "50", "EA", "1.18"),
            ("8T-4196", "Bolt, hex head", "40", "EA", "2.64"),
            ("5P-1076", "Hard washer", "40", "EA", "0.42"),
            ("9X-8256", "Washer", "40", "EA", "0.39"),
        ],
        "html_table",
        shipping="14.00",
        payment_terms="Net 30",
        lead_time="Stock",
    ),
    Spec(
        "q19-northern-pdf-usd",
        "Northern Hydraulics Supply",
        "orders@northernhydraulics.ca",
        "NHS-US-4410",
        "2026-11-30",
        "USD",
        [
            ("PVH98QIC-RF-1S-10-C25-31", "Vickers piston pump", "1", "EA", "6,875.00"),
            ("02-341939", "Seal kit PVH98", "1", "KIT", "248.60"),
        ],
        "pdf_table",
        shipping="185.00",
        payment_terms="Net 30",
        lead_time="4-6 weeks",
    ),
    Spec(
        "q20-atlas-text-de",
        "Atlas Undercarriage GmbH",
        "angebote@atlas-undercarriage.de",
        "ANG-2026-1262",
        "2026-12-01",
        "EUR",
        [
            ("195-4226", "Kettenspanner Zylinder", "1", "Stk", "1,448.00"),
            ("095-1720", "Dichtsatz Spanner", "2", "Stk", "86.75"),
        ],
        "text_de",
        number_format="eu",
        tax_rate="0.19",
        payment_terms="30 Tage netto",
        lead_time="3-4 Werktage",
    ),
    Spec(
        "q21-pacific-list-sek",
        "Pacific Filter & Seal",
        "quotes@pacificfilterseal.com",
        "PFS-SE-118",
        "2026-12-01",
        "SEK",
        [
            ("21707133", "Volvo oil filter", "10", "EA", "289.00"),
            ("20998367", "Volvo fuel filter", "10", "EA", "345.00"),
        ],
        "text_list",
        number_format="fr",
        tax_rate="0.25",
        payment_terms="30 dagar netto",
    ),
    Spec(
        "q22-westside-text-noqtycol",
        "Westside Heavy Parts",
        "quotes@westsideheavy.com",
        "WHP-Q-24155",
        "2026-12-02",
        "USD",
        [("7X-2537", "Cap screw", "100", "EA", "0.86"), ("5P-8500", "Washer hard", "100", "EA", "0.31")],
        "text_table",
        payment_terms="Net 30",
        valid_until="2027-01-01",
    ),
    Spec(
        "q23-northern-html-lead",
        "Northern Hydraulics Supply",
        "orders@northernhydraulics.ca",
        "NHS-88240",
        "2026-12-02",
        "CAD",
        [("3HD-3105", "Gear pump", "1", "EA", "1,890.00"), ("KIT-3HD", "Gear pump reseal kit", "1", "KIT", "142.00")],
        "html_table",
        tax_rate="0.13",
        shipping="60.00",
        lead_time="5 business days",
        payment_terms="Net 30",
    ),
    Spec(
        "q24-mikes-pdf",
        "Mike's Diesel",
        "mikesdiesel.parts@gmail.com",
        "MD-0951",
        "2026-12-03",
        "USD",
        [("3406E-GSK", "Upper gasket set", "1", "SET", "389.00"), ("7C-6208", "Injector sleeve", "6", "EA", "32.50")],
        "pdf_table",
        shipping="40.00",
        payment_terms="Due on receipt",
    ),
]


def computed(spec: Spec) -> dict:
    lines = []
    for n, (part, desc, q, unit, price) in enumerate(spec.items, 1):
        quantity, unit_price = Decimal(q), Decimal(price.replace(",", ""))
        lines.append(
            {
                "line_number": n,
                "part_number": part,
                "description": desc,
                "quantity": quantity,
                "unit": unit,
                "unit_price": unit_price,
                "line_total": (quantity * unit_price).quantize(CENT, ROUND_HALF_UP),
            }
        )
    subtotal = sum((line["line_total"] for line in lines), Decimal(0))
    discount = Decimal(spec.discount)
    tax = ((subtotal - discount) * Decimal(spec.tax_rate)).quantize(CENT, ROUND_HALF_UP)
    shipping = Decimal(spec.shipping)
    total = subtotal - discount + tax + shipping
    return {
        "lines": lines,
        "subtotal": subtotal,
        "discount": discount,
        "tax": tax,
        "shipping": shipping,
        "total": total,
    }


def render_text(spec: Spec, c: dict) -> str:
    f = spec.number_format
    cur = spec.currency
    if spec.style == "text_list":
        rows = [
            f"{line['line_number']}) {qty(line['quantity'], f)} x {line['part_number']} {line['description']} @ {cur} "
            f"{money(line['unit_price'], f)} {line['unit'].lower()} = {cur} {money(line['line_total'], f)}"
            for line in c["lines"]
        ]
    else:
        head = f"{'Line':<5}{'Part No.':<26}{'Description':<34}{'Qty':>7} {'Unit':<5}{'Unit Price':>12}{'Amount':>13}"
        rows = [head, "-" * len(head)] + [
            f"{line['line_number']:<5}{line['part_number']:<26}{line['description']:<34}"
            f"{qty(line['quantity'], f):>7} {line['unit']:<5}"
            f"{money(line['unit_price'], f):>12}{money(line['line_total'], f):>13}"
            for line in c["lines"]
        ]
    words = LABELS[spec.style if spec.style in LABELS else "en"]
    out = [words["greeting"], "", f"{words['number']}: {spec.quote_number}", f"{words['date']}: {spec.quote_date}"]
    if spec.valid_until:
        out.append(f"{words['valid']}: {spec.valid_until}")
    out.append(f"{words['currency']}: {cur}")
    out += [""] + rows + [""]
    out.append(f"{words['subtotal']}: {cur} {money(c['subtotal'], f)}")
    if c["discount"]:
        out.append(f"{words['discount']}: -{money(c['discount'], f)}")
    if c["tax"]:
        out.append(f"{words['tax']} ({Decimal(spec.tax_rate) * 100:.4g}%): {money(c['tax'], f)}")
    if c["shipping"]:
        out.append(f"{words['shipping']}: {money(c['shipping'], f)}")
    out.append(f"{words['total']}: {cur} {money(c['total'], f)}")
    out.append("")
    for key in ("payment_terms", "lead_time", "shipping_method"):
        if getattr(spec, key):
            out.append(f"{words[key]}: {getattr(spec, key)}")
    out += spec.notes + ["", words["closing"], spec.supplier]
    return "\n".join(out) + "\n"


LABELS = {
    "en": {
        "greeting": "Hello,\n\nThank you for your enquiry. Please find our quotation below.",
        "number": "Quote No",
        "date": "Quote Date",
        "valid": "Valid until",
        "currency": "Currency",
        "subtotal": "Subtotal",
        "discount": "Discount",
        "tax": "Sales tax",
        "shipping": "Freight",
        "total": "Total",
        "payment_terms": "Payment terms",
        "lead_time": "Lead time",
        "shipping_method": "Ship via",
        "closing": "Best regards,",
    },
    "text_de": {
        "greeting": "Sehr geehrte Damen und Herren,\n\nvielen Dank für Ihre Anfrage. Unser Angebot:",
        "number": "Angebot Nr",
        "date": "Angebotsdatum",
        "valid": "Gültig bis",
        "currency": "Währung",
        "subtotal": "Zwischensumme",
        "discount": "Rabatt",
        "tax": "MwSt",
        "shipping": "Versandkosten",
        "total": "Gesamtbetrag",
        "payment_terms": "Zahlungsbedingungen",
        "lead_time": "Lieferzeit",
        "shipping_method": "Versandart",
        "closing": "Mit freundlichen Grüßen",
    },
    "text_fr": {
        "greeting": "Bonjour,\n\nSuite à votre demande, voici notre devis.",
        "number": "Devis n°",
        "date": "Date de devis",
        "valid": "Valable jusqu'au",
        "currency": "Devise",
        "subtotal": "Total HT",
        "discount": "Remise",
        "tax": "TVA",
        "shipping": "Frais de port",
        "total": "Total TTC",
        "payment_terms": "Conditions de paiement",
        "lead_time": "Délai de livraison",
        "shipping_method": "Transporteur",
        "closing": "Cordialement,",
    },
}
LABELS["pdf_de"] = LABELS["text_de"]


def render_html(spec: Spec, c: dict) -> str:
    f, cur = spec.number_format, spec.currency
    words = LABELS["text_de"] if f == "eu" else LABELS["en"]
    rows = "".join(
        f"<tr><td>{line['line_number']}</td><td>{line['part_number']}</td><td>{line['description']}</td>"
        f"<td align=right>{qty(line['quantity'], f)}</td><td>{line['unit']}</td>"
        f"<td align=right>{money(line['unit_price'], f)}</td>"
        f"<td align=right>{money(line['line_total'], f)}</td></tr>"
        for line in c["lines"]
    )
    summary = [(words["subtotal"], c["subtotal"])]
    if c["discount"]:
        summary.append((words["discount"], -c["discount"]))
    if c["tax"]:
        summary.append((words["tax"], c["tax"]))
    if c["shipping"]:
        summary.append((words["shipping"], c["shipping"]))
    summary.append((words["total"] + f" ({cur})", c["total"]))
    sums = "".join(
        f"<tr><td colspan=6 align=right><b>{k}</b></td><td align=right>{money(v, f)}</td></tr>" for k, v in summary
    )
    extra = "".join(
        f"<p>{words[k]}: {getattr(spec, k)}</p>"
        for k in ("payment_terms", "lead_time", "shipping_method")
        if getattr(spec, k)
    )
    valid = f"<p>{words['valid']}: {spec.valid_until}</p>" if spec.valid_until else ""
    notes = "".join(f"<p>{n}</p>" for n in spec.notes)
    return (
        f"<html><body style='font-family:Arial'><p>{words['greeting']}</p>"
        f"<p><b>{words['number']}:</b> {spec.quote_number}<br><b>{words['date']}:</b> {spec.quote_date}</p>{valid}"
        f"<table border=1 cellpadding=4><tr><th>#</th><th>Part</th><th>Description</th><th>Qty</th><th>UOM</th>"
        f"<th>Price</th><th>Ext. Price</th></tr>{rows}{sums}</table>{extra}{notes}"
        f"<p>{words['closing']}<br>{spec.supplier}</p></body></html>"
    )


def render_pdf(spec: Spec, c: dict) -> bytes:
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfgen import canvas

    buffer = io.BytesIO()
    pdf = canvas.Canvas(buffer, pagesize=A4, invariant=1)
    text = render_text(spec, c).splitlines()
    y = 800
    pdf.setFont("Courier", 8)
    pdf.drawString(40, 820, f"{spec.supplier} - {'Angebot' if spec.style == 'pdf_de' else 'Quotation'}")
    for line in text:
        if y < 60:
            pdf.showPage()
            pdf.setFont("Courier", 8)
            y = 800
        pdf.drawString(40, y, line)
        y -= 11
    pdf.save()
    return buffer.getvalue()


def label(spec: Spec, c: dict) -> dict:
    def s(v: Decimal | None) -> str | None:
        return None if v is None else str(v)

    return {
        "supplier": spec.supplier,
        "quote_number": spec.quote_number,
        "quote_date": spec.quote_date,
        "valid_until": spec.valid_until,
        "currency": spec.currency,
        "subtotal": s(c["subtotal"]),
        "discount": s(c["discount"]) if c["discount"] else None,
        "tax": s(c["tax"]) if c["tax"] else None,
        "shipping": s(c["shipping"]) if c["shipping"] else None,
        "total": s(c["total"]),
        "payment_terms": spec.payment_terms,
        "lead_time": spec.lead_time,
        "shipping_method": spec.shipping_method,
        "items": [{k: s(v) if isinstance(v, Decimal) else v for k, v in line.items()} for line in c["lines"]],
    }


def message(spec: Spec, c: dict) -> bytes:
    msg = EmailMessage()
    msg["From"] = f"{spec.supplier} <{spec.sender}>"
    msg["To"] = "purchasing@demo-fleet.example"
    msg["Subject"] = f"Quotation {spec.quote_number}"
    msg["Date"] = format_datetime(datetime.fromisoformat(spec.quote_date).replace(hour=9, tzinfo=UTC))
    msg["Message-ID"] = f"<{spec.key}@{spec.sender.split('@')[1]}>"
    if spec.style.startswith("pdf"):
        msg.set_content(
            f"Hello,\n\nplease find our quotation {spec.quote_number} attached.\n\nRegards,\n{spec.supplier}\n"
        )
        msg.add_attachment(
            render_pdf(spec, c), maintype="application", subtype="pdf", filename=f"{spec.quote_number}.pdf"
        )
    elif spec.style == "html_table":
        msg.set_content("This quotation is best viewed in an HTML mail client.\n")
        msg.add_alternative(render_html(spec, c), subtype="html")
    else:
        msg.set_content(render_text(spec, c))
    if msg.is_multipart():
        msg.set_boundary(f"=={spec.key}==")  # the same bytes on every run
    return bytes(msg)


def main() -> None:
    for spec in SPECS:
        c = computed(spec)
        (HERE / f"{spec.key}.eml").write_bytes(message(spec, c))
        (HERE / f"{spec.key}.json").write_text(json.dumps(label(spec, c), indent=2, ensure_ascii=False) + "\n")
    print(f"wrote {len(SPECS)} labelled quotes to {HERE}")


if __name__ == "__main__":
    main()
