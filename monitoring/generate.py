"""Write the Grafana dashboard and the PrometheusRule from their sources: ``python monitoring/generate.py``.

- ``k8s/components/monitoring/dashboards/partsiq-workers.json``: the dashboard, built here from panels
  whose PromQL names only series the workers export (``partsiq.metrics`` and the services' ``metrics``).
  Compose's Grafana provisions the same file.
- ``k8s/components/monitoring/prometheusrule.yaml``: ``monitoring/prometheus/alerts.yaml`` (the one source
  of the alerts, loaded as is by compose's Prometheus) wrapped in a Prometheus Operator resource.

``--check`` changes nothing and exits 1 if a file is not what this script writes (tests/deploy runs it).
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parents[1]
ALERTS = ROOT / "monitoring/prometheus/alerts.yaml"
DASHBOARD = ROOT / "k8s/components/monitoring/dashboards/partsiq-workers.json"
PROMETHEUS_RULE = ROOT / "k8s/components/monitoring/prometheusrule.yaml"

#: Matchers every query carries: the dashboard's namespace and service (scrape job) variables.
SEL = 'namespace=~"$namespace", job=~"$service"'
RATE = "$__rate_interval"
#: Every panel and variable asks the Prometheus chosen in the ``datasource`` variable.
DATASOURCE = {"type": "prometheus", "uid": "${datasource}"}


def target(expr: str, legend: str, ref: str) -> dict[str, Any]:
    """One PromQL query of a panel."""
    return {"datasource": DATASOURCE, "expr": expr, "legendFormat": legend, "refId": ref}


def panel(
    title: str,
    description: str,
    queries: list[tuple[str, str]],
    *,
    unit: str = "short",
    kind: str = "timeseries",
    width: int = 8,
    max_value: float | None = None,
) -> dict[str, Any]:
    """A panel; its position is set by :func:`layout`."""
    defaults: dict[str, Any] = {"unit": unit}
    if max_value is not None:
        defaults["max"] = max_value
    body: dict[str, Any] = {
        "type": kind,
        "title": title,
        "description": description,
        "datasource": DATASOURCE,
        "fieldConfig": {"defaults": defaults, "overrides": []},
        "targets": [target(expr, legend, chr(ord("A") + i)) for i, (expr, legend) in enumerate(queries)],
        "gridPos": {"w": width, "h": 8},
    }
    if kind == "timeseries":
        body["options"] = {"legend": {"displayMode": "list", "placement": "bottom"}, "tooltip": {"mode": "multi"}}
    return body


def row(title: str) -> dict[str, Any]:
    """A row header."""
    return {"type": "row", "title": title, "collapsed": False, "panels": [], "gridPos": {"w": 24, "h": 1}}


def quantiles(selector: str, by: str) -> list[tuple[str, str]]:
    """p50, p95 and p99 of the job duration histogram, by ``by``."""
    buckets = f"rate(partsiq_job_duration_seconds_bucket{{{selector}}}[{RATE}])"
    return [
        (
            f"histogram_quantile({q}, sum by ({by}, le) ({buckets}))",
            f"p{int(q * 100)} {{{{{by}}}}}",
        )
        for q in (0.5, 0.95, 0.99)
    ]


def panels() -> list[dict[str, Any]]:
    """Every row and panel, in reading order."""
    state = 'partsiq_queue_messages{%s, state="%s"}'
    return [
        row("Queues"),
        panel(
            "Ready backlog per queue",
            "Messages waiting for a worker (what the autoscaler scales on). Every replica reports the same value.",
            [(f"max by (queue) ({state % (SEL, 'ready')})", "{{queue}}")],
        ),
        panel(
            "In flight and delayed per queue",
            "In flight: fetched, not acknowledged. Delayed: retries and rate-limit deferrals waiting for their time.",
            [
                (f"max by (queue) ({state % (SEL, 'in_flight')})", "in flight {{queue}}"),
                (f"max by (queue) ({state % (SEL, 'delayed')})", "delayed {{queue}}"),
            ],
        ),
        panel(
            "Dead letters per queue",
            "Jobs that exhausted their retries (kept 7 days). `partsiq jobs retry ID` puts one back.",
            [(f"max by (queue) ({state % (SEL, 'dead')})", "{{queue}}")],
        ),
        row("Jobs"),
        panel(
            "Throughput by outcome",
            "Attempts ended per second: completed, retried (will run again), failed (for good).",
            [(f"sum by (queue, outcome) (rate(partsiq_jobs_total{{{SEL}}}[{RATE}]))", "{{queue}} {{outcome}}")],
            unit="ops",
        ),
        panel(
            "Failure ratio",
            "Failed for good over all ended attempts. The PartsIQJobFailureRatioHigh alert fires above 10 %.",
            [
                (
                    f'sum by (queue) (rate(partsiq_jobs_total{{{SEL}, outcome="failed"}}[{RATE}]))'
                    f" / sum by (queue) (rate(partsiq_jobs_total{{{SEL}}}[{RATE}]))",
                    "{{queue}}",
                )
            ],
            unit="percentunit",
            max_value=1,
        ),
        panel(
            "Job duration percentiles", "Wall time of one attempt, by job type.", quantiles(SEL, "job_type"), unit="s"
        ),
        panel(
            "Rate-limit deferrals",
            "Jobs put back because their organisation's (or the global) rate limit was reached; no attempt used.",
            [(f"sum by (job_type) (rate(partsiq_rate_limit_deferrals_total{{{SEL}}}[{RATE}]))", "{{job_type}}")],
            unit="ops",
        ),
        panel(
            "Processes up and running jobs",
            "Healthy processes per service (scraped targets up: workers, dispatcher, scheduler), and job attempts "
            "running now.",
            [
                (f"sum by (job) (up{{{SEL}}})", "up {{job}}"),
                (f"sum by (queue) (partsiq_jobs_in_progress{{{SEL}}})", "running {{queue}}"),
            ],
        ),
        panel(
            "Duplicate messages skipped",
            "Redeliveries of jobs that had finished or were running elsewhere (exactly-once guard).",
            [
                (
                    f"sum by (job_type, reason) (rate(partsiq_duplicate_messages_total{{{SEL}}}[{RATE}]))",
                    "{{job_type}} {{reason}}",
                )
            ],
            unit="ops",
        ),
        panel(
            "Dispatcher and scheduler",
            "Rows the dispatcher published (the web app's PENDING rows), refused (invalid, FAILED with the reason) "
            "and recovered (messages Redis lost, republished); periodic actors the scheduler sent.",
            [
                (f"sum by (action) (rate(partsiq_dispatcher_jobs_total{{{SEL}}}[{RATE}]))", "dispatcher {{action}}"),
                (f"sum by (actor) (rate(partsiq_scheduler_ticks_total{{{SEL}}}[{RATE}]))", "scheduler {{actor}}"),
            ],
            unit="ops",
        ),
        row("Email monitor"),
        panel(
            "Oldest mailbox sync",
            "Seconds since the least recently synced ACTIVE mailbox last synced. Alert above 15 minutes.",
            [(f"max(partsiq_mail_oldest_sync_age_seconds{{{SEL}}})", "oldest sync")],
            unit="s",
            kind="stat",
        ),
        panel(
            "Mailboxes by status",
            "Connected mailboxes: ACTIVE, NEEDS_REAUTH (a revoked grant), ...",
            [(f"max by (status) (partsiq_mail_mailboxes{{{SEL}}})", "{{status}}")],
        ),
        panel(
            "Messages stored and scheduler ticks",
            "Messages stored per second by classification; seconds since the 5-minute fan-out last ran.",
            [
                (f"sum by (outcome) (rate(partsiq_mail_messages_total{{{SEL}}}[{RATE}]))", "{{outcome}}"),
                (
                    "time() - max(partsiq_periodic_last_success_timestamp_seconds"
                    f'{{{SEL}, job_type="email-sync-tick"}})',
                    "seconds since the tick",
                ),
            ],
        ),
        row("Parts search and quote extraction"),
        panel(
            "Search latency",
            "Whole search job, percentiles (the job aims to answer within 5 s).",
            quantiles(f'{SEL}, job_type="search"', "job_type"),
            unit="s",
        ),
        panel(
            "Search agents, p95",
            "Each agent's 95th percentile time to answer (catalog 2 s, semantic 3 s, relationships 2 s timeouts).",
            [
                (
                    "histogram_quantile(0.95, sum by (agent, le) "
                    f"(rate(partsiq_search_agent_seconds_bucket{{{SEL}}}[{RATE}])))",
                    "{{agent}}",
                )
            ],
            unit="s",
        ),
        panel(
            "Degraded search answers",
            "Share of answers missing a source (an agent failed or timed out), and agent failures by outcome.",
            [
                (
                    f'sum(rate(partsiq_search_answers_total{{{SEL}, degraded="true"}}[{RATE}]))'
                    f" / sum(rate(partsiq_search_answers_total{{{SEL}}}[{RATE}]))",
                    "degraded share",
                ),
                (
                    "sum by (agent, outcome) "
                    f'(rate(partsiq_search_agent_seconds_count{{{SEL}, outcome!="ok"}}[{RATE}]))'
                    f" / ignoring(agent, outcome) group_left sum(rate(partsiq_search_answers_total{{{SEL}}}[{RATE}]))",
                    "{{agent}} {{outcome}}",
                ),
            ],
            unit="percentunit",
            max_value=1,
        ),
        panel(
            "Quotes needing review",
            "Share of stored quotes whose verification failed (NEEDS_REVIEW), by extractor.",
            [
                (
                    f'sum by (extractor) (rate(partsiq_quotes_extracted_total{{{SEL}, status="NEEDS_REVIEW"}}[{RATE}]))'
                    f" / sum by (extractor) (rate(partsiq_quotes_extracted_total{{{SEL}}}[{RATE}]))",
                    "{{extractor}}",
                )
            ],
            unit="percentunit",
            max_value=1,
        ),
        panel(
            "Verification findings by check",
            "Checks that failed on stored quotes (amounts absent from the source, totals that do not add up, ...).",
            [
                (
                    f"sum by (check, severity) (increase(partsiq_quote_findings_total{{{SEL}}}[$__range]))",
                    "{{check}} {{severity}}",
                )
            ],
            kind="bargauge",
        ),
    ]


class _BlockDumper(yaml.SafeDumper):
    """Multi-line strings as ``|`` blocks, as they are written in alerts.yaml."""


def _str(dumper: yaml.SafeDumper, value: str) -> yaml.ScalarNode:
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style="|" if "\n" in value else None)


_BlockDumper.add_representer(str, _str)


def layout(items: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Place panels left to right, a new line when the row is full or at each row header."""
    x = y = height = 0
    for index, item in enumerate(items, start=1):
        w, h = item["gridPos"]["w"], item["gridPos"]["h"]
        if item["type"] == "row" or x + w > 24:
            y, x, height = y + height, 0, 0
        item["gridPos"] = {"x": x, "y": y, "w": w, "h": h}
        item["id"] = index
        x, height = x + w, max(height, h)
        if item["type"] == "row":
            y, x, height = y + h, 0, 0
    return items


def variable(name: str, label: str, query: str) -> dict[str, Any]:
    """A multi-value query variable with an All option matching everything."""
    return {
        "name": name,
        "label": label,
        "type": "query",
        "datasource": DATASOURCE,
        "query": {"query": query, "refId": name},
        "definition": query,
        "refresh": 2,
        "includeAll": True,
        "multi": True,
        "allValue": ".*",
        "current": {"selected": True, "text": ["All"], "value": ["$__all"]},
        "sort": 1,
    }


def dashboard() -> dict[str, Any]:
    """The whole dashboard: stable uid, datasource, namespace and service variables."""
    return {
        "uid": "partsiq-workers",
        "title": "PartsIQ workers",
        "description": "Queues, jobs and services of the PartsIQ workers. Generated by monitoring/generate.py.",
        "tags": ["partsiq"],
        "timezone": "utc",
        "schemaVersion": 39,
        "version": 1,
        "editable": False,
        "graphTooltip": 1,
        "refresh": "30s",
        "time": {"from": "now-6h", "to": "now"},
        "templating": {
            "list": [
                {
                    "name": "datasource",
                    "label": "Prometheus",
                    "type": "datasource",
                    "query": "prometheus",
                    "current": {},
                    "hide": 0,
                },
                variable("namespace", "Namespace", "label_values(partsiq_uptime_seconds, namespace)"),
                variable("service", "Service", 'label_values(partsiq_uptime_seconds{namespace=~"$namespace"}, job)'),
            ]
        },
        "annotations": {"list": []},
        "links": [],
        "panels": layout(panels()),
    }


def prometheus_rule() -> str:
    """alerts.yaml as a PrometheusRule resource, multi-line expressions kept as blocks."""
    groups = yaml.safe_load(ALERTS.read_text())["groups"]
    resource = {
        "apiVersion": "monitoring.coreos.com/v1",
        "kind": "PrometheusRule",
        "metadata": {"name": "partsiq"},
        "spec": {"groups": groups},
    }
    header = "# Generated from monitoring/prometheus/alerts.yaml by monitoring/generate.py: edit that, not this.\n"
    return header + yaml.dump(resource, Dumper=_BlockDumper, sort_keys=False, width=110)


def outputs() -> dict[Path, str]:
    """Each generated file and its content."""
    return {
        DASHBOARD: json.dumps(dashboard(), indent=2) + "\n",
        PROMETHEUS_RULE: prometheus_rule(),
    }


def main(argv: list[str]) -> int:
    """Write the files, or with ``--check`` report the stale ones."""
    check = "--check" in argv
    stale = []
    for path, text in outputs().items():
        if check:
            if not path.exists() or path.read_text() != text:
                stale.append(str(path.relative_to(ROOT)))
            continue
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
        print(f"wrote {path.relative_to(ROOT)}")
    if stale:
        print(f"stale (run `make monitoring`): {', '.join(stale)}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
