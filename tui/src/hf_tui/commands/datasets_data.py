"""`hf-tui datasets preview|stats`: the first rows and the statistics of a dataset split."""

from __future__ import annotations

import argparse
import sys
from typing import TYPE_CHECKING, Any

from hf_tui.commands import common_options
from hf_tui.format import human_bytes
from hf_tui.output import print_json, print_table

if TYPE_CHECKING:
    from hf_ecosystem.data.types import ColumnStats, DatasetStats, Distribution

_CELL = 60


def add_dataset_actions(actions: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Register `preview` and `stats` in the `datasets` group."""
    preview = actions.add_parser(
        "preview",
        parents=[common_options()],
        help="the first rows of a split (reads only what it shows)",
    )
    _add_source_arguments(preview)
    preview.add_argument("--rows", type=int, default=20, help="rows to show (1-10000)")
    preview.add_argument(
        "--column", action="append", default=None, help="only this column (repeatable)"
    )
    preview.set_defaults(handler=run_preview)

    stats = actions.add_parser(
        "stats",
        parents=[common_options()],
        help="column statistics, text lengths and label balance, in one streaming pass",
    )
    _add_source_arguments(stats)
    stats.add_argument(
        "--column", action="append", default=None, help="only this column (repeatable)"
    )
    stats.add_argument("--label", help="label column (default: guessed; '' for none)")
    stats.add_argument(
        "--tokenizer",
        help="tokenizer.json, a model folder or a model's repo id: adds token lengths",
    )
    stats.add_argument("--max-rows", type=int, help="stop after this many rows")
    stats.add_argument("--top", type=int, default=5, help="most frequent values to show")
    stats.set_defaults(handler=run_stats)


def _add_source_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "dataset", metavar="DATASET_OR_PATH", help="repo id, file, folder or http(s) URL"
    )
    parser.add_argument("--split", help="split name (default: train, else the first)")
    parser.add_argument("--config", help="config (subset) name (default: the default one)")


def _cell(value: Any) -> str:
    text = "—" if value is None else str(value)
    text = " ".join(text.split())
    return text if len(text) <= _CELL else text[: _CELL - 1] + "…"


def _number(value: float | int | None) -> str:
    if value is None:
        return "—"
    if isinstance(value, int):
        return f"{value:,}"
    return f"{value:,.4g}"


def run_preview(args: argparse.Namespace) -> int:
    """Print the first rows of a split."""
    from hf_ecosystem.data.preview import preview
    from hf_ecosystem.data.sources import resolve

    source = resolve(args.dataset, offline=True if args.offline else None)
    page = preview(
        source, split=args.split, config=args.config, rows=args.rows, columns=args.column
    )
    config, split = source.split(page.split, page.config)
    if args.json:
        print_json({"ok": True, "kind": source.kind, **page.to_dict()})
        return 0
    total = f"{page.total_rows:,} rows" if page.total_rows is not None else "rows unknown"
    size = split.summary(count_rows=False).num_bytes
    others = ", ".join(s.name for s in config.splits)
    sys.stderr.write(
        f"{source.kind}: {source.location} · config {page.config} · split {page.split} "
        f"(of {others}) · {total} · {human_bytes(size)}\n"
    )
    headers = [
        f"{c.name} ({c.type})" if not c.labels else f"{c.name} (class)" for c in page.columns
    ]
    rows = []
    for row in page.rows:
        cells = []
        for col, value in zip(page.columns, row, strict=True):
            if col.labels and isinstance(value, int) and 0 <= value < len(col.labels):
                value = f"{col.labels[value]} ({value})"
            cells.append(_cell(value))
        rows.append(cells)
    print_table(headers, rows)
    print(f"{len(page.rows)} rows shown" + (f" of {page.total_rows:,}" if page.total_rows else ""))
    return 0


def run_stats(args: argparse.Namespace) -> int:
    """Print statistics of a split."""
    from hf_ecosystem.data.stats import compute_stats
    from hf_ecosystem.data.tokenizer_source import fast_tokenizer

    offline = True if args.offline else None
    tokenizer = fast_tokenizer(args.tokenizer, offline=offline) if args.tokenizer else None
    stats = compute_stats(
        args.dataset,
        split=args.split,
        config=args.config,
        columns=args.column,
        label_column=args.label,
        tokenizer=tokenizer,
        max_rows=args.max_rows,
        top_k=args.top,
        offline=offline,
    )
    if args.json:
        print_json({"ok": True, **stats.to_dict()})
        return 0
    _print_stats(stats)
    return 0


def _share(part: int, whole: int) -> str:
    return f"{part:,} ({part / whole:.1%})" if whole else f"{part:,}"


def _print_stats(stats: DatasetStats) -> None:
    done = "" if stats.complete else " (stopped early)"
    print(
        f"{stats.spec} · config {stats.config} · split {stats.split}: {stats.rows:,} rows, "
        f"{len(stats.columns)} columns, {stats.seconds:.2f} s{done}"
    )
    print_table(
        ["column", "type", "count", "missing", "distinct", "most frequent"],
        [
            [
                c.name,
                c.type,
                f"{c.count:,}",
                _share(c.missing, c.count + c.missing),
                f"{c.distinct:,}" if c.distinct is not None else "many",
                _cell(", ".join(f"{v} ({n:,})" for v, n in c.top_values[:3])) or "—",
            ]
            for c in stats.columns
        ],
        title="columns",
    )
    numeric = [(c.name, "", c.numeric) for c in stats.columns if c.numeric and c.numeric.count]
    if numeric:
        _print_distributions("numbers", numeric)
    lengths = _lengths(stats.columns)
    if lengths:
        _print_distributions("lengths", lengths)
    if stats.label is not None:
        label = stats.label
        total = sum(n for _, n in label.counts)
        print_table(
            ["class", "count"],
            [[_cell(v), _share(n, total)] for v, n in label.counts[:50]],
            title=f"label {label.column!r}: {label.num_classes} classes",
        )
        if label.imbalance_ratio is not None:
            print(f"imbalance ratio (largest / smallest class): {label.imbalance_ratio:.2f}")
    for warning in stats.warnings:
        sys.stderr.write(f"warning: {warning}\n")


def _lengths(columns: tuple[ColumnStats, ...]) -> list[tuple[str, str, Distribution]]:
    out: list[tuple[str, str, Distribution]] = []
    for c in columns:
        for unit, dist in (
            ("chars", c.char_lengths),
            ("tokens", c.token_lengths),
            ("items", c.list_lengths),
        ):
            if dist is not None and dist.count:
                out.append((c.name, unit, dist))
    return out


def _print_distributions(title: str, rows: list[tuple[str, str, Distribution]]) -> None:
    if not all(d.exact_quantiles for _, _, d in rows):
        title += " (sampled quantiles)"
    print_table(
        ["column", "unit", "min", "p25", "median", "p75", "p95", "max", "mean", "std"],
        [
            [
                name,
                unit or "—",
                _number(d.min),
                _number(d.quantile(0.25)),
                _number(d.quantile(0.5)),
                _number(d.quantile(0.75)),
                _number(d.quantile(0.95)),
                _number(d.max),
                _number(d.mean),
                _number(d.std),
            ]
            for name, unit, d in rows
        ],
        title=title,
    )
