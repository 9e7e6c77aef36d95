"""Wall time of an offline `hf-tui models search` against `hf cache ls` (huggingface_hub's CLI).

Both are one-shot commands a person types and waits for; the baseline is the Hub's own CLI listing
a cache, measured in the same run, interleaved, so a busy machine slows both alike. Each gets an
isolated home: ours a local hub holding one repo, theirs an HF cache holding one snapshot. Target:
median ours <= 1.2x median theirs. Bytecode caches as in tui_startup.py (`--bytecode`).

    python benchmarks/cli_startup.py [--runs 9] [--bytecode cached|none]
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from tui_startup import with_bytecode

TARGET = 1.2


def timed(command: list[str], env: dict[str, str], expect: str) -> float:
    start = time.perf_counter()
    done = subprocess.run(command, env=env, capture_output=True, text=True, check=False)
    took = time.perf_counter() - start
    if done.returncode != 0 or expect not in done.stdout:
        raise SystemExit(f"{command} failed ({done.returncode}):\n{done.stdout}\n{done.stderr}")
    return took


def seed(home: Path) -> dict[str, str]:
    """An HFTUI_HOME with one local-hub repo and an HF_HOME with one cached snapshot."""
    repo = home / "hftui" / "hub" / "models" / "bench" / "tiny"
    repo.mkdir(parents=True)
    (repo / "README.md").write_text("---\nlicense: mit\n---\n# tiny\n", encoding="utf-8")
    cached = home / "hf" / "hub" / "models--bench--tiny"
    commit = "0" * 40
    (cached / "refs").mkdir(parents=True)
    (cached / "refs" / "main").write_text(commit, encoding="utf-8")
    (cached / "blobs").mkdir()
    (cached / "blobs" / "a1").write_text("{}", encoding="utf-8")
    (cached / "snapshots" / commit).mkdir(parents=True)
    (cached / "snapshots" / commit / "config.json").symlink_to("../../blobs/a1")
    env = {k: v for k, v in os.environ.items() if not k.startswith(("HF_", "HFTUI_"))}
    return {
        **env,
        "HFTUI_HOME": str(home / "hftui"),
        "HF_HOME": str(home / "hf"),
        "HF_HUB_OFFLINE": "1",
        "HF_HUB_DISABLE_TELEMETRY": "1",
        "NO_COLOR": "1",
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=9)
    parser.add_argument("--bytecode", choices=["cached", "none"], default="cached")
    args = parser.parse_args()
    bin_dir = Path(sys.executable).parent
    ours_cmd = [str(bin_dir / "hf-tui"), "models", "search", "--offline"]
    theirs_cmd = [str(bin_dir / "hf"), "cache", "ls"]
    ours: list[float] = []
    theirs: list[float] = []
    with tempfile.TemporaryDirectory() as tmp:
        env = with_bytecode(seed(Path(tmp)), args.bytecode, Path(tmp))
        timed(ours_cmd, env, "bench/tiny")  # warm-up: page cache, and the first index build
        timed(theirs_cmd, env, "bench/tiny")
        for _ in range(args.runs):
            ours.append(timed(ours_cmd, env, "bench/tiny"))
            theirs.append(timed(theirs_cmd, env, "bench/tiny"))
    ours_med, theirs_med = statistics.median(ours), statistics.median(theirs)
    ratio = ours_med / theirs_med
    print(f"{'measure':<48}{'value':>12}")
    print("-" * 60)
    print(f"{'hf cache ls (median of ' + str(args.runs) + ')':<48}{theirs_med * 1000:>9.0f} ms")
    print(f"{'hf-tui models search --offline (median)':<48}{ours_med * 1000:>9.0f} ms")
    print(f"{'  ratio hf-tui / hf':<48}{ratio:>10.2f} x")
    print(f"{'  target <= ' + str(TARGET) + 'x':<48}{'PASS' if ratio <= TARGET else 'FAIL':>12}")
    print(f"{'  bytecode caches':<48}{args.bytecode:>12}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
