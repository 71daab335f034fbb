"""Reading the deployment files: the validation tools, rendered overlays, Dockerfiles, compose."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parents[2]
K8S = ROOT / "k8s"
OVERLAYS = sorted(path.name for path in (K8S / "overlays").iterdir() if (path / "kustomization.yaml").exists())
SCHEMAS = ROOT / "schemas" / "k8s"
#: Custom resources and the schema each is validated against (kubernetes-validate skips them).
CRD_SCHEMAS = {
    ("keda.sh/v1alpha1", "ScaledObject"): SCHEMAS / "crds/scaledobject_v1alpha1.json",
    ("keda.sh/v1alpha1", "TriggerAuthentication"): SCHEMAS / "crds/triggerauthentication_v1alpha1.json",
    ("monitoring.coreos.com/v1", "ServiceMonitor"): SCHEMAS / "crds/servicemonitor_v1.json",
    ("monitoring.coreos.com/v1", "PrometheusRule"): SCHEMAS / "crds/prometheusrule_v1.json",
}
#: Tools from `make lint-tools` (.venv-lint); the others come from Debian packages (.ci/run installs them).
LINT_VENV_TOOLS = {"checkov", "check-jsonschema", "hadolint", "kubernetes-validate", "yamllint"}


def tool(name: str) -> str:
    """The path of a validation tool; a missing one fails the test (CI must install it, never skip)."""
    if name in LINT_VENV_TOOLS:
        path = ROOT / ".venv-lint" / "bin" / name
        assert path.exists(), f"{name} is missing from .venv-lint: run `make lint-tools`"
        return str(path)
    found = shutil.which(name)
    assert found, f"{name} is not installed (.ci/run installs it: kubectl, promtool, docker-compose)"
    return found


def run(*argv: str, timeout: float = 120, **kwargs: Any) -> subprocess.CompletedProcess[str]:
    """Run a tool, capturing its output as text."""
    return subprocess.run(argv, capture_output=True, text=True, timeout=timeout, check=False, **kwargs)


def render(overlay: str) -> str:
    """``kubectl kustomize`` of an overlay (or of k8s/base)."""
    path = K8S / "base" if overlay == "base" else K8S / "overlays" / overlay
    result = run(tool("kubectl"), "kustomize", str(path))
    assert result.returncode == 0, result.stderr
    return result.stdout


def documents(text: str) -> list[dict[str, Any]]:
    """The objects of a multi-document YAML stream."""
    return [doc for doc in yaml.safe_load_all(text) if doc]


def find(docs: list[dict[str, Any]], kind: str, name: str | None = None) -> list[dict[str, Any]]:
    """Objects of ``kind`` (and ``name``)."""
    return [d for d in docs if d["kind"] == kind and (name is None or d["metadata"]["name"] == name)]


def one(docs: list[dict[str, Any]], kind: str, name: str) -> dict[str, Any]:
    """The single object of ``kind`` named ``name``."""
    found = find(docs, kind, name)
    assert len(found) == 1, f"expected one {kind} {name}, found {len(found)}"
    return found[0]


def ours(docs: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Our workloads (Deployments and Jobs built from our images), not the development datastores."""
    return [
        d
        for d in docs
        if d["kind"] in {"Deployment", "Job"}
        and d["spec"]["template"]["spec"]["containers"][0]["image"].split(":")[0].startswith("partsiq-")
    ]


@dataclass(frozen=True)
class Dockerfile:
    """The instructions of a Dockerfile, continuation lines joined, comments kept apart."""

    path: Path
    instructions: list[tuple[str, str]]

    @classmethod
    def read(cls, name: str) -> Dockerfile:
        path = ROOT / "docker" / f"{name}.Dockerfile"
        logical, pending = [], ""
        for line in path.read_text().splitlines():
            if not pending and (not line.strip() or line.lstrip().startswith("#")):
                continue
            pending += line.rstrip("\\").strip() + " " if line.endswith("\\") else line.strip()
            if not line.endswith("\\"):
                logical.append(pending)
                pending = ""
        return cls(path, [(text.split(None, 1)[0].upper(), text.split(None, 1)[1]) for text in logical])

    def all(self, instruction: str) -> list[str]:
        return [args for instr, args in self.instructions if instr == instruction]

    def index(self, instruction: str, contains: str) -> int:
        """Position of the first ``instruction`` whose arguments contain ``contains``."""
        return next(i for i, (instr, args) in enumerate(self.instructions) if instr == instruction and contains in args)

    def exec_form(self, instruction: str) -> list[str]:
        """The JSON array of the final stage's ENTRYPOINT or CMD."""
        return list(json.loads(self.all(instruction)[-1]))

    @property
    def package(self) -> str:
        """The workspace package whose locked dependencies the image installs (``uv export --package``)."""
        match = re.search(r"uv export .*--package (\S+)", " ".join(self.all("RUN")))
        assert match, f"{self.path.name} installs no locked package"
        return match[1]


def image_name(image: str) -> str:
    """``partsiq-parts-search`` from ``partsiq-parts-search:0.1.0``."""
    return image.rsplit("/", 1)[-1].split(":")[0].split("@")[0]


def dockerfile_for(image: str) -> Dockerfile:
    """The Dockerfile that builds ``image`` (partsiq-<name> is built by docker/<name>.Dockerfile)."""
    return Dockerfile.read(image_name(image).removeprefix("partsiq-"))


def argv_of(container: dict[str, Any]) -> list[str]:
    """What a container runs: its command or the image's ENTRYPOINT, then its args or the image's CMD."""
    dockerfile = dockerfile_for(container["image"])
    entry = container.get("command") or dockerfile.exec_form("ENTRYPOINT")
    return [*entry, *(container.get("args") or dockerfile.exec_form("CMD"))]


def compose() -> dict[str, Any]:
    """docker/compose.yaml as ``docker-compose config`` resolves it (anchors, merges, paths)."""
    result = run(tool("docker-compose"), "-f", str(ROOT / "docker/compose.yaml"), "--profile", "neo4j", "config")
    assert result.returncode == 0, result.stderr
    return yaml.safe_load(result.stdout)
