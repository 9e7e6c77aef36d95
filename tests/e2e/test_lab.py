"""`make lab`: Jupyter Lab on the project's environment, on 127.0.0.1, printing the ssh line."""

from __future__ import annotations

import json
import os
import re
import signal
import socket
import subprocess
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _wait_for(pattern: str, lines: list[str], proc: subprocess.Popen[str], seconds: float) -> str:
    """Read the server's output until `pattern` shows up (the output is kept in `lines`)."""
    assert proc.stdout is not None
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        line = proc.stdout.readline()
        if not line:
            if proc.poll() is not None:
                break
            continue
        lines.append(line)
        if found := re.search(pattern, line):
            return found.group(0)
    pytest.fail(f"no {pattern!r} within {seconds} s; output:\n{''.join(lines)}")


def _get_api(port: int, seconds: float) -> dict[str, str]:
    """GET /api once the server accepts connections (it may print its URL a moment before)."""
    deadline = time.monotonic() + seconds
    while True:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/api", timeout=10) as reply:
                return json.load(reply)
        except urllib.error.URLError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.2)


def _stop(proc: subprocess.Popen[str]) -> None:
    """SIGTERM to make, uv and Jupyter (one process group), SIGKILL if they linger."""
    for sig in (signal.SIGTERM, signal.SIGKILL):
        try:
            os.killpg(proc.pid, sig)
        except ProcessLookupError:
            break
        try:
            proc.wait(timeout=30)
            break
        except subprocess.TimeoutExpired:
            continue
    proc.wait()


@pytest.mark.slow
def test_make_lab_serves_the_notebooks_on_loopback(tmp_path: Path) -> None:
    port = _free_port()
    # -o setup: take the environment as installed (the target's `uv sync` is not under test).
    proc = subprocess.Popen(
        ["make", "-s", "-o", "setup", "lab", f"LAB_PORT={port}"],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
        env={
            **os.environ,
            "JUPYTER_PLATFORM_DIRS": "1",
            "JUPYTER_RUNTIME_DIR": str(tmp_path / "runtime"),
            "JUPYTER_CONFIG_DIR": str(tmp_path / "config"),
        },
    )
    lines: list[str] = []
    try:
        ssh = _wait_for(rf"ssh -N -L {port}:127\.0\.0\.1:{port} \S+@\S+", lines, proc, 30)
        url = _wait_for(rf"http://127\.0\.0\.1:{port}/lab\?token=\w+", lines, proc, 120)
        api = _get_api(port, 30)
        token = url.split("token=", 1)[1]
        request = urllib.request.Request(
            f"http://127.0.0.1:{port}/api/contents/course1",
            headers={"Authorization": f"token {token}"},
        )
        with urllib.request.urlopen(request, timeout=10) as reply:
            listing = json.load(reply)
    finally:
        _stop(proc)
    assert ssh.startswith("ssh -N -L")
    assert re.match(r"\d+\.\d+", api["version"])  # the Jupyter Server answered
    # the server's root is notebooks/: the course's folders are there
    assert {item["name"] for item in listing["content"]} >= {"week1"}
    with pytest.raises(OSError):  # and it is gone once stopped
        urllib.request.urlopen(f"http://127.0.0.1:{port}/api", timeout=5)
