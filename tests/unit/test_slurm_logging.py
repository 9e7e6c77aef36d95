"""Submitting to Slurm leaves the process's logging alone: submitit's import-time dictConfig
would close every handler already there (a test runner's capture, a TUI's log file) and print
its INFO lines on stdout. Each case runs in a fresh interpreter (submitit imports once)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

SCRIPT = """
import logging, sys
log = sys.argv[1]
logging.basicConfig(filename=log, level=logging.INFO)

class Watched(logging.Handler):  # a handler that owns something (a file, a queue, a socket)
    def emit(self, record): pass
    def close(self):
        sys.stderr.write("app handler closed\\n")
        super().close()

logging.getLogger("app").addHandler(Watched())
{importer}
sys.stderr.write("imported\\n")
logging.getLogger("app").info("still logging")
logging.getLogger("submitit").info("an info line")
logging.getLogger("submitit").warning("a warning")
"""


def _run(importer: str, log: Path) -> subprocess.CompletedProcess[str]:
    code = SCRIPT.format(importer=importer)
    return subprocess.run([sys.executable, "-c", code, str(log)], capture_output=True,
                          text=True, timeout=120, check=True)  # fmt: skip


def test_a_plain_import_of_submitit_closes_the_handlers_already_there(tmp_path: Path) -> None:
    done = _run("import submitit", tmp_path / "plain.log")
    before = done.stderr.split("imported")[0]
    assert "app handler closed" in before  # by logging.dictConfig, at import
    assert "an info line" in done.stdout  # and submitit talks on stdout


def test_submitting_code_imports_it_without_touching_logging(tmp_path: Path) -> None:
    log = tmp_path / "ours.log"
    done = _run("from hf_ecosystem.jobs.slurm import _submitit; _submitit()", log)
    assert "still logging" in log.read_text()
    assert "app handler closed" not in done.stderr.split("imported")[0]  # only at exit
    assert done.stdout == ""  # nothing mixed into --json output
    assert "submitit WARNING: a warning" in done.stderr and "an info line" not in done.stderr
