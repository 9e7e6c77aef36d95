"""A real terminal for the real hf-tui binary: a private tmux server driven like a person."""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

HF_TUI = str(Path(sys.executable).with_name("hf-tui"))


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

    def keys(self, *keys: str, pause: float = 0.3) -> None:
        """Send keys to the app, then pause as a person does between actions (keys sent in one
        burst with a focus change would reach the old focus first)."""
        self.run("send-keys", "-t", "app", *keys)
        time.sleep(pause)

    def type(self, text: str, pause: float = 0.3) -> None:
        """Type `text` literally (no key names)."""
        self.run("send-keys", "-t", "app", "-l", text)
        time.sleep(pause)

    def alive(self) -> bool:
        return "app" in self.run("list-sessions", "-F", "#{session_name}")
