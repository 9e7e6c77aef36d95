"""Dataset statistics: a per-column table, label balance and text-length histograms."""

from __future__ import annotations

import math
from itertools import pairwise
from typing import Any

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.widgets import Static
from textual_plotext import PlotextPlot

from hf_ecosystem.data.types import DatasetStats, Distribution
from hf_tui.widgets.data_table import DataTable

BINS = 12


def histogram(dist: Distribution, bins: int = BINS) -> tuple[list[str], list[float]]:
    """Bin labels and estimated counts, from the distribution's quantiles (its CDF)."""
    points = sorted(dist.quantiles, key=lambda qv: qv[1])
    if dist.min is None or dist.max is None or not points or dist.count == 0:
        return [], []
    low, high = float(dist.min), float(dist.max)
    if high <= low:
        return [f"{low:g}"], [float(dist.count)]
    cdf = [(float(dist.min), 0.0), *((float(v), float(q)) for q, v in points), (high, 1.0)]

    def at(x: float) -> float:
        for (x0, q0), (x1, q1) in pairwise(cdf):
            if x <= x1:
                return q0 if x1 == x0 else q0 + (q1 - q0) * (x - x0) / (x1 - x0)
        return 1.0

    width = (high - low) / bins
    edges = [low + i * width for i in range(bins + 1)]
    counts = [max(0.0, (at(b) - at(a)) * dist.count) for a, b in pairwise(edges)]
    labels = [f"{a:.0f}" for a in edges[:-1]]
    return labels, counts


def count_ticks(top: float, most: int = 6) -> list[int]:
    """Whole-number y ticks from 0 past `top` (steps of 1, 2 or 5 times a power of ten, at most
    `most` ticks): a count axis never shows 0.5 of a row."""
    power = 1
    while True:
        for step in (power, 2 * power, 5 * power):
            if step * (most - 1) >= top:
                return list(range(0, step * max(1, math.ceil(top / step)) + 1, step))
        power *= 10


def integer_y_axis(plt: Any, values: list[float]) -> None:
    """Put whole-number ticks on a count plot's y axis (plotext picks fractional ones)."""
    ticks = count_ticks(max(values, default=0))
    plt.ylim(0, ticks[-1])
    plt.yticks(ticks, [f"{t:,}" for t in ticks])


def _fmt(value: Any) -> str:
    if value is None:
        return "—"
    if isinstance(value, float):
        return f"{value:.4g}"
    return str(value)


class StatsPanel(Vertical):
    """Per-column statistics plus plots of the label balance and of text lengths."""

    DEFAULT_CSS = """
    StatsPanel { height: auto; }
    StatsPanel DataTable { height: auto; max-height: 16; margin-bottom: 1; }
    StatsPanel PlotextPlot { height: 14; margin-bottom: 1; }
    StatsPanel #stats-summary { height: auto; margin-bottom: 1; }
    """

    def compose(self) -> ComposeResult:
        yield Static("Statistics are computed on demand (press s).", id="stats-summary")
        yield DataTable(id="stats-columns", show_cursor=False, zebra_stripes=True)
        yield PlotextPlot(id="stats-labels")
        yield PlotextPlot(id="stats-lengths")

    def on_mount(self) -> None:
        for widget in self.query(".-plot, #stats-columns, #stats-labels, #stats-lengths"):
            widget.display = False

    def show_loading(self, what: str) -> None:
        """A line saying what is being computed."""
        self.query_one("#stats-summary", Static).update(what)

    def show(self, stats: DatasetStats) -> None:
        """Render one split's statistics."""
        summary = Text(f"{stats.rows:,} rows · {len(stats.columns)} columns", style="bold")
        summary.append(f" · {stats.config}/{stats.split} · {stats.seconds:.2f} s")
        if not stats.complete:
            summary.append(" · partial (stopped early)", style="yellow")
        self.query_one("#stats-summary", Static).update(summary)
        table = self.query_one("#stats-columns", DataTable)
        table.clear(columns=True)
        table.add_columns(
            "column", "type", "missing", "distinct", "min", "mean", "max", "top value"
        )
        for col in stats.columns:
            dist = col.numeric or col.char_lengths or col.list_lengths
            label = "" if col.numeric else " (len)" if dist is not None else ""
            top = (
                f"{_fmt(col.top_values[0][0])[:24]} ×{col.top_values[0][1]}"
                if col.top_values
                else "—"
            )
            table.add_row(
                col.name,
                col.type,
                f"{col.missing} ({col.missing_fraction * 100:.1f}%)",
                _fmt(col.distinct) + ("+" if col.distinct_capped else ""),
                _fmt(dist.min if dist else None) + label,
                _fmt(dist.mean if dist else None),
                _fmt(dist.max if dist else None),
                top,
            )
        table.display = True
        self._plot_labels(stats)
        self._plot_lengths(stats)

    def _plot_labels(self, stats: DatasetStats) -> None:
        widget = self.query_one("#stats-labels", PlotextPlot)
        label = stats.label
        widget.display = label is not None and bool(label.counts)
        if label is None or not label.counts:
            return
        plt = widget.plt
        plt.clear_figure()
        names = [str(name)[:12] for name, _ in label.counts]
        counts = [count for _, count in label.counts]
        plt.bar(names, counts)
        integer_y_axis(plt, [float(c) for c in counts])
        ratio = label.imbalance_ratio
        plt.title(
            f"label balance: {label.column} · {label.num_classes} classes"
            + (f" · imbalance {ratio:.2f}x" if ratio else "")
        )
        widget.refresh()

    def _plot_lengths(self, stats: DatasetStats) -> None:
        widget = self.query_one("#stats-lengths", PlotextPlot)
        text_col = next((c for c in stats.columns if c.char_lengths is not None), None)
        widget.display = text_col is not None
        if text_col is None or text_col.char_lengths is None:
            return
        dist = text_col.token_lengths or text_col.char_lengths
        unit = "tokens" if text_col.token_lengths else "characters"
        labels, counts = histogram(dist)
        plt = widget.plt
        plt.clear_figure()
        if labels:
            plt.bar(labels, counts)
            integer_y_axis(plt, counts)
        plt.title(f"length of {text_col.name!r} in {unit} (median {_fmt(dist.quantile(0.5))})")
        widget.refresh()
