"""Rendered overlays, shared by the deployment tests (each overlay is rendered once per run)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.deploy.deployfiles import OVERLAYS, documents, render


@pytest.fixture(scope="session")
def rendered() -> dict[str, str]:
    """Every overlay (and the base) rendered by ``kubectl kustomize``."""
    return {overlay: render(overlay) for overlay in ["base", *OVERLAYS]}


@pytest.fixture(scope="session")
def manifests(rendered: dict[str, str]) -> dict[str, list[dict[str, Any]]]:
    """The objects of each rendering."""
    return {overlay: documents(text) for overlay, text in rendered.items()}


@pytest.fixture(scope="session")
def rendered_dir(rendered: dict[str, str], tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The overlays' renderings as files (``<overlay>.yaml``), for the tools that read files."""
    folder = tmp_path_factory.mktemp("rendered")
    for overlay in OVERLAYS:
        (folder / f"{overlay}.yaml").write_text(rendered[overlay])
    return folder
