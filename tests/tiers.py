"""Test tiers, checked: a test that starts a job worker, the real hf-tui binary or tmux belongs
to the slow tier (`@pytest.mark.slow`), which `make test-fast` leaves out. An audit hook sees
every `subprocess.Popen` of this process; conftest fails an unmarked test that started one."""

from __future__ import annotations

import sys
from pathlib import Path

spawned: list[str] = []  # what the current test started, cleared before each test's setup


def slow_process(argv: object) -> str | None:
    """What a slow child process is, from its argv (None for anything else, e.g. `python -c`)."""
    args = [str(a) for a in argv] if isinstance(argv, list | tuple) else str(argv).split()
    if "hf_ecosystem.jobs.worker" in args:
        return "a job worker"
    name = Path(args[0]).name if args else ""
    if name in {"hf-tui", "tmux"}:
        return f"the {name} binary"
    return None


def _audit(event: str, args: tuple[object, ...]) -> None:
    # subprocess.Popen's audit arguments: (executable, args, cwd, env)
    if event == "subprocess.Popen" and (what := slow_process(args[1] or args[0])):
        spawned.append(what)


def install() -> None:
    """Start recording (once per process: an audit hook cannot be removed)."""
    if _audit not in _installed:
        sys.addaudithook(_audit)
        _installed.append(_audit)


_installed: list[object] = []
