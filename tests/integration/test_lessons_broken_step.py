"""A lesson's verification cell catches a broken step: run the lesson with one step's code
changed (nbclient, a real kernel), see the verification cell raise, then run it as committed."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[2]
NOTEBOOKS = ROOT / "notebooks"

# (lesson, the step's code as committed, the same step broken, what the verification reports).
# One lesson per course: each case runs its lesson twice, so the other lessons' breaks are left
# out of the suite (their verification cells were shown failing this way when written).
BREAKS = [
    pytest.param(
        "course1/week1/1.3-exploring-hub.ipynb",
        'task="text-classification", library="transformers", sort="downloads"',
        'library="transformers", sort="downloads"',  # the task filter forgotten
        'assert all(m.task == "text-classification" for m in text_classifiers)',
        id="1.3-task-filter-dropped",
    ),
    pytest.param(
        "course2/week1/1.7-custom-dataset.ipynb",
        "collator = DataCollatorWithPadding(tokenizer)",
        # fixed padding slipped into the collator
        'collator = DataCollatorWithPadding(tokenizer, padding="max_length", max_length=64)',
        "assert dynamic_widths == longest",
        id="1.7-collator-pads-to-max-length",
    ),
]


def _run(notebook: dict[str, Any], cwd: Path) -> tuple[Any, Exception | None]:
    """Execute in a fresh kernel; the executed notebook and the error that stopped it, if any."""
    import nbformat
    from nbclient import NotebookClient
    from nbclient.exceptions import CellExecutionError

    nb = nbformat.reads(json.dumps(notebook), as_version=4)
    client = NotebookClient(
        nb, timeout=600, kernel_name="python3", resources={"metadata": {"path": str(cwd)}}
    )
    try:
        client.execute()
    except CellExecutionError as error:
        return nb, error
    return nb, None


def _errors(nb: Any) -> list[tuple[list[str], dict[str, Any]]]:
    """(tags, error output) of each cell that raised."""
    return [
        (cell.metadata.get("tags", []), output)
        for cell in nb.cells
        for output in cell.get("outputs", [])
        if output.get("output_type") == "error"
    ]


@pytest.fixture
def lesson_kernel_env(monkeypatch: pytest.MonkeyPatch, request: pytest.FixtureRequest) -> None:
    """The environment notebooks/conftest.py gives nbval's kernels (the seeded demo hub shared)."""
    home = request.config.cache.mkdir("hf-tui-lessons")
    for name in ("HF_TOKEN", "HF_ENDPOINT", "HFTUI_LOCAL_HUB", "HFTUI_CONFIG", "HFTUI_MAX_JOBS"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("HFTUI_HOME", str(home / "hftui_home"))
    monkeypatch.setenv("HF_HOME", str(home / "hf_home"))
    monkeypatch.setenv("HF_HUB_CACHE", str(home / "hf_home" / "hub"))
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")


@pytest.mark.slow
@pytest.mark.usefixtures("lesson_kernel_env")
@pytest.mark.parametrize(("lesson", "step", "broken", "assertion"), BREAKS)
def test_a_broken_step_fails_the_verification_cell(
    lesson: str, step: str, broken: str, assertion: str
) -> None:
    path = NOTEBOOKS / lesson
    notebook = json.loads(path.read_text(encoding="utf-8"))
    steps = [c for c in notebook["cells"] if step in "".join(c["source"])]
    assert len(steps) == 1, f"the step {step!r} should be in exactly one cell"
    steps[0]["source"] = "".join(steps[0]["source"]).replace(step, broken)

    done, error = _run(notebook, path.parent)
    assert error is not None, "the broken lesson ran through"
    [(tags, output)] = _errors(done)  # one cell raised, the first to see the broken result:
    assert tags == ["verification"]
    assert output["ename"] == "AssertionError"
    # the arrowed line of the traceback: "----> 7 assert ..." (below line 10 "---> 17 assert ...")
    failing_line = [
        line
        for frame in output["traceback"]
        for line in re.sub(r"\x1b\[[0-9;]*m", "", frame).splitlines()
        if re.match(r"\s*-+> ", line)
    ]
    assert any(assertion in line for line in failing_line), failing_line

    # restored: the lesson as committed passes its own checks
    done, error = _run(json.loads(path.read_text(encoding="utf-8")), path.parent)
    assert error is None and _errors(done) == []
    verification = next(c for c in done.cells if "verification" in c.metadata.get("tags", []))
    printed = "".join(o.get("text", "") for o in verification.outputs)
    assert "All checks passed." in printed
