"""The CLI as a Unix tool: a closed pipe ends it quietly, usage errors are one line."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from hf_tui.cli import main


def test_usage_errors_are_one_line_with_what_to_do(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main(["models", "search", "-mini"])
    assert exit_info.value.code == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "usage:" not in err
    assert "unrecognized arguments: -mini" in err and "goes after `--`" in err
    with pytest.raises(SystemExit):
        main(["models", "search", "--sort", "nme"])
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "see `hf-tui models search --help`" in err


@pytest.mark.slow
def test_a_reader_that_leaves_ends_the_cli_quietly(isolated_env: Path) -> None:
    hub = isolated_env / "hftui_home" / "hub" / "models"
    for i in range(30):
        (hub / "team" / f"model-{i:02d}").mkdir(parents=True)
        (hub / "team" / f"model-{i:02d}" / "config.json").write_text("{}")
    proc = subprocess.Popen(
        [sys.executable, "-m", "hf_tui.cli", "models", "search", "--offline", "--limit", "30"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=os.environ.copy(),
    )
    assert proc.stdout is not None and proc.stderr is not None
    proc.stdout.close()  # `| head -0`: the reader is gone before the first line
    err = proc.stderr.read().decode()
    assert proc.wait(timeout=120) == 141
    assert "error" not in err.lower()  # no "Unexpected error … BrokenPipeError … a bug"
    assert "Traceback" not in err


def test_a_launch_prints_only_the_id_on_stdout_and_how_to_follow_on_stderr(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    model = tmp_path / "model"
    model.mkdir()
    code = main(["run", "inference", "--task", "text-classification", "--model", str(model),
                 "--input", "hello"])  # fmt: skip
    assert code == 0
    out, err = capsys.readouterr()
    job_id = out.strip()
    assert out == f"{job_id}\n" and job_id  # `ID=$(hf-tui run …)` gets just the id
    assert f"hf-tui jobs logs {job_id} --follow" in err


def test_results_are_printed_as_fields_never_as_a_python_dict() -> None:
    from hf_tui.format import field_lines

    lines = field_lines(
        {
            "task": "text-classification",
            "output": [
                {"label": "positive", "score": 0.98765},
                {"label": "negative", "score": 0.01},
            ],
            "metrics": {"accuracy": 0.75, "f1": None},
            "files": [f"f{i}" for i in range(12)],
        }
    )
    assert lines == [
        "task: text-classification",
        "output:",
        "  - label=positive, score=0.9877",
        "  - label=negative, score=0.01",
        "metrics:",
        "  accuracy: 0.75",
        "  f1: —",
        "files: f0, f1, f2, f3, f4, f5, f6, f7, f8, f9",
        "  … and 2 more",
    ]
    assert not any("{" in line or "'" in line for line in lines)
