"""The offline demo hub: seeded by a job, idempotent, browsable offline, models runnable."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from hf_ecosystem.demo.datasets import build_bbc_news, build_wnut16
from hf_ecosystem.demo.seed import MINILM_ID, is_seeded
from hf_ecosystem.hub.cards import parse_card_text
from hf_ecosystem.inference.registry import list_tasks
from hf_tui.cli import main


def test_bbc_and_wnut_match_their_sources(tmp_path: Path) -> None:
    rows = build_bbc_news(tmp_path / "bbc")
    assert rows == 2225
    import pandas as pd

    train = pd.read_csv(tmp_path / "bbc" / "data" / "train.csv")
    test = pd.read_csv(tmp_path / "bbc" / "data" / "test.csv")
    assert len(train) + len(test) == 2225 and set(train.label) == set(test.label)
    assert len(set(train.label)) == 5
    # stratified: each topic keeps its share within a row or so
    for topic, count in pd.concat([train, test]).label.value_counts().items():
        assert abs((train.label == topic).sum() - round(count * 0.8)) <= 1
    card = parse_card_text((tmp_path / "bbc" / "README.md").read_text(), "dataset")
    assert card.license == "other" and "non-commercial" in card.body
    sentences = build_wnut16(tmp_path / "wnut")
    lines = (tmp_path / "wnut" / "data" / "train.jsonl").read_text().splitlines()
    first = json.loads(lines[0])
    assert len(lines) == sentences > 1000
    assert first["tokens"][:3] == ["@paulwalk", "It", "'s"]
    assert len(first["tokens"]) == len(first["ner_tags"])


@pytest.mark.slow
def test_seed_job_then_browse_offline_and_run(
    isolated_env: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("HFTUI_MAX_JOBS", "1")
    assert main(["demo", "seed", "--json"]) == 0
    first = json.loads(capsys.readouterr().out)
    assert first["status"] == "succeeded", first
    created = set(first["result"]["created"])
    tasks = {t.name for t in list_tasks()}
    assert {MINILM_ID, "hf-tui-demo/bbc-news", "hf-tui-demo/wnut16-ner"} <= created
    assert {f"hf-tui-demo/tiny-{t}" for t in tasks} <= created
    hub = isolated_env / "hftui_home" / "hub"
    assert is_seeded(hub / "models" / MINILM_ID)
    readme = (hub / "models" / MINILM_ID / "README.md").read_text()
    assert parse_card_text(readme).library_name == "sentence-transformers"  # the real card

    assert main(["demo", "seed", "--json"]) == 0  # idempotent: nothing rebuilt
    second = json.loads(capsys.readouterr().out)
    assert second["result"]["created"] == [] and set(second["result"]["skipped"]) == created

    assert main(["models", "search", "tiny", "--offline", "--json", "--limit", "100"]) == 0
    found = {r["id"] for r in json.loads(capsys.readouterr().out)["results"]}
    assert {f"hf-tui-demo/tiny-{t}" for t in tasks} <= found
    assert main(["datasets", "search", "--offline", "--json"]) == 0
    datasets = json.loads(capsys.readouterr().out)["results"]
    assert {"hf-tui-demo/bbc-news", "hf-tui-demo/digits"} <= {d["id"] for d in datasets}

    # a demo model runs by its repo id, resolved through the local hub, as a job
    code = main(["run", "inference", "--task", "fill-mask", "--model",
                 "hf-tui-demo/tiny-fill-mask", "--input", "Paris is the [MASK] of France.",
                 "--wait", "--json"])  # fmt: skip
    run = json.loads(capsys.readouterr().out)
    assert code == 0 and run["status"] == "succeeded", run
    assert len(run["result"]["output"]) == 5
