"""The GPU devcontainer: JSON with comments, the keys we rely on, files it references."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path
from typing import Any

import json5
import pytest

ROOT = Path(__file__).resolve().parents[2]
DEVCONTAINER = ROOT / ".devcontainer" / "devcontainer.json"


@pytest.fixture(scope="module")
def config() -> dict[str, Any]:
    return json5.loads(DEVCONTAINER.read_text(encoding="utf-8"))


def test_gpu_is_optional_not_forced(config: dict[str, Any]) -> None:
    assert config["hostRequirements"]["gpu"] == "optional"
    assert "--gpus" not in " ".join(config.get("runArgs", []))


def test_hf_home_on_a_volume(config: dict[str, Any]) -> None:
    hf_home = config["containerEnv"]["HF_HOME"]
    volumes = [m for m in config["mounts"] if "type=volume" in m]
    assert any(f"target={hf_home}" in m for m in volumes)


def test_setup_runs_make_setup_and_uv_is_installed(config: dict[str, Any]) -> None:
    assert "make setup" in config["postCreateCommand"]
    dockerfile = (DEVCONTAINER.parent / config["build"]["dockerfile"]).read_text()
    assert "pip install" in dockerfile and "uv" in dockerfile
    assert "\nFROM " in dockerfile


def test_referenced_files_exist(config: dict[str, Any]) -> None:
    build = config["build"]
    assert (DEVCONTAINER.parent / build["dockerfile"]).is_file()
    assert (DEVCONTAINER.parent / build["context"]).resolve() == ROOT
    assert (ROOT / "Makefile").is_file()
    assert "setup:" in (ROOT / "Makefile").read_text()


def test_validates_against_schema_when_available(config: dict[str, Any]) -> None:
    """Validate with check-jsonschema when a copy of the spec's schema is at hand.

    No package on the registries ships devContainer.base.schema.json (checked: check-jsonschema's
    vendored schemas, @devcontainers/cli), so this runs only where HFTUI_DEVCONTAINER_SCHEMA
    points at a copy of it.
    """
    schema = os.environ.get("HFTUI_DEVCONTAINER_SCHEMA")
    if not schema or not Path(schema).is_file():
        pytest.skip("no devcontainer JSON schema available offline")
    exe = shutil.which("check-jsonschema")
    assert exe, "check-jsonschema is a dev dependency"
    result = subprocess.run(
        [exe, "--force-filetype", "json5", "--schemafile", schema, str(DEVCONTAINER)],
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stdout + result.stderr
