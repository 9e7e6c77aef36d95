"""The real hf-tui binary in a real terminal (tmux), driven the way a person over SSH would."""

from __future__ import annotations

import shutil
import time
from pathlib import Path

import pytest
from terminal import HF_TUI, Tmux

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.skipif(shutil.which("tmux") is None, reason="tmux is not installed"),
]


def test_search_open_card_and_quit_offline(tmux: Tmux, isolated_env: Path) -> None:
    hub = isolated_env / "hftui_home" / "hub" / "models"
    for name, task in (("reviews-bert", "text-classification"), ("notes-t5", "summarization")):
        repo = hub / "team" / name
        repo.mkdir(parents=True)
        (repo / "README.md").write_text(
            f"---\nlicense: mit\npipeline_tag: {task}\n---\n# {name}\n\nCard of {name}.\n",
            encoding="utf-8",
        )
    tmux.run("new-session", "-d", "-s", "app", "-x", "140", "-y", "50", HF_TUI, "--offline")
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
