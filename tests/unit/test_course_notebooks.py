"""The committed lessons: no outputs, the lesson structure, metadata that matches the file, and
"In hf-tui" pointers to commands and keys that exist."""

from __future__ import annotations

import json
import re
import shlex
from pathlib import Path
from typing import Any

import pytest

from hf_ecosystem.course import Lesson, list_lessons, read_lesson

ROOT = Path(__file__).resolve().parents[2]
NOTEBOOKS = ROOT / "notebooks"
PATHS = sorted(p for p in NOTEBOOKS.rglob("*.ipynb") if ".ipynb_checkpoints" not in p.parts)
ORDER = ["lesson-metadata", "setup", "imports", "verification", "cleanup", "in-hf-tui"]


def cells(path: Path) -> list[dict[str, Any]]:
    return json.loads(path.read_text(encoding="utf-8"))["cells"]


def source(cell: dict[str, Any]) -> str:
    text = cell["source"]
    return "".join(text) if isinstance(text, list) else text


def tagged(path: Path, tag: str) -> list[tuple[int, dict[str, Any]]]:
    return [
        (i, c) for i, c in enumerate(cells(path)) if tag in c.get("metadata", {}).get("tags", [])
    ]


def test_there_are_lessons() -> None:
    assert len(PATHS) >= 1
    assert [lesson.path for lesson in list_lessons(NOTEBOOKS)] == sorted(
        PATHS, key=lambda p: read_lesson(p).sort_key
    )


@pytest.mark.parametrize("path", PATHS, ids=lambda p: str(p.relative_to(NOTEBOOKS)))
def test_committed_without_outputs(path: Path) -> None:
    notebook = json.loads(path.read_text(encoding="utf-8"))
    for index, cell in enumerate(notebook["cells"]):
        if cell["cell_type"] != "code":
            continue
        assert cell.get("outputs") == [], f"cell {index} has outputs: run nbstripout"
        assert cell.get("execution_count") is None, f"cell {index} has an execution count"
    assert "widgets" not in notebook["metadata"]


@pytest.mark.parametrize("path", PATHS, ids=lambda p: str(p.relative_to(NOTEBOOKS)))
def test_metadata_matches_the_file(path: Path) -> None:
    lesson = read_lesson(path)
    course, week = path.parent.parent.name, path.parent.name
    assert (f"course{lesson.course}", f"week{lesson.week}") == (course, week)
    assert path.stem.startswith(f"{lesson.number}-")
    assert lesson.id == f"course{lesson.course}/{path.stem}"
    assert re.fullmatch(r"[12]\.[1-6]", lesson.module), lesson.module
    assert json.loads(path.read_text())["metadata"]["kernelspec"]["name"] == "python3"


@pytest.mark.parametrize("path", PATHS, ids=lambda p: str(p.relative_to(NOTEBOOKS)))
def test_lesson_structure(path: Path) -> None:
    lesson = read_lesson(path)
    all_cells = cells(path)
    positions = []
    for tag in ORDER:
        found = tagged(path, tag)
        assert len(found) == 1, f"{tag!r}: {len(found)} cells carry it, one should"
        positions.append(found[0][0])
    where = dict(zip(ORDER, positions, strict=True))
    assert positions == sorted(positions), f"cells out of order: {where}"
    assert positions[0] == 0 and positions[-1] == len(all_cells) - 1
    first = source(all_cells[0])
    # the first cell renders the metadata
    assert first.startswith(f"# {lesson.title}\n")
    assert lesson.objective in first and f"{lesson.duration_minutes} minutes" in first
    assert all(f"- {outcome}" in first for outcome in lesson.outcomes)
    # setup: 2-3 lines, calling setup_lesson with this lesson's id, naming OFFLINE
    setup = source(all_cells[positions[1]])
    code = [line for line in setup.splitlines() if line.strip()]
    assert len(code) <= 3 and f'setup_lesson("{lesson.id}")' in setup and "OFFLINE =" in setup
    # imports: only imports
    imports = source(all_cells[positions[2]]).splitlines()
    assert all(
        line.startswith(("import ", "from ", "    ", ")", "#")) or not line.strip()
        for line in imports
    )
    # the verification asserts on results; `assert True` checks nothing
    check = source(all_cells[positions[3]])
    assert check.count("assert ") >= len(lesson.outcomes)
    assert not re.search(r"assert\s+(True|1)\b", check)
    # clean-up calls the environment's clean-up
    assert "env.cleanup()" in source(all_cells[positions[4]])
    # every section has a markdown header
    headers = [source(c) for c in all_cells if c["cell_type"] == "markdown"]
    assert sum(h.startswith("## ") for h in headers) >= 4


def _parser() -> Any:
    from hf_tui.cli import build_parser

    return build_parser()


def _binding_keys() -> set[str]:
    """Every key bound in the app's source (Binding("key", ...))."""
    keys: set[str] = set()
    for file in (ROOT / "tui" / "src" / "hf_tui").rglob("*.py"):
        keys |= set(re.findall(r'Binding\(\s*"([^"]+)"', file.read_text(encoding="utf-8")))
    return keys


# Keys Textual's widgets handle themselves (tables, inputs, tabs) rather than through a Binding.
_WIDGET_KEYS = {"enter", "escape", "tab", "shift+tab", "up", "down"}
_KEY_NAMES = {"/": "slash", "?": "question_mark", " ": "space"}


@pytest.mark.parametrize("path", PATHS, ids=lambda p: str(p.relative_to(NOTEBOOKS)))
def test_in_hf_tui_points_at_real_commands_and_keys(
    path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    lesson: Lesson = read_lesson(path)
    section = source(cells(path)[-1])
    assert section.startswith("## In hf-tui") and lesson.in_hf_tui.screen in section
    parser = _parser()
    for command in lesson.in_hf_tui.cli:
        assert command in section
        argv = shlex.split(command)
        assert argv[0] == "hf-tui", command
        try:
            parser.parse_args(argv[1:])
        except SystemExit:
            pytest.fail(f"{command!r} is not a valid hf-tui command: {capsys.readouterr().err}")
    bound = _binding_keys() | _WIDGET_KEYS
    for line in lesson.in_hf_tui.keys:
        assert line in section
        for key in re.findall(r"`([^`]+)`", line):
            name = _KEY_NAMES.get(key, key)
            assert name in bound, f"{key!r} ({line!r}) is not a key hf-tui binds"
