"""Design rules that must hold: a UI-free core, and a UI process free of heavy ML imports."""

from __future__ import annotations

import ast
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
HEAVY = ("torch", "transformers", "datasets", "accelerate", "evaluate", "pandas")


def _imported_roots(path: Path, *, top_level_only: bool) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    nodes = tree.body if top_level_only else list(ast.walk(tree))
    roots: set[str] = set()
    for node in nodes:
        if isinstance(node, ast.Import):
            roots |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            roots.add(node.module.split(".")[0])
    return roots


def test_core_never_imports_ui_code() -> None:
    for path in (ROOT / "core" / "src").rglob("*.py"):
        found = _imported_roots(path, top_level_only=False) & {"textual", "rich", "hf_tui"}
        assert not found, f"{path.relative_to(ROOT)} imports {found}"


def test_tui_never_imports_heavy_libraries_at_module_level() -> None:
    for path in (ROOT / "tui" / "src").rglob("*.py"):
        found = _imported_roots(path, top_level_only=True) & set(HEAVY)
        assert not found, f"{path.relative_to(ROOT)} imports {found}"


@pytest.mark.slow  # starts a fresh Python to see which modules the UI imports
def test_ui_process_stays_light(tmp_path: Path) -> None:
    """Start the app headless in a fresh interpreter and check what got imported."""
    script = """
import asyncio, json, sys
from hf_tui import cli, app
from hf_tui.app import HfTuiApp
visited = set()

async def main():
    a = HfTuiApp(offline=True)
    async with a.run_test(size=(140, 40)) as pilot:
        await a.workers.wait_for_complete()
        for key in ("2", "3", "4", "5", "1", "question_mark", "escape"):
            await pilot.press(key)
            await pilot.pause(0.2)
        a.open_detail("me/tiny", "model")
        await pilot.pause(0.5)
        await a.workers.wait_for_complete()
        visited.update(type(s).__name__ for s in a.screen_stack)
        await pilot.press("escape")
        a.open_detail("me/rows", "dataset")
        await pilot.pause(0.5)
        for key in ("p", "s"):
            await pilot.press(key)
            await pilot.pause(0.3)
            await a.workers.wait_for_complete()
        visited.update(type(s).__name__ for s in a.screen_stack)
        visited.update(type(s).__name__ for m in ("models", "datasets", "device", "jobs")
                       for s in a._screen_stacks.get(m, []))

asyncio.run(main())
print(json.dumps([sorted(visited), sorted(m for m in sys.modules if m.split('.')[0] in HEAVY)]))
""".replace("HEAVY", repr(HEAVY))
    repo = tmp_path / "hub" / "models" / "me" / "tiny"
    repo.mkdir(parents=True)
    (repo / "README.md").write_text("---\nlicense: mit\n---\n# tiny\n", encoding="utf-8")
    # A config the memory panel can size (without it the estimate fails, and a failed worker
    # still running at wait_for_complete() fails the script): its estimate stays torch-free too.
    config = {
        "model_type": "bert", "architectures": ["BertForSequenceClassification"],
        "hidden_size": 32, "intermediate_size": 64, "num_hidden_layers": 2,
        "num_attention_heads": 2, "vocab_size": 1000, "max_position_embeddings": 64,
    }  # fmt: skip
    (repo / "config.json").write_text(json.dumps(config), encoding="utf-8")
    data = tmp_path / "hub" / "datasets" / "me" / "rows"
    data.mkdir(parents=True)
    (data / "README.md").write_text("---\nlicense: mit\n---\n# rows\n", encoding="utf-8")
    (data / "train.csv").write_text("text,label\nhello,1\nworld,0\n", encoding="utf-8")
    env = {**os.environ, "HFTUI_HOME": str(tmp_path)}
    out = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, env=env, timeout=120
    )
    assert out.returncode == 0, out.stderr
    visited, heavy = json.loads(out.stdout.strip().splitlines()[-1])
    screens = {"ModelsScreen", "DatasetsScreen", "DeviceScreen", "JobsScreen", "ModelDetailScreen"}
    assert screens | {"DatasetDetailScreen"} <= set(visited)
    assert heavy == []
