"""How the CLI and the screens word values: sizes, counts, dates, durations, job events,
search results."""

from __future__ import annotations

import json
import time
from collections.abc import Mapping
from datetime import datetime
from typing import Any, cast

from hf_ecosystem.hub.types import RepoKind, RepoSummary
from hf_ecosystem.jobs.events import JobEvent

# Rich styles of a job's status, wherever a status is shown in colour.
STATUS_STYLES = {
    "queued": "dim",
    "starting": "yellow",
    "running": "bold yellow",
    "succeeded": "green",
    "failed": "bold red",
    "cancelled": "magenta",
    "lost": "red",
}


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


def duration(seconds: float | None) -> str:
    """Any span of time (an age, an eta, a run's length): `42s`, `1m35s`, `3h02m`, `2d05h`;
    None -> `—`."""
    if seconds is None:
        return "—"
    seconds = max(0, round(seconds))
    if seconds >= 86400:
        return f"{seconds // 86400}d{seconds % 86400 // 3600:02d}h"
    if seconds >= 3600:
        return f"{seconds // 3600}h{seconds % 3600 // 60:02d}m"
    if seconds >= 60:
        return f"{seconds // 60}m{seconds % 60:02d}s"
    return f"{seconds}s"


def progress_count(data: Mapping[str, Any], *, with_unit: bool = True) -> str:
    """A progress event's count: "120 / 500 examples", "1.2 MB / 3.4 MB", "7" (no total)."""
    total = data.get("total")
    unit = str(data.get("unit", ""))
    done = human_bytes(int(data.get("done", 0))) if unit == "B" else f"{data.get('done', 0):g}"
    of = f" / {human_bytes(int(total)) if unit == 'B' else f'{total:g}'}" if total else ""
    named = f" {unit}" if with_unit and unit and unit != "B" else ""
    return f"{done}{of}{named}"


def describe_event(event: JobEvent) -> str:
    """One line for a job event."""
    stamp = time.strftime("%H:%M:%S", time.localtime(event.time))
    d = event.data
    if event.type == "progress":
        eta = f" · eta {duration(d['eta'])}" if d.get("eta") is not None else ""
        return f"{stamp} progress {progress_count(d, with_unit=False)}{eta}"
    if event.type == "log":
        return f"{stamp} {d.get('level', 'info')}: {d.get('message', '')}"
    if event.type == "error":
        return f"{stamp} error: {d.get('title', '')} — {d.get('hint', '')}"
    fields = " ".join(f"{k}={v}" for k, v in d.items())
    return f"{stamp} {event.type} {fields}".rstrip()


def summary_columns(kind: RepoKind) -> tuple[str, ...]:
    """The columns of a search result (a model's size is its parameter count)."""
    size = "params" if kind == "model" else "size"
    return ("id", "task", "downloads", "likes", "updated", "license", size)


def summary_cells(item: RepoSummary) -> tuple[str, ...]:
    """One search result as the cells of `summary_columns`."""
    size = human_count(item.parameters) if item.kind == "model" else human_bytes(item.size_bytes)
    return (
        item.id,
        item.task or "—",
        human_count(item.downloads),
        human_count(item.likes),
        human_date(item.last_modified),
        item.license or "—",
        size,
    )


def field_lines(data: Mapping[str, Any], indent: str = "  ", depth: int = 0) -> list[str]:
    """`key: value` lines for people (never a Python dict): lists joined, mappings nested, lists
    of records one line each; long lists cut with a count of what is left out."""
    lines: list[str] = []
    pad = indent * depth
    for key, value in data.items():
        if isinstance(value, Mapping):
            lines.append(f"{pad}{key}:")
            lines += field_lines(cast("Mapping[str, Any]", value), indent, depth + 1)
        elif isinstance(value, list | tuple):
            items = list(cast("list[Any]", value))
            if items and all(isinstance(i, Mapping) for i in items):
                lines.append(f"{pad}{key}:")
                for item in items[:_LIST_LIMIT]:
                    pairs = ", ".join(f"{k}={_scalar(v)}" for k, v in item.items())
                    lines.append(f"{pad}{indent}- {pairs}")
            else:
                shown = ", ".join(_scalar(i) for i in items[:_LIST_LIMIT])
                lines.append(f"{pad}{key}: {shown or '—'}")
            if len(items) > _LIST_LIMIT:
                lines.append(f"{pad}{indent}… and {len(items) - _LIST_LIMIT} more")
        else:
            lines.append(f"{pad}{key}: {_scalar(value)}")
    return lines


_LIST_LIMIT = 10


def _scalar(value: Any) -> str:
    if value is None:
        return "—"
    if isinstance(value, float):
        return f"{value:.4g}"
    if isinstance(value, list | tuple | Mapping):
        return json.dumps(value, default=str, ensure_ascii=False)
    return str(value)
