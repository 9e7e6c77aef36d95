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
