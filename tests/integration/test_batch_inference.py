"""Batched inference: input order, equality with one-at-a-time results, resume, jobs, CLI."""

from __future__ import annotations

import json
import threading
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.csv as pa_csv
import pyarrow.parquet as pq
import pytest

from hf_ecosystem.inference.batch import length_batches, read_inputs, run_batch
from hf_ecosystem.inference.errors import BadInputError
from hf_ecosystem.jobs.context import JobCancelled
from hf_tui.cli import main

WORDS = [
    "the",
    "quick",
    "brown",
    "fox",
    "jumps",
    "over",
    "a",
    "lazy",
    "dog",
    "while",
    "markets",
    "rally",
    "and",
    "rain",
    "falls",
]


def texts(n: int) -> list[str]:
    rng = np.random.default_rng(0)
    return [" ".join(rng.choice(WORDS, size=int(rng.integers(1, 60)))) for _ in range(n)]


@pytest.fixture(scope="module")
def minilm_embed(minilm_path: Path):  # type: ignore[no-untyped-def]
    """An independent one-text-at-a-time mean-pooled embedding with plain transformers."""
    import torch
    from transformers import AutoModel, AutoTokenizer

    tokenizer = AutoTokenizer.from_pretrained(minilm_path)
    model = AutoModel.from_pretrained(minilm_path).eval()

    def embed(text: str) -> np.ndarray:
        with torch.inference_mode():
            enc = tokenizer(text, return_tensors="pt", truncation=True)
            hidden = model(**enc).last_hidden_state[0]
        return hidden.mean(0).numpy()

    return embed


def test_length_batches_respect_budget_and_cover_everything() -> None:
    lengths = [5, 100, 7, 50, 3, 60, 8, 9]
    batches = list(length_batches(lengths, list(range(8)), max_batch=3, token_budget=150))
    assert sorted(i for b in batches for i in b) == list(range(8))
    for batch in batches:
        assert len(batch) <= 3
        assert max(lengths[i] for i in batch) * len(batch) <= 150 or len(batch) == 1
    flat = [lengths[i] for b in batches for i in b]
    assert flat == sorted(flat)


def test_embeddings_in_input_order_match_one_at_a_time(
    tmp_path: Path, minilm_path: Path, minilm_embed
) -> None:  # type: ignore[no-untyped-def]
    data = texts(40)
    source = tmp_path / "in.csv"
    pa_csv.write_csv(pa.table({"id": list(range(40)), "text": data}), source)
    out = tmp_path / "out.jsonl"
    result = run_batch("feature-extraction", str(minilm_path), source, out, batch_size=8)
    rows = [json.loads(line) for line in out.read_text().splitlines()]
    assert result.rows == result.computed == 40 and result.batches >= 5
    assert [r["index"] for r in rows] == list(range(40))
    assert [r["input"] for r in rows] == data
    for row in rows[::7]:
        assert np.allclose(row["output"], minilm_embed(row["input"]), atol=1e-4)


def test_cancel_then_resume(tmp_path: Path, minilm_path: Path) -> None:
    data = texts(30)
    source = tmp_path / "in.parquet"
    pq.write_table(pa.table({"text": data}), source)
    out = tmp_path / "out.parquet"
    cancel = threading.Event()

    def stop_after_first(done: int, total: int) -> None:
        if done > 0:
            cancel.set()

    with pytest.raises(JobCancelled):
        run_batch("feature-extraction", str(minilm_path), source, out, batch_size=4,
                  progress=stop_after_first, cancel=cancel)  # fmt: skip
    partial = out.with_name(out.name + ".partial.jsonl")
    written = len(partial.read_text().splitlines())
    assert 0 < written < 30 and not out.exists()
    with partial.open("a") as handle:
        handle.write('{"index": 29, "outp')  # a line torn by a kill
    result = run_batch("feature-extraction", str(minilm_path), source, out, batch_size=4)
    assert result.resumed == written and result.computed == 30 - written
    table = pq.read_table(out)
    assert table.column("index").to_pylist() == list(range(30))
    assert table.column("input").to_pylist() == data
    assert not partial.exists()


def test_text_classification_scores(tmp_path: Path, tiny_bert_dir: Path) -> None:
    source = tmp_path / "in.jsonl"
    source.write_text("".join(json.dumps({"text": t}) + "\n" for t in texts(12)))
    out = tmp_path / "out.jsonl"
    run_batch("text-classification", str(tiny_bert_dir), source, out)
    for row in (json.loads(x) for x in out.read_text().splitlines()):
        scores = row["output"]
        assert {s["label"] for s in scores} == {"negative", "neutral", "positive"}
        assert abs(sum(s["score"] for s in scores) - 1) < 1e-5
        assert scores == sorted(scores, key=lambda s: -s["score"])


def test_bad_inputs(tmp_path: Path) -> None:
    csv = tmp_path / "a.csv"
    csv.write_text("title,body\nx,y\n")
    with pytest.raises(BadInputError, match=r"Column .text. not in a\.csv"):
        read_inputs(csv)
    assert read_inputs(csv, "body") == ["y"]
    with pytest.raises(BadInputError, match="use CSV, JSONL"):
        read_inputs(tmp_path / "a.docx")
    (tmp_path / "empty").mkdir()
    with pytest.raises(BadInputError, match="No image or audio"):
        read_inputs(tmp_path / "empty")


@pytest.mark.slow
def test_batch_and_single_inference_as_jobs(
    tmp_path: Path,
    tiny_bert_dir: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("HFTUI_MAX_JOBS", "1")
    source = tmp_path / "in.txt"
    source.write_text("\n".join(texts(10)))
    out = tmp_path / "preds.jsonl"
    code = main(["run", "batch", "--task", "text-classification", "--model", str(tiny_bert_dir),
                 "--input", str(source), "--output", str(out), "--wait", "--json"])  # fmt: skip
    data = json.loads(capsys.readouterr().out)
    assert code == 0, data
    assert data["status"] == "succeeded" and data["result"]["rows"] == 10
    assert len(out.read_text().splitlines()) == 10
    code = main(["run", "inference", "--task", "text-classification", "--model",
                 str(tiny_bert_dir), "--input", "a fine day", "--wait", "--json"])  # fmt: skip
    data = json.loads(capsys.readouterr().out)
    assert code == 0 and data["status"] == "succeeded", data
    output = data["result"]["output"]
    assert abs(sum(s["score"] for s in output) - 1) < 1e-5
