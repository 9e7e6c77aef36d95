"""The built wheels, installed into a fresh venv away from the repository, give a working hf-tui.

What a GPU box without a checkout gets from `uv tool install` / `pipx install`: the two wheels from
`uv build --all-packages`, their dependencies pinned to uv.lock (`uv export`), installed with
`uv pip install --no-deps` (offline from the uv cache where there is no network, from PyPI in CI),
then checked with `uv pip check`. The installed binary runs from a folder outside the repo.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
UV = shutil.which("uv")

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(UV is None, reason="uv is not installed"),
]


def _uv(*args: str, cwd: Path, timeout: float = 600) -> str:
    """Run uv offline first (this machine: its cache); with the network if that fails (CI)."""
    assert UV is not None
    env = {k: v for k, v in os.environ.items() if not k.startswith(("VIRTUAL_ENV", "UV_"))}
    failures: list[str] = []
    for mode in ("--offline", "--no-offline"):
        done = subprocess.run(
            [UV, mode, *args], cwd=cwd, env=env, capture_output=True, text=True,
            timeout=timeout, check=False,
        )  # fmt: skip
        if done.returncode == 0:
            return done.stdout
        failures.append(f"{mode}: {done.stderr[-2000:]}")
    raise AssertionError(f"uv {' '.join(args)} failed:\n" + "\n".join(failures))


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Path, list[Path]]]:
    """(the fresh venv's bin folder, the wheels), built and installed once for the module."""
    tmp = tmp_path_factory.mktemp("wheels")
    dist = tmp / "dist"
    _uv("build", "--all-packages", "--wheel", "--out-dir", str(dist), cwd=ROOT)
    wheels = sorted(dist.glob("*.whl"))
    assert [w.name.split("-")[0] for w in wheels] == ["hf_ecosystem", "hf_tui"]
    pins = tmp / "pins.txt"
    _uv("export", "--frozen", "--no-dev", "--no-emit-workspace", "--all-packages",
        "--no-hashes", "-q", "-o", str(pins), cwd=ROOT)  # fmt: skip
    venv = tmp / "venv"
    _uv("venv", "-q", "--python", sys.executable, str(venv), cwd=tmp)
    python = str(venv / "bin" / "python")
    _uv("pip", "install", "-q", "--python", python, "--no-deps", "-r", str(pins),
        *map(str, wheels), cwd=tmp)  # fmt: skip
    _uv("pip", "check", "--python", python, cwd=tmp)  # every dependency at a version it accepts
    yield venv / "bin", wheels


def _env(home: Path) -> dict[str, str]:
    keep = {k: v for k, v in os.environ.items() if not k.startswith(("HF", "VIRTUAL_ENV"))}
    keep.pop("PYTHONPATH", None)
    return {
        **keep,
        "HFTUI_HOME": str(home / "hftui"),
        "HF_HOME": str(home / "hf"),
        "HF_HUB_OFFLINE": "1",
        "TERM": "xterm-256color",
    }


def _seed(home: Path) -> None:
    """One repo in the local hub's folder (what `hf-tui demo seed` fills, without its minutes)."""
    repo = home / "hftui" / "hub" / "models" / "acme" / "tiny-bert"
    repo.mkdir(parents=True)
    (repo / "README.md").write_text(
        "---\nlicense: mit\npipeline_tag: text-classification\n---\n# tiny-bert\n",
        encoding="utf-8",
    )


def test_wheels_hold_every_package_file(installed: tuple[Path, list[Path]]) -> None:
    """Package data (the stylesheet, metric modules, ...) ships: every tracked file under src/."""
    _, wheels = installed
    shipped = {name for wheel in wheels for name in zipfile.ZipFile(wheel).namelist()}
    tracked = subprocess.run(
        ["git", "ls-files", "core/src", "tui/src"], cwd=ROOT, capture_output=True, text=True,
        check=True,
    ).stdout.split()  # fmt: skip
    expected = {path.split("/src/", 1)[1] for path in tracked}
    assert expected, "no tracked sources found"
    assert expected - shipped == set()
    assert "hf_tui/app.tcss" in shipped


def test_installed_cli_runs_outside_the_repository(
    installed: tuple[Path, list[Path]], tmp_path: Path
) -> None:
    bin_dir, _ = installed
    env = _env(tmp_path)
    _seed(tmp_path)

    def hf_tui(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [str(bin_dir / "hf-tui"), *args], cwd=tmp_path, env=env,
            capture_output=True, text=True, timeout=120, check=False,
        )  # fmt: skip

    assert hf_tui("--version").stdout.strip() == "hf-tui 0.1.0"
    where = subprocess.run(
        [str(bin_dir / "python"), "-c", "import hf_tui, hf_ecosystem as e; print(e.__file__)"],
        cwd=tmp_path, env=env, capture_output=True, text=True, check=True,
    ).stdout  # fmt: skip
    assert not Path(where.strip()).is_relative_to(ROOT)  # the installed copy, not the checkout
    found = hf_tui("models", "search", "bert", "--offline", "--json")
    assert found.returncode == 0, found.stderr
    ids = [row["id"] for row in json.loads(found.stdout)["results"]]
    assert ids == ["acme/tiny-bert"]

    # A tracker extra the install lacks is refused before any job starts, in plain words.
    config = tmp_path / "train.yaml"
    config.write_text(
        f"model: {tmp_path}\ndataset: {tmp_path}\nreport_to: [wandb]\n", encoding="utf-8"
    )
    refused = hf_tui("run", "train", "--config", str(config), "--offline")
    assert refused.returncode == 1
    assert "'wandb'" in refused.stderr and "hf-ecosystem[wandb]" in refused.stderr
    assert not (tmp_path / "hftui" / "jobs").exists() or not any(
        (tmp_path / "hftui" / "jobs").iterdir()
    )


@pytest.mark.skipif(shutil.which("tmux") is None, reason="tmux is not installed")
def test_installed_app_shows_its_first_screen(
    installed: tuple[Path, list[Path]], tmp_path: Path
) -> None:
    """The TUI starts from the wheel (its stylesheet found) and lists the local hub's repo."""
    bin_dir, _ = installed
    env = _env(tmp_path)
    _seed(tmp_path)
    tmux = ["tmux", "-L", f"hftui-wheel-{os.getpid()}"]
    subprocess.run(
        [*tmux, "new-session", "-d", "-s", "app", "-x", "140", "-y", "35", "-c", str(tmp_path),
         str(bin_dir / "hf-tui"), "--offline"],
        env=env, check=True,
    )  # fmt: skip
    try:
        deadline = time.monotonic() + 60
        screen = ""
        while time.monotonic() < deadline and "acme/tiny-bert" not in screen:
            time.sleep(0.2)
            screen = subprocess.run(
                [*tmux, "capture-pane", "-p", "-t", "app"], capture_output=True, text=True,
                check=False,
            ).stdout  # fmt: skip
        assert "acme/tiny-bert" in screen and "Search models" in screen, screen
    finally:
        subprocess.run([*tmux, "kill-server"], check=False)
