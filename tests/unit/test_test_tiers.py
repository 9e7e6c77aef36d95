"""The slow tier is checked: starting a job worker, hf-tui or tmux is seen and named."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import tiers


def test_slow_processes_are_recognised_by_their_argv() -> None:
    assert tiers.slow_process([sys.executable, "-m", "hf_ecosystem.jobs.worker", "j1"]) == (
        "a job worker"
    )
    assert tiers.slow_process([Path("/venv/bin/hf-tui"), "--version"]) == "the hf-tui binary"
    assert tiers.slow_process("tmux -L test kill-server") == "the tmux binary"
    assert tiers.slow_process([sys.executable, "-c", "import hf_tui"]) is None
    assert tiers.slow_process([]) is None


def test_starting_one_is_recorded(tmp_path: Path) -> None:
    fake = tmp_path / "hf-tui"
    fake.write_text("#!/bin/sh\nexit 0\n", encoding="utf-8")
    fake.chmod(0o755)
    subprocess.run([sys.executable, "-c", "pass"], check=True)
    assert tiers.spawned == []
    subprocess.run([str(fake)], check=True)
    assert tiers.spawned == ["the hf-tui binary"]
    tiers.spawned.clear()  # this test is about the record, not a slow test itself
