"""The tmux fixture of the end-to-end tests (the terminal itself is in terminal.py)."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from terminal import Tmux


@pytest.fixture
def tmux(isolated_env: Path) -> Iterator[Tmux]:
    # The app must size itself from the tmux window, not from a LINES/COLUMNS it inherited
    # (a test worker's environment can carry them).
    env = {k: v for k, v in os.environ.items() if k not in ("LINES", "COLUMNS")}
    env["TERM"] = "xterm-256color"
    term = Tmux(f"hftui-test-{os.getpid()}", env)
    yield term
    term.run("kill-server")
