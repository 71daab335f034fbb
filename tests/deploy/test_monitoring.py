"""Alerts, dashboard and adapter rule: valid PromQL over series the workers really export."""

from __future__ import annotations

import json
import re
import signal
import sys

import yaml

from partsiq.queues import SERVICES
from tests.deploy.deployfiles import ROOT, run, tool
from tests.support.metrics import get, metrics_port
from tests.support.waiting import wait_for

ALERTS = ROOT / "monitoring/prometheus/alerts.yaml"
DASHBOARD = ROOT / "k8s/components/monitoring/dashboards/partsiq-workers.json"
ADAPTER = ROOT / "k8s/components/hpa/prometheus-adapter-values.yaml"
#: Values for Grafana's variables and macros, so that promtool can parse a panel's query.
GRAFANA_VARIABLES = {"$__rate_interval": "5m", "$__range": "6h", "$namespace": "partsiq", "$service": "platform"}


def dashboard_queries() -> list[str]:
    panels = json.loads(DASHBOARD.read_text())["panels"]
    return [target["expr"] for panel in panels for target in panel.get("targets", [])]


def alert_queries() -> list[str]:
    return [rule["expr"] for group in yaml.safe_load(ALERTS.read_text())["groups"] for rule in group["rules"]]


def adapter_queries() -> list[str]:
    """Each prometheus-adapter rule's query as the adapter expands it for the HPA's selector."""
    rules = yaml.safe_load(ADAPTER.read_text())["rules"]["external"]
    return [
        rule["metricsQuery"]
        .replace("<<.Series>>", rule["seriesQuery"].split("{")[0])
        .replace("<<.LabelMatchers>>", 'namespace="partsiq",queue="parts-search"')
        .replace("<<.GroupBy>>", "namespace,queue")
        for rule in rules
    ]


def check_parses(queries: list[str], tmp_path) -> None:
    """``promtool check rules`` on a rule file recording each query: every one must parse."""
    rules = [{"record": f"partsiq:query_{index}", "expr": query} for index, query in enumerate(queries)]
    path = tmp_path / "queries.rules.yaml"
    path.write_text(yaml.safe_dump({"groups": [{"name": "queries", "rules": rules}]}))
    result = run(tool("promtool"), "check", "rules", str(path))
    assert result.returncode == 0, result.stdout + result.stderr
    assert f"SUCCESS: {len(queries)} rules found" in result.stdout


def test_promtool_checks_the_alert_rules():
    result = run(tool("promtool"), "check", "rules", str(ALERTS))

    assert result.returncode == 0, result.stdout + result.stderr


def test_the_alerts_unit_tests_pass():
    result = run(tool("promtool"), "test", "rules", "alerts.test.yaml", cwd=ALERTS.parent)

    assert result.returncode == 0, result.stdout + result.stderr
    assert "SUCCESS" in result.stdout


def test_every_alert_named_by_the_issue_is_there_and_unit_tested():
    names = {rule["alert"] for group in yaml.safe_load(ALERTS.read_text())["groups"] for rule in group["rules"]}
    tests = yaml.safe_load((ALERTS.parent / "alerts.test.yaml").read_text())["tests"]
    tested = {case["alertname"] for test in tests for case in test["alert_rule_test"] if case["exp_alerts"]}

    assert {
        "PartsIQQueueBacklogGrowing",
        "PartsIQJobFailureRatioHigh",
        "PartsIQWorkerAbsent",
        "PartsIQEmailSyncStale",
        "PartsIQDeadLettersGrowing",
    } <= names
    assert tested == names


def test_every_dashboard_query_parses(tmp_path):
    queries = dashboard_queries()
    for variable, value in GRAFANA_VARIABLES.items():
        queries = [q.replace(variable, value) for q in queries]

    assert len(queries) >= 15 and not any("$" in q for q in queries)
    check_parses(queries, tmp_path)


def test_a_query_that_does_not_parse_is_caught(tmp_path):
    result_path = tmp_path / "bad"
    result_path.mkdir()

    try:
        check_parses(["sum by (queue (rate(partsiq_jobs_total[5m]))"], result_path)
    except AssertionError as error:
        assert "parse error" in str(error)
    else:
        raise AssertionError("promtool accepted a broken query")


def test_the_prometheus_adapter_rule_parses_and_reads_the_ready_backlog_only(tmp_path):
    queries = adapter_queries()

    check_parses(queries, tmp_path)
    assert all('state="ready"' in query for query in queries)


def test_the_dashboard_has_a_stable_uid_and_datasource_namespace_and_service_variables():
    board = json.loads(DASHBOARD.read_text())
    variables = {v["name"]: v for v in board["templating"]["list"]}
    titles = " | ".join(p["title"] for p in board["panels"])

    assert board["uid"] == "partsiq-workers"
    assert variables["datasource"]["type"] == "datasource" and {"namespace", "service"} <= set(variables)
    assert all(p["datasource"]["uid"] == "${datasource}" for p in board["panels"] if p["type"] != "row")
    for subject in (
        "backlog",
        "Throughput",
        "Failure ratio",
        "percentiles",
        "deferrals",
        "Processes up",
        "Dispatcher and scheduler",
        "mailbox sync",
        "Search latency",
        "review",
        "findings",
    ):
        assert subject in titles


def test_the_generated_dashboard_and_prometheus_rule_are_current():
    result = run(sys.executable, str(ROOT / "monitoring/generate.py"), "--check")

    assert result.returncode == 0, result.stderr


def exported_names(exposition: str) -> set[str]:
    """Every series name a /metrics page can carry, from its TYPE lines (present before any sample)."""
    suffixes = {"counter": ["_total", "_created"], "histogram": ["_bucket", "_sum", "_count", "_created"]}
    names = set()
    for name, kind in re.findall(r"^# TYPE (\S+) (\S+)$", exposition, re.M):
        names.add(name)
        names.update(name + suffix for suffix in suffixes.get(kind, []))
    return names


def test_every_series_the_alerts_dashboard_and_adapter_read_is_exported_by_our_processes(
    settings, worker_process, partsiq_process
):
    workers = [worker_process(name) for name in SERVICES] + [
        partsiq_process("dispatcher"),
        partsiq_process("scheduler"),
    ]
    exported = {"up"}
    for worker in workers:
        port = metrics_port(worker)
        wait_for(lambda port=port: get(port, "/readyz")[0] == 200, what="the worker to be ready")
        exported |= exported_names(get(port, "/metrics")[1])
        worker.signal(signal.SIGTERM)
    queries = alert_queries() + dashboard_queries() + adapter_queries()
    read = {name for query in queries for name in re.findall(r"\b(partsiq_[a-z_]+)(?=[{\[)\s])", query)}

    assert {"partsiq_queue_messages", "partsiq_mail_oldest_sync_age_seconds", "partsiq_quotes_extracted_total"} <= read
    assert {"partsiq_dispatcher_jobs_total", "partsiq_scheduler_ticks_total"} <= read
    assert read - exported == set()
    assert all(worker.wait(timeout=60) == 0 for worker in workers)


def test_the_readme_says_what_each_alert_means_and_what_to_do():
    alerts = {rule["alert"] for group in yaml.safe_load(ALERTS.read_text())["groups"] for rule in group["rules"]}
    rows = re.findall(r"^\| `(PartsIQ\w+)`[^|]*\|([^|]+)\|([^|]+)\|$", (ROOT / "README.md").read_text(), re.M)

    assert {name for name, _, _ in rows} == alerts
    assert all(means.strip() and do.strip() for _, means, do in rows)
