"""Every deployment file passes the validator made for it, offline (the tools `make lint-tools` and .ci/run install)."""

from __future__ import annotations

import copy
import json
import re
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import yaml

from tests.deploy.deployfiles import CRD_SCHEMAS, OVERLAYS, ROOT, SCHEMAS, run, tool

DOCKERFILES = sorted(str(path) for path in (ROOT / "docker").glob("*.Dockerfile"))


def test_every_overlay_renders_with_the_workers_the_dispatcher_the_scheduler_and_the_migration(manifests):
    for overlay in OVERLAYS:
        names = {d["metadata"]["name"] for d in manifests[overlay] if d["kind"] in {"Deployment", "Job"}}

        assert {
            "parts-search",
            "email-monitor",
            "quote-extraction",
            "platform",
            "dispatcher",
            "scheduler",
            "migrate",
        } <= names


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_built_in_kinds_pass_kubernetes_validate_strict_and_only_our_crds_are_left_unchecked(overlay, rendered_dir):
    result = run(tool("kubernetes-validate"), "--strict", "--quiet", str(rendered_dir / f"{overlay}.yaml"))

    unchecked = set(
        re.findall(r"Couldn't find schema for kind (\w+) with api version (\S+)", result.stdout + result.stderr)
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "ERROR" not in result.stdout + result.stderr
    assert unchecked <= {(kind, api) for api, kind in CRD_SCHEMAS}


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_custom_resources_validate_against_their_crd_schemas(overlay, manifests):
    custom = [d for d in manifests[overlay] if (d["apiVersion"], d["kind"]) in CRD_SCHEMAS]

    for resource in custom:
        schema = json.loads(CRD_SCHEMAS[resource["apiVersion"], resource["kind"]].read_text())
        jsonschema.Draft7Validator(schema).validate(resource)
    assert custom or overlay == "dev"


def test_the_crd_schemas_reject_a_misspelt_field(manifests):
    scaled = copy.deepcopy(next(d for d in manifests["prod"] if d["kind"] == "ScaledObject"))
    scaled["spec"]["triggers"][0]["authRef"] = scaled["spec"]["triggers"][0].pop("authenticationRef")
    schema = json.loads(CRD_SCHEMAS["keda.sh/v1alpha1", "ScaledObject"].read_text())

    with pytest.raises(jsonschema.ValidationError, match="authRef"):
        jsonschema.Draft7Validator(schema).validate(scaled)


def test_skaffold_yaml_validates_against_the_schema_of_its_api_version():
    schema = next(SCHEMAS.glob("skaffold-*.json"))
    config = yaml.safe_load((ROOT / "skaffold.yaml").read_text())

    result = run(tool("check-jsonschema"), "--schemafile", str(schema), str(ROOT / "skaffold.yaml"))

    assert result.returncode == 0, result.stdout + result.stderr
    assert config["apiVersion"] == "skaffold/" + schema.stem.removeprefix("skaffold-")


def test_skaffold_builds_every_image_the_manifests_use_from_its_dockerfile_with_the_root_as_context(manifests):
    config = yaml.safe_load((ROOT / "skaffold.yaml").read_text())
    artifacts = {a["image"]: a for a in config["build"]["artifacts"]}
    used = {
        c["image"].split(":")[0]
        for overlay in OVERLAYS
        for d in manifests[overlay]
        if d["kind"] in {"Deployment", "Job"}
        for c in d["spec"]["template"]["spec"]["containers"]
        if c["image"].startswith("partsiq-")
    }
    paths = [config["manifests"]["kustomize"]["paths"][0]] + [
        p["manifests"]["kustomize"]["paths"][0] for p in config["profiles"] if "manifests" in p
    ]

    assert set(artifacts) == used
    for image, artifact in artifacts.items():
        assert artifact["context"] == "."
        assert artifact["docker"]["dockerfile"] == f"docker/{image.removeprefix('partsiq-')}.Dockerfile"
        assert (ROOT / artifact["docker"]["dockerfile"]).exists()
    assert all((ROOT / path / "kustomization.yaml").exists() for path in paths)


def checkov(directory: Path, framework: str) -> tuple[dict[str, Any], str]:
    """checkov's JSON report on ``directory``, and its raw output for failure messages."""
    result = run(
        tool("checkov"), "-d", str(directory), "--framework", framework, "--skip-download", "-o", "json", timeout=300
    )
    return json.loads(result.stdout), result.stdout


def test_checkov_passes_on_the_rendered_manifests_and_every_skip_says_why(rendered_dir):
    report, output = checkov(rendered_dir, "kubernetes")

    assert report["summary"]["failed"] == 0, output[:4000]
    assert report["summary"]["passed"] > 500 and report["summary"]["parsing_errors"] == 0
    skipped = report["results"].get("skipped_checks", [])
    assert skipped and all(len(check["check_result"].get("suppress_comment", "")) > 20 for check in skipped)


def test_checkov_passes_on_the_dockerfiles_and_every_skip_says_why():
    report, output = checkov(ROOT / "docker", "dockerfile")

    assert report["summary"]["failed"] == 0, output[:4000]
    assert report["summary"]["passed"] > 100 and report["summary"]["resource_count"] == 4
    assert all(len(c["check_result"].get("suppress_comment", "")) > 20 for c in report["results"]["skipped_checks"])


def test_hadolint_passes_on_every_dockerfile():
    result = run(tool("hadolint"), *DOCKERFILES)

    assert len(DOCKERFILES) == 4
    assert result.returncode == 0, result.stdout + result.stderr


def test_yamllint_passes_on_every_deployment_file():
    result = run(
        tool("yamllint"),
        "--strict",
        "-c",
        str(ROOT / ".yamllint.yaml"),
        "k8s",
        "docker",
        "monitoring",
        "skaffold.yaml",
        "schemas/k8s",
        cwd=ROOT,
    )

    assert result.returncode == 0, result.stdout + result.stderr


def test_yamllint_catches_a_duplicate_key(tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text("a: 1\nb: 2\na: 3\n")

    result = run(tool("yamllint"), "-c", str(ROOT / ".yamllint.yaml"), str(bad))

    assert result.returncode == 1 and "duplication of key" in result.stdout


def test_compose_config_is_valid_with_and_without_the_neo4j_profile():
    for extra in ([], ["--profile", "neo4j"]):
        result = run(tool("docker-compose"), "-f", str(ROOT / "docker/compose.yaml"), *extra, "config", "-q")

        assert result.returncode == 0, result.stderr


def test_compose_prometheus_config_is_valid_and_loads_the_alerts():
    result = run(tool("promtool"), "check", "config", str(ROOT / "monitoring/prometheus/prometheus.yml"))

    assert result.returncode == 0, result.stdout + result.stderr
    assert "alerts.yaml" in result.stdout + result.stderr
