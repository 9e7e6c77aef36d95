"""Offline `evaluate` metric modules: one folder per metric with `<name>.py` in it."""

from __future__ import annotations

from pathlib import Path

from hf_ecosystem.errors import HfEcoError

METRICS_DIR = Path(__file__).resolve().parent


class UnknownMetricError(HfEcoError):
    """A metric name we do not ship."""

    default_title = "Unknown metric"
    default_hint = "Use one of the shipped metrics, or pass a path to an evaluate metric script."


def available_metrics() -> list[str]:
    """Names of the shipped metric modules."""
    return sorted(p.name for p in METRICS_DIR.iterdir() if (p / f"{p.name}.py").is_file())


def metric_path(name: str) -> str:
    """The local path `evaluate.load()` accepts for a shipped metric (works offline)."""
    folder = METRICS_DIR / name
    if not (folder / f"{name}.py").is_file():
        raise UnknownMetricError(
            f"Unknown metric {name!r}", f"Shipped metrics: {', '.join(available_metrics())}."
        )
    return str(folder)
