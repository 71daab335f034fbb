"""Ingestion from the Gmail emulator: messages stored per second, HTTP requests per message, quota use.

    python -m bench.gmail_ingest            # BENCH_MESSAGES=2000, 50 ms per HTTP request

(a) quota not enforced: how fast a first sync of BENCH_MESSAGES stores them, and how many HTTP
    requests it needs per message (batching: targets >= 100 messages/s, <= 1 request per 40);
(b) the emulator enforcing 15,000 units per minute per user: the sustained rate as a fraction of
    the quota ceiling (target >= 0.9) and the 429s after the first minute (target 0);
plus the cost of an incremental sync of the unchanged mailbox (one history call).
The real google-api-python-client, the real sync (PostgreSQL, classification, threading).
"""

from __future__ import annotations

import os
import time
from pathlib import Path

import psycopg
from pydantic import SecretStr

from email_monitor.settings import EmailMonitorSettings
from email_monitor.sync import sync_mailbox
from partsiq import runtime
from partsiq.credentials import Keyring, new_key
from partsiq.db import create_database_if_missing, upgrade
from partsiq.db.models import Integration, IntegrationProvider, Organization
from tests.support.gmail_emulator import COST, gmail_emulator

MESSAGES = int(os.environ.get("BENCH_MESSAGES", "2000"))
LATENCY_S = float(os.environ.get("BENCH_LATENCY_MS", "50")) / 1000
DATABASE = "postgresql+psycopg://postgres@127.0.0.1:5432/partsiq_bench_mail"
KEY = f"k1:{new_key()}"
SAMPLES = sorted(p for p in (Path(__file__).parent / "mail").glob("*.eml") if not p.name.startswith("iv-"))


def fresh_settings(emulator_endpoint: str, token_uri: str, quota: int | None) -> EmailMonitorSettings:
    settings = EmailMonitorSettings(
        database_url=DATABASE,
        redis_namespace="partsiq-bench-mail",
        log_level="WARNING",
        credentials_encryption_key=SecretStr(KEY),
        gmail_api_endpoint=emulator_endpoint,
        gmail_token_uri=token_uri,
        mail_gmail_full_sync_query="",
        mail_max_messages_per_sync=1_000_000,
        # (a) measures ingestion itself: our pacing off too; (b) paces at Gmail's quota.
        gmail_quota_units_per_minute=quota or 100_000_000,
    )
    with psycopg.connect("postgresql://postgres@127.0.0.1:5432/postgres", autocommit=True) as conn:
        conn.execute("DROP DATABASE IF EXISTS partsiq_bench_mail WITH (FORCE)")
    create_database_if_missing(settings)
    upgrade(settings)
    return settings


def run(quota: int | None) -> None:
    with gmail_emulator(latency_s=LATENCY_S, quota_per_minute=quota) as emulator:
        for n in range(MESSAGES):
            raw = SAMPLES[n % len(SAMPLES)].read_bytes().replace(b"Message-ID: <", f"Message-ID: <{n}.".encode(), 1)
            emulator.add(raw)
        settings = fresh_settings(emulator.endpoint, emulator.token_uri, quota)
        rt = runtime.start(settings)
        with rt.database.session() as session:
            session.add(Organization(id="org_bench", name="Bench"))
            session.flush()
            integration = Integration(organization_id="org_bench", provider=IntegrationProvider.GMAIL)
            secret = {"client_id": "c", "client_secret": "s", "refresh_token": emulator.refresh_token}
            integration.credentials = Keyring.parse(KEY).encrypt_json(secret, "org_bench/GMAIL")
            session.add(integration)
        emulator.requests.clear()
        started = time.monotonic()
        report = sync_mailbox(rt.database, settings, "org_bench")
        elapsed = time.monotonic() - started
        requests = len(emulator.requests)
        units = sum(u for _, u in emulator.quota_used) if quota is None else None
        late_429 = sum(1 for t in emulator.throttled if t - started > 60)
        print(f"  stored {report.stored} of {MESSAGES} in {elapsed:.1f} s: {report.stored / elapsed:.0f} messages/s")
        print(
            f"  HTTP requests: {requests} ({requests / report.stored:.4f} per message, "
            f"1 per {report.stored / requests:.0f})"
        )
        used = report.usage["quotaUnits"]
        if quota is None:
            print(f"  quota units: {used} ({units} counted by the emulator)")
        else:
            ceiling = quota / 60 * elapsed
            print(f"  quota units used {used} in {elapsed:.1f} s: {used / ceiling:.2f} of the {quota}/min ceiling")
            print(f"  429s: {len(emulator.throttled)} in all, {late_429} after the first minute")
        emulator.requests.clear()
        again = sync_mailbox(rt.database, settings, "org_bench")
        print(f"  incremental sync of the unchanged mailbox: {len(emulator.requests)} HTTP request(s), "
              f"{again.usage['quotaUnits']} units, {again.stored} stored")  # fmt: skip
        rt.close()


def main() -> None:
    print(
        f"Gmail emulator, {MESSAGES} messages, {LATENCY_S * 1000:.0f} ms per HTTP request, "
        "list pages of 500 ids, batches of 50"
    )
    print(f"(a) quota not enforced (messages.get costs {COST['get']} units)")
    run(None)
    print("(b) quota enforced: 15,000 units per minute per user")
    run(15_000)


if __name__ == "__main__":
    main()
