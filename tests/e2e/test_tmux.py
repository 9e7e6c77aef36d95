"""The real hf-tui binary in a real terminal (tmux), driven the way a person over SSH would."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.skipif(shutil.which("tmux") is None, reason="tmux is not installed"),
]


class Tmux:
    """One private tmux server (its own socket, so it gets our environment)."""

    def __init__(self, socket_name: str, env: dict[str, str]) -> None:
        self.socket = socket_name
        self.env = env

    def run(self, *args: str) -> str:
        result = subprocess.run(
            ["tmux", "-L", self.socket, *args],
            capture_output=True, text=True, env=self.env, timeout=20,
        )  # fmt: skip
        return result.stdout

    def screen(self) -> str:
        return self.run("capture-pane", "-p", "-t", "app")

    def wait_for(self, text: str, timeout: float = 30.0) -> str:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            screen = self.screen()
            if text in screen:
                return screen
            time.sleep(0.1)
        raise AssertionError(f"{text!r} never appeared; screen:\n{self.screen()}")

    def alive(self) -> bool:
        return "app" in self.run("list-sessions", "-F", "#{session_name}")


@pytest.fixture
def tmux(isolated_env: Path) -> Iterator[Tmux]:
    # The app must size itself from the tmux window, not from a LINES/COLUMNS it inherited
    # (a test worker's environment can carry them).
    env = {k: v for k, v in os.environ.items() if k not in ("LINES", "COLUMNS")}
    env["TERM"] = "xterm-256color"
    term = Tmux(f"hftui-test-{os.getpid()}", env)
    yield term
    term.run("kill-server")


def test_search_open_card_and_quit_offline(tmux: Tmux, isolated_env: Path) -> None:
    hub = isolated_env / "hftui_home" / "hub" / "models"
    for name, task in (("reviews-bert", "text-classification"), ("notes-t5", "summarization")):
        repo = hub / "team" / name
        repo.mkdir(parents=True)
        (repo / "README.md").write_text(
            f"---\nlicense: mit\npipeline_tag: {task}\n---\n# {name}\n\nCard of {name}.\n",
            encoding="utf-8",
        )
    exe = str(Path(sys.executable).with_name("hf-tui"))
    tmux.run("new-session", "-d", "-s", "app", "-x", "140", "-y", "50", exe, "--offline")
    screen = tmux.wait_for("2 models")
    assert "offline · local hub · 2 repos" in screen
    assert "Search" in screen  # the footer shows the bindings
    tmux.run("send-keys", "-t", "app", "/")
    time.sleep(0.3)  # a person's pause: keys in one burst would reach the old focus first
    tmux.run("send-keys", "-t", "app", "bert")
    screen = tmux.wait_for("1 models")
    assert "team/reviews-bert" in screen and "team/notes-t5" not in screen
    tmux.run("send-keys", "-t", "app", "Enter")  # submit: focus moves to the results
    tmux.run("send-keys", "-t", "app", "Enter")  # open the highlighted repo
    tmux.wait_for("Card of reviews-bert.")
    tmux.wait_for("MIT")  # the license panel (filled in by its own worker, maybe a frame later)
    tmux.run("send-keys", "-t", "app", "Escape")
    tmux.wait_for("1 models")
    tmux.run("send-keys", "-t", "app", "q")
    deadline = time.monotonic() + 10
    while tmux.alive() and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not tmux.alive(), "hf-tui did not exit on q"
