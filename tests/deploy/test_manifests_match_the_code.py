"""The manifests and images run what the code defines: services, queues, threads, ports, time limits."""

from __future__ import annotations

import re
import tomllib
from typing import Any

import redis

from partsiq.broker_state import queue_depths
from partsiq.queues import SERVICES
from partsiq.settings import Settings
from tests.deploy.deployfiles import OVERLAYS, ROOT, Dockerfile, argv_of, compose, dockerfile_for, find, one, ours, run

#: The port every worker serves /metrics, /healthz and /readyz on, as the settings define it.
METRICS_PORT = Settings.model_fields["metrics_port"].default


def container(deployment: dict[str, Any]) -> dict[str, Any]:
    return deployment["spec"]["template"]["spec"]["containers"][0]


def env(deployment: dict[str, Any], config: dict[str, str]) -> dict[str, str]:
    """The container's environment: the ConfigMap, then its own variables."""
    return {**config, **{e["name"]: e["value"] for e in container(deployment).get("env", [])}}


def test_each_service_of_the_queue_table_is_a_deployment_running_its_worker_with_its_queues_and_threads(manifests):
    docs = manifests["base"]
    config = one(docs, "ConfigMap", "partsiq-config")["data"]

    for name, service in SERVICES.items():
        deployment = one(docs, "Deployment", name)
        annotations = deployment["metadata"]["annotations"]

        assert argv_of(container(deployment))[-2:] == ["worker", name]
        assert container(deployment)["image"] == f"partsiq-{name}"
        assert set(annotations["partsiq.io/queues"].split(",")) == service.queues
        assert int(annotations["partsiq.io/threads"]) == service.threads
        assert int(env(deployment, config)["METRICS_PORT"]) == METRICS_PORT


#: Every long-running process serves /metrics, /healthz and /readyz: the workers, the dispatcher, the scheduler.
PROBED = [*SERVICES, "dispatcher", "scheduler"]


def test_the_metrics_port_is_the_settings_port_in_every_container_probe_and_service(manifests):
    docs = manifests["base"]

    assert sorted(PROBED) == sorted(d["metadata"]["name"] for d in find(docs, "Deployment"))
    for name in PROBED:
        worker = container(one(docs, "Deployment", name))
        service = one(docs, "Service", f"{name}-metrics")

        assert worker["ports"] == [{"name": "metrics", "containerPort": METRICS_PORT}]
        for probe in ("startupProbe", "livenessProbe", "readinessProbe"):
            assert worker[probe]["httpGet"]["port"] == "metrics"
        assert worker["livenessProbe"]["httpGet"]["path"] == "/healthz"
        assert worker["readinessProbe"]["httpGet"]["path"] == "/readyz"
        assert service["spec"]["ports"] == [{"name": "metrics", "port": METRICS_PORT, "targetPort": "metrics"}]
        assert service["spec"]["selector"] == {"app.kubernetes.io/name": name}


def test_the_grace_period_exceeds_the_shutdown_timeout_which_covers_the_longest_job(manifests):
    docs = manifests["base"]
    config = one(docs, "ConfigMap", "partsiq-config")["data"]

    for name, service in SERVICES.items():
        deployment = one(docs, "Deployment", name)
        shutdown = int(
            env(deployment, config).get("SHUTDOWN_TIMEOUT_S", Settings.model_fields["shutdown_timeout_s"].default)
        )
        grace = deployment["spec"]["template"]["spec"]["terminationGracePeriodSeconds"]

        assert shutdown >= max(job.time_limit_s for job in service.job_types)
        assert grace > shutdown


def test_compose_runs_the_same_commands_images_and_shutdown_timeouts_as_kubernetes(manifests):
    services = compose()["services"]
    config = one(manifests["base"], "ConfigMap", "partsiq-config")["data"]

    for deployment in ours(manifests["base"]):
        name = deployment["metadata"]["name"]
        ours_in_compose = services[name]
        kube = container(deployment)

        assert ours_in_compose["command"] == kube["args"]
        assert ours_in_compose["image"].split(":")[0] == kube["image"]
        assert ours_in_compose["build"]["dockerfile"] == f"docker/{kube['image'].removeprefix('partsiq-')}.Dockerfile"
        if name in SERVICES:
            shutdown = env(deployment, config)["SHUTDOWN_TIMEOUT_S"]
            assert ours_in_compose["environment"]["SHUTDOWN_TIMEOUT_S"] == shutdown
            assert ours_in_compose["environment"]["METRICS_PORT"] == str(METRICS_PORT)
            assert (
                ours_in_compose["stop_grace_period"]
                == f"{deployment['spec']['template']['spec']['terminationGracePeriodSeconds']}s"
            )
    scraped = re.findall(r'targets: \["([\w-]+):(\d+)"\]', (ROOT / "monitoring/prometheus/prometheus.yml").read_text())
    assert sorted(scraped) == sorted((name, str(METRICS_PORT)) for name in PROBED)


def test_keda_scales_each_queue_on_its_ready_list_with_a_target_of_its_threads_per_replica(manifests, settings):
    docs = manifests["prod"]
    namespace = one(docs, "ConfigMap", "partsiq-config")["data"]["REDIS_NAMESPACE"]
    client = redis.Redis.from_url(settings.redis_url.get_secret_value())

    for name, service in SERVICES.items():
        (queue,) = service.queues
        trigger = one(docs, "ScaledObject", name)["spec"]["triggers"][0]
        list_name = trigger["metadata"]["listName"]
        # The trigger's key, in the tests' own namespace: it is the list the workers count as ready.
        client.rpush(list_name.replace(f"{namespace}:", f"{settings.redis_namespace}:", 1), "m1", "m2", "m3")

        assert list_name == f"{namespace}:{queue}"
        assert queue_depths(client, settings.redis_namespace, [queue])[queue].ready == 3
        assert int(trigger["metadata"]["listLength"]) == service.threads
        assert one(docs, "ScaledObject", name)["spec"]["minReplicaCount"] >= 1
    client.close()


def test_the_hpa_alternative_targets_each_queue_s_ready_backlog_at_its_threads_per_replica(manifests):
    docs = manifests["prod-hpa"]

    for name, service in SERVICES.items():
        (queue,) = service.queues
        hpa = one(docs, "HorizontalPodAutoscaler", name)
        metric = hpa["spec"]["metrics"][0]["external"]

        assert hpa["spec"]["scaleTargetRef"] == {"apiVersion": "apps/v1", "kind": "Deployment", "name": name}
        assert metric["metric"] == {"name": "partsiq_queue_ready", "selector": {"matchLabels": {"queue": queue}}}
        assert metric["target"] == {"type": "AverageValue", "averageValue": str(service.threads)}
        assert hpa["spec"]["minReplicas"] == one(manifests["prod"], "ScaledObject", name)["spec"]["minReplicaCount"]


def test_an_autoscaled_deployment_has_one_autoscaler_and_no_fixed_replica_count(manifests):
    for overlay in OVERLAYS:
        docs = manifests[overlay]
        targets = [d["spec"]["scaleTargetRef"]["name"] for d in find(docs, "ScaledObject")] + [
            d["spec"]["scaleTargetRef"]["name"] for d in find(docs, "HorizontalPodAutoscaler")
        ]

        assert len(targets) == len(set(targets))
        for name in targets:
            assert "replicas" not in one(docs, "Deployment", name)["spec"]
        assert set(targets) in (set(), set(SERVICES))


def test_the_scheduler_is_one_recreated_replica_without_autoscaler_or_disruption_budget(manifests):
    for overlay in OVERLAYS:
        docs = manifests[overlay]
        scheduler = one(docs, "Deployment", "scheduler")

        assert scheduler["spec"]["replicas"] == 1
        assert scheduler["spec"]["strategy"] == {"type": "Recreate"}
        assert argv_of(container(scheduler))[-1] == "scheduler"
        assert not [
            d
            for d in find(docs, "PodDisruptionBudget")
            if d["spec"]["selector"]["matchLabels"].get("app.kubernetes.io/name") == "scheduler"
        ]
        assert "scheduler" not in {d["spec"]["scaleTargetRef"]["name"] for d in find(docs, "ScaledObject")}


def test_migrations_are_a_job_running_db_upgrade_and_no_worker_migrates(manifests):
    docs = manifests["base"]

    assert argv_of(container(one(docs, "Job", "migrate")))[1:] == ["db", "upgrade"]
    assert all("upgrade" not in argv_of(container(d)) for d in find(docs, "Deployment"))


def test_every_pod_of_ours_carries_the_hardening_block(manifests):
    for overlay in OVERLAYS:
        for workload in ours(manifests[overlay]):
            pod = workload["spec"]["template"]["spec"]
            box = container(workload)
            mounts = {m["mountPath"]: m["name"] for m in box["volumeMounts"]}
            volumes = {v["name"]: v for v in pod["volumes"]}

            assert pod["securityContext"]["runAsNonRoot"] and pod["securityContext"]["runAsUser"] == 10001
            assert pod["securityContext"]["seccompProfile"] == {"type": "RuntimeDefault"}
            assert pod["automountServiceAccountToken"] is False
            assert box["securityContext"]["allowPrivilegeEscalation"] is False
            assert box["securityContext"]["readOnlyRootFilesystem"] is True
            assert box["securityContext"]["capabilities"] == {"drop": ["ALL"]}
            assert "emptyDir" in volumes[mounts["/tmp"]]
            assert {"cpu", "memory"} <= set(box["resources"]["requests"]) and "memory" in box["resources"]["limits"]
            assert {"configMapRef": {"name": "partsiq-config"}} in box["envFrom"]
            assert {"secretRef": {"name": "partsiq-secrets"}} in box["envFrom"]


def test_workers_have_disruption_budgets_and_only_services_that_call_out_may_reach_https(manifests):
    docs = manifests["prod"]
    budgets = {
        d["spec"]["selector"]["matchLabels"]["app.kubernetes.io/name"]: d["spec"]
        for d in find(docs, "PodDisruptionBudget")
    }
    https = one(docs, "NetworkPolicy", "egress-https")["spec"]["podSelector"]["matchLabels"]
    calls_out = {
        d["metadata"]["name"]
        for d in ours(docs)
        if all(d["spec"]["template"]["metadata"]["labels"].get(k) == v for k, v in https.items())
    }
    deny = one(docs, "NetworkPolicy", "default-deny")["spec"]

    assert all(
        budgets[name]
        == {"maxUnavailable": 1, "unhealthyPodEvictionPolicy": "AlwaysAllow", "selector": budgets[name]["selector"]}
        for name in [*SERVICES, "dispatcher"]
    )
    assert calls_out == {"parts-search", "email-monitor", "quote-extraction"}
    assert deny == {"podSelector": {}, "policyTypes": ["Ingress", "Egress"]}


def test_no_secret_value_is_in_the_repository_but_the_dev_overlay_s_passwordless_urls(manifests):
    for overlay in OVERLAYS:
        secrets = find(manifests[overlay], "Secret")
        if overlay != "dev":
            assert secrets == []
            continue
        (secret,) = secrets
        assert set(secret["data"]) == {"REDIS_URL", "DATABASE_URL"}
    for path in [*ROOT.joinpath("k8s").rglob("*.yaml"), ROOT / "docker/compose.yaml"]:
        assert not re.search(r"(?i)(password|token|apikey|api_key)\s*[:=]\s*\S{6,}", path.read_text()), path


def packages(name: str) -> set[str]:
    """The locked distributions an image installs for workspace package ``name``, as its Dockerfile exports them."""
    result = run(
        str(ROOT / ".cache/uv-tool/bin/uv"),
        "export",
        "--frozen",
        "--no-dev",
        "--no-emit-workspace",
        "--no-hashes",
        "--package",
        name,
        cwd=ROOT,
    )
    assert result.returncode == 0, result.stderr
    return {line.split("==")[0].lower() for line in result.stdout.splitlines() if "==" in line}


def dependencies(pyproject: str) -> set[str]:
    project = tomllib.loads((ROOT / pyproject).read_text())["project"]
    return {re.split(r"[<>=!~\[ ;]", dep)[0].lower() for dep in project["dependencies"]} - {"partsiq"}


def test_each_image_installs_only_its_own_service_s_dependencies():
    own = {
        "parts-search": dependencies("services/parts_search/pyproject.toml"),
        "email-monitor": dependencies("services/email_monitor/pyproject.toml"),
        "quote-extraction": dependencies("services/quote_extraction/pyproject.toml"),
        "platform": set(),
    }
    embedding = {
        re.split(r"[<>=!~\[ ]", line)[0].lower()
        for line in (ROOT / "services/parts_search/requirements-embedding.txt").read_text().splitlines()
        if line.strip() and not line.startswith("#")
    }

    assert {"litellm", "pdfplumber", "google-api-python-client", "imapclient"} <= own["email-monitor"] | own[
        "quote-extraction"
    ]
    assert "torch" in embedding
    for image in own:
        dockerfile = Dockerfile.read(image)
        installed = packages(dockerfile.package)
        others = set().union(*(deps for other, deps in own.items() if other != image)) - packages(dockerfile.package)
        copied = {args.split()[0] for args in dockerfile.all("COPY") if args.startswith("services/")}

        assert dockerfile.package == ("partsiq" if image == "platform" else f"partsiq-{image}")
        assert own[image] <= installed and not installed & others
        assert {c.split("/")[1] for c in copied} <= {image.replace("-", "_")}
        assert ("requirements-embedding.txt" in dockerfile.path.read_text()) == (image == "parts-search")


def test_the_scheduler_s_image_holds_every_service_that_declares_periodic_work(manifests):
    periodic = {
        path.parent.name.replace("_", "-")
        for path in ROOT.glob("services/*/pyproject.toml")
        if "partsiq.periodic" in tomllib.loads(path.read_text())["project"].get("entry-points", {})
    }
    image = container(one(manifests["base"], "Deployment", "scheduler"))["image"]
    installed = {
        args.split()[0].split("/")[1].replace("_", "-")
        for args in dockerfile_for(image).all("COPY")
        if args.startswith("services/") and args.split()[0].endswith("/")
    }

    assert periodic == {"email-monitor"}
    assert periodic <= installed


def test_every_dockerfile_is_multi_stage_from_a_base_argument_with_locked_deps_before_the_code():
    makefile_uv = re.search(r"^UV_VERSION := (\S+)$", (ROOT / "Makefile").read_text(), re.M)[1]

    for path in sorted((ROOT / "docker").glob("*.Dockerfile")):
        dockerfile = Dockerfile.read(path.name.removesuffix(".Dockerfile"))
        froms = dockerfile.all("FROM")

        assert dockerfile.instructions[0] == ("ARG", dockerfile.all("ARG")[0]) and dockerfile.all("ARG")[0].startswith(
            "BASE="
        )
        assert len(froms) == 2 and all(f.startswith("${BASE}") for f in froms)
        assert f"ARG UV_VERSION={makefile_uv}" in [f"ARG {a}" for a in dockerfile.all("ARG")]
        assert dockerfile.index("RUN", "uv export") < dockerfile.index("COPY", "shared/ shared/")
        assert "--require-hashes" in dockerfile.all("RUN")[1]
        assert dockerfile.all("USER") == ["10001:10001"]
        assert dockerfile.exec_form("ENTRYPOINT") == ["/opt/venv/bin/partsiq"]
        assert dockerfile.exec_form("CMD")[0] == "worker"
