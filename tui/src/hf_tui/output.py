"""How the CLI prints: JSON for scripts, compact tables for people, errors on one line
(values are worded by `hf_tui.format`)."""

from __future__ import annotations

import json
import sys
from collections.abc import Sequence
from typing import Any

from rich.console import Console
from rich.table import Table

from hf_ecosystem.errors import HfEcoError
from hf_ecosystem.redact import redact


class _Console(Console):
    """Rich's console, leaving a closed pipe to the CLI's one handler (rich would exit 1)."""

    def on_broken_pipe(self) -> None:
        raise BrokenPipeError


def console() -> Console:
    """A console on stdout; piped output gets a wide fixed width so rows stay greppable."""
    return _Console(highlight=False, soft_wrap=False, width=None if sys.stdout.isatty() else 200)


def print_json(data: Any) -> None:
    """Print `data` as indented JSON, redacted."""
    sys.stdout.write(redact(json.dumps(data, indent=2, default=str, ensure_ascii=False)) + "\n")


def print_error(exc: HfEcoError, *, as_json: bool = False) -> None:
    """One clear line on stderr (and a JSON object on stdout with --json)."""
    if as_json:
        print_json({"ok": False, **exc.to_dict()})
    sys.stderr.write(redact(f"error: {exc}") + "\n")


def print_table(
    columns: Sequence[str], rows: Sequence[Sequence[str]], title: str | None = None
) -> None:
    """A plain table on stdout."""
    table = Table(title=title, show_edge=False, header_style="bold", pad_edge=False)
    for index, column in enumerate(columns):
        table.add_column(column, no_wrap=index == 0, overflow="ellipsis")
    for row in rows:
        table.add_row(*(redact(cell) for cell in row))
    console().print(table)
