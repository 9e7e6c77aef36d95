"""How the CLI prints: JSON for scripts, compact tables for people, errors on one line."""

from __future__ import annotations

import json
import sys
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from rich.console import Console
from rich.table import Table

from hf_ecosystem.errors import HfEcoError
from hf_ecosystem.redact import redact


def console() -> Console:
    """A console on stdout; piped output gets a wide fixed width so rows stay greppable."""
    return Console(highlight=False, soft_wrap=False, width=None if sys.stdout.isatty() else 200)


def print_json(data: Any) -> None:
    """Print `data` as indented JSON, redacted."""
    sys.stdout.write(redact(json.dumps(data, indent=2, default=str, ensure_ascii=False)) + "\n")


def print_error(exc: HfEcoError, *, as_json: bool = False) -> None:
    """One clear line on stderr (and a JSON object on stdout with --json)."""
    if as_json:
        print_json({"ok": False, **exc.to_dict()})
    sys.stderr.write(redact(f"error: {exc}") + "\n")


def human_count(value: int | None) -> str:
    """1234567 -> '1.2M'."""
    if value is None:
        return "—"
    for unit, size in (("B", 1e9), ("M", 1e6), ("k", 1e3)):
        if abs(value) >= size:
            return f"{value / size:.1f}{unit}"
    return str(value)


def human_bytes(value: int | None) -> str:
    """1536 -> '1.5 KiB'."""
    if value is None:
        return "—"
    size = float(value)
    for unit in ("B", "KiB", "MiB", "GiB", "TiB"):
        if size < 1024 or unit == "TiB":
            return f"{size:.0f} {unit}" if unit == "B" else f"{size:.1f} {unit}"
        size /= 1024
    return f"{size:.1f} TiB"


def human_date(value: datetime | None) -> str:
    """A date as YYYY-MM-DD."""
    return value.strftime("%Y-%m-%d") if value else "—"


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
