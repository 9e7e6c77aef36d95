"""Snippets of a dataset's page: the preview of a split and its statistics."""

from __future__ import annotations

from hf_ecosystem.snippets.render import assign, lines
from hf_ecosystem.snippets.types import PreviewCode, Snippet, StatsCode


def _load(repo_id: str, config: str | None, split: str, *, streaming: bool) -> str:
    args = (repo_id, config) if config else (repo_id,)
    return assign("data", "load_dataset", *args, split=split, streaming=streaming or None)


def preview_snippet(request: PreviewCode) -> Snippet:
    """The first rows of a split, streamed (never the whole dataset)."""
    ecosystem = lines(
        "from hf_ecosystem.data.preview import preview",
        "",
        assign(
            "page",
            "preview",
            request.repo_id,
            split=request.split,
            config=request.config,
            rows=request.rows,
        ),
        "print([column.name for column in page.columns], page.total_rows)",
        "for row in page.rows:",
        "    print(row)",
    )
    plain = lines(
        "from datasets import load_dataset",
        "",
        _load(request.repo_id, request.config, request.split, streaming=True),
        "print(data.features)",
        f"for row in data.take({request.rows!r}):",
        "    print(row)",
    )
    return Snippet(f"Preview {request.repo_id} ({request.split})", ecosystem, plain)


def stats_snippet(request: StatsCode) -> Snippet:
    """Statistics of a split: per column counts, lengths, numbers, label balance."""
    ecosystem = lines(
        "from hf_ecosystem.data.stats import compute_stats",
        "",
        assign(
            "stats", "compute_stats", request.repo_id, split=request.split, config=request.config
        ),
        "print(stats.rows, 'rows')",
        "for column in stats.columns:",
        "    print(column.name, column.type, column.count, column.missing, column.top_values[:5])",
        "if stats.label is not None:",
        "    print(stats.label.column, stats.label.counts)",
    )
    plain = lines(
        "import pandas as pd",
        "from datasets import load_dataset",
        "",
        _load(request.repo_id, request.config, request.split, streaming=False),
        "frame = data.to_pandas()",
        "print(data.num_rows, 'rows')",
        "print(frame.isna().sum())  # missing values per column",
        "print(frame.describe(include='all').to_string())",
        "for name in frame.columns:",
        "    if pd.api.types.is_string_dtype(frame[name]):",
        "        print(name, 'length', frame[name].str.len().describe().to_dict())",
        "        if frame[name].nunique() <= 50:  # few values: a label",
        "            print(frame[name].value_counts().to_dict())",
    )
    return Snippet(f"Statistics of {request.repo_id} ({request.split})", ecosystem, plain)
