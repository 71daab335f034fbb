"""Supplier lists: read a CSV or JSON file, validate each row, upsert the good ones.

CSV columns: ``name``, ``contact_emails`` and ``email_domains`` (several values
separated by ``;``). JSON: a list of ``{"name", "contactEmails": [...], "emailDomains": [...]}``.
Re-importing the same file changes nothing; a supplier is identified by its name
within the organisation, and its addresses and domains become the file's.
"""

from __future__ import annotations

import csv
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import any_, func, literal, select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.orm import Session

from partsiq.db import Database
from partsiq.db.models import Organization, Supplier

#: Mail domains shared by the public: matching a supplier by them would be wrong.
FREE_MAIL_DOMAINS = frozenset(
    {
        "gmail.com",
        "googlemail.com",
        "outlook.com",
        "hotmail.com",
        "live.com",
        "msn.com",
        "yahoo.com",
        "ymail.com",
        "aol.com",
        "icloud.com",
        "me.com",
        "mac.com",
        "proton.me",
        "protonmail.com",
        "gmx.com",
        "gmx.de",
        "gmx.net",
        "web.de",
        "mail.com",
        "yandex.ru",
        "qq.com",
        "163.com",
        "zoho.com",
        "fastmail.com",
    }
)

_EMAIL = re.compile(r"^[^@\s]+@([a-z0-9-]+\.)+[a-z]{2,}$")
_DOMAIN = re.compile(r"^([a-z0-9-]+\.)+[a-z]{2,}$")


@dataclass(frozen=True)
class SupplierRow:
    """One validated supplier from a file."""

    name: str
    contact_emails: tuple[str, ...]
    email_domains: tuple[str, ...]


@dataclass
class ImportReport:
    """What an import did: rows kept, and each refused row's line and reason."""

    created: int = 0
    updated: int = 0
    unchanged: int = 0
    errors: list[tuple[int, str]] = field(default_factory=list)


def _split(value: Any) -> list[str]:
    if value is None:
        return []
    items = value if isinstance(value, list) else str(value).replace(",", ";").split(";")
    return [str(item).strip().lower() for item in items if str(item).strip()]


def parse_row(raw: dict[str, Any]) -> SupplierRow:
    """Validate one supplier; ValueError says what is wrong."""
    name = str(raw.get("name") or "").strip()
    if not name:
        raise ValueError("name is empty")
    emails = _split(raw.get("contactEmails", raw.get("contact_emails")))
    domains = _split(raw.get("emailDomains", raw.get("email_domains")))
    for email in emails:
        if not _EMAIL.match(email):
            raise ValueError(f"{email!r} is not an email address")
    for domain in domains:
        if not _DOMAIN.match(domain):
            raise ValueError(f"{domain!r} is not a mail domain")
        if domain in FREE_MAIL_DOMAINS:
            raise ValueError(f"{domain!r} is a free-mail domain; list the supplier's addresses instead")
    if not emails and not domains:
        raise ValueError("no contact email and no email domain: mail could never be matched")
    return SupplierRow(name, tuple(dict.fromkeys(emails)), tuple(dict.fromkeys(domains)))


def read_rows(path: Path) -> Iterator[tuple[int, dict[str, Any]]]:
    """``(line number, raw row)`` from a CSV or JSON file."""
    if path.suffix.lower() == ".json":
        data = json.loads(path.read_text(encoding="utf-8"))
        if not isinstance(data, list):
            raise ValueError(f"{path}: expected a JSON list of suppliers")
        for index, item in enumerate(data, start=1):
            yield index, item if isinstance(item, dict) else {}
        return
    with path.open(newline="", encoding="utf-8-sig") as handle:
        reader = csv.DictReader(handle)
        for row in reader:
            yield reader.line_num, row


def import_suppliers(database: Database, organization_id: str, path: Path) -> ImportReport:
    """Upsert the valid suppliers of ``path`` into ``organization_id``; report the rest."""
    report = ImportReport()
    rows: dict[str, SupplierRow] = {}
    for line, raw in read_rows(path):
        try:
            row = parse_row(raw)
        except ValueError as error:
            report.errors.append((line, str(error)))
            continue
        rows[row.name] = row
    with database.session() as session:
        if session.get(Organization, organization_id) is None:
            raise LookupError(f"organization {organization_id!r} does not exist")
        existing = {
            s.name: s for s in session.scalars(select(Supplier).where(Supplier.organization_id == organization_id))
        }
        for row in rows.values():
            current = existing.get(row.name)
            if current is None:
                report.created += 1
            elif (tuple(current.contact_emails), tuple(current.email_domains)) == (
                row.contact_emails,
                row.email_domains,
            ):
                report.unchanged += 1
                continue
            else:
                report.updated += 1
            statement = insert(Supplier).values(
                organization_id=organization_id,
                name=row.name,
                contact_emails=list(row.contact_emails),
                email_domains=list(row.email_domains),
            )
            session.execute(
                statement.on_conflict_do_update(
                    index_elements=[Supplier.organization_id, Supplier.name],
                    set_={
                        Supplier.contact_emails: statement.excluded["contactEmails"],
                        Supplier.email_domains: statement.excluded["emailDomains"],
                        Supplier.updated_at: func.now(),
                    },
                )
            )
    return report


def match_supplier(session: Session, organization_id: str, address: str | None) -> Supplier | None:
    """The organisation's supplier for a sender: by contact address first, then by mail domain.

    A free-mail domain never matches by domain (anyone can write from gmail.com).
    """
    if not address or "@" not in address:
        return None
    address = address.strip().lower()
    domain = address.rsplit("@", 1)[1]
    suppliers = select(Supplier).where(Supplier.organization_id == organization_id).order_by(Supplier.name)
    found = session.scalars(suppliers.where(literal(address) == any_(Supplier.contact_emails))).first()
    if found is None and domain not in FREE_MAIL_DOMAINS:
        found = session.scalars(suppliers.where(literal(domain) == any_(Supplier.email_domains))).first()
    return found
