"""Time to first frame of hf-tui against a bare Textual app, and key-press latency under load.

Both run in a real terminal (tmux) in the same run. First frame: launch → first screen text seen
by `capture-pane`. Key latency: `send-keys` of one character → that character on screen, while
busy processes saturate every CPU core. Polling the pane adds a few ms, so figures are upper
bounds. Targets: first frame <= 0.5 s and <= 2x the bare app; key p99 <= 50 ms under load.

Bytecode: by default both programs run with bytecode caches (in a private PYTHONPYCACHEPREFIX,
written by the warm-up run), as an installed tool has them after its first start.
`--bytecode none` compiles every module from source at each start (what PYTHONDONTWRITEBYTECODE=1
with no caches gives; this shared machine sets it).

    python benchmarks/tui_startup.py [--runs 5] [--keys 80] [--bytecode cached|none]
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

BARE_APP = """
from textual.app import App
from textual.widgets import Input, Static

class Bare(App):
    def compose(self):
        yield Static("bare ready")
        yield Input(id="search")

Bare().run()
"""
SOCKET = f"hftui-bench-{os.getpid()}"


def tmux(*args: str) -> str:
    return subprocess.run(
        ["tmux", "-L", SOCKET, *args], capture_output=True, text=True, check=False
    ).stdout


def screen() -> str:
    return tmux("capture-pane", "-p", "-t", "bench")


def wait_for(text: str, timeout: float = 30.0, poll: float = 0.002) -> float:
    deadline = time.perf_counter() + timeout
    while time.perf_counter() < deadline:
        if text in screen():
            return time.perf_counter()
        time.sleep(poll)
    raise TimeoutError(f"{text!r} never appeared:\n{screen()}")


def first_frame(command: list[str], ready_text: str, env: dict[str, str]) -> float:
    tmux("kill-session", "-t", "bench")
    start = time.perf_counter()
    subprocess.run(
        ["tmux", "-L", SOCKET, "new-session", "-d", "-s", "bench", "-x", "140", "-y", "35",
         *command],
        env=env, check=True,
    )  # fmt: skip
    seen = wait_for(ready_text)
    return seen - start


def key_latencies(keys: int) -> list[float]:
    """Type into the focused search box; each character's time to appear on screen."""
    tmux("send-keys", "-t", "bench", "/")
    time.sleep(0.3)
    latencies: list[float] = []
    typed = ""
    for i in range(keys):
        char = "abcdefghij"[i % 10]
        typed += char
        start = time.perf_counter()
        tmux("send-keys", "-t", "bench", char)
        seen = wait_for(typed[-12:], timeout=5)
        latencies.append(seen - start)
        if len(typed) >= 40:  # keep the query short: clear it and start again
            tmux("send-keys", "-t", "bench", "C-u")
            time.sleep(0.05)
            typed = ""
    return latencies


def with_bytecode(env: dict[str, str], mode: str, scratch: Path) -> dict[str, str]:
    """`env` with bytecode caches in a private folder (`cached`) or none at all (`none`)."""
    out = {**env, "PYTHONPYCACHEPREFIX": str(scratch / "pycache")}
    if mode == "cached":
        out.pop("PYTHONDONTWRITEBYTECODE", None)  # the warm-up run writes them
    else:
        out["PYTHONDONTWRITEBYTECODE"] = "1"  # an empty prefix, never written: no caches
    return out


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--keys", type=int, default=80)
    parser.add_argument("--bytecode", choices=["cached", "none"], default="cached")
    args = parser.parse_args()
    if shutil.which("tmux") is None:
        print("tmux is needed for this benchmark")
        return 1
    exe = str(Path(sys.executable).with_name("hf-tui"))
    with tempfile.TemporaryDirectory() as home:
        repo = Path(home) / "hub" / "models" / "bench" / "tiny"
        repo.mkdir(parents=True)
        (repo / "README.md").write_text("---\nlicense: mit\n---\n# tiny\n", encoding="utf-8")
        env = {**os.environ, "HFTUI_HOME": home, "TERM": "xterm-256color"}
        env = with_bytecode(env, args.bytecode, Path(home))
        bare_script = Path(home) / "bare.py"
        bare_script.write_text(BARE_APP, encoding="utf-8")
        # A session that outlives the measured ones keeps the tmux server up between runs.
        subprocess.run(["tmux", "-L", SOCKET, "new-session", "-d", "-s", "keep", "sleep", "3600"],
                       env=env, check=True)  # fmt: skip
        try:
            # one warm-up of each so both read their modules from the page cache
            first_frame([sys.executable, str(bare_script)], "bare ready", env)
            first_frame([exe, "--offline"], "Search models", env)
            bare = [first_frame([sys.executable, str(bare_script)], "bare ready", env)
                    for _ in range(args.runs)]  # fmt: skip
            ours = [first_frame([exe, "--offline"], "Search models", env) for _ in range(args.runs)]
            wait_for("1 models")
            busy = "import time\nt = time.time() + 600\nwhile time.time() < t: pass"
            hogs = [
                subprocess.Popen([sys.executable, "-c", busy]) for _ in range(os.cpu_count() or 1)
            ]
            try:
                time.sleep(0.5)
                latencies = key_latencies(args.keys)
            finally:
                for hog in hogs:
                    hog.kill()
        finally:
            tmux("kill-server")
    bare_med, ours_med = statistics.median(bare), statistics.median(ours)
    p50, p99 = percentile(latencies, 0.5) * 1000, percentile(latencies, 0.99) * 1000
    ratio = ours_med / bare_med
    print(f"{'measure':<44}{'value':>12}")
    print("-" * 56)
    print(f"{'bare Textual app, first frame (median)':<44}{bare_med * 1000:>9.0f} ms")
    print(f"{'hf-tui --offline, first frame (median)':<44}{ours_med * 1000:>9.0f} ms")
    print(f"{'  ratio hf-tui / bare':<44}{ratio:>10.2f} x")
    verdict = "PASS" if ours_med <= 0.5 and ratio <= 2 else "FAIL"
    print(f"{'  target <= 500 ms and <= 2x':<44}{verdict:>12}")
    print(f"{'  bytecode caches':<44}{args.bytecode:>12}")
    label = f"key -> screen, {len(latencies)} keys, {os.cpu_count()} cores busy, p50"
    print(f"{label:<44}{p50:>9.1f} ms")
    print(f"{'key -> screen p99':<44}{p99:>9.1f} ms")
    print(f"{'  target p99 <= 50 ms':<44}{'PASS' if p99 <= 50 else 'FAIL':>12}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
