"""Checks before launch: a misspelt model or dataset is refused at once, with the nearest names."""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest

from fakehub import FakeHub, FakeRepo
from hf_ecosystem.config import load_settings
from hf_ecosystem.errors import RepoNotFoundError
from hf_ecosystem.jobs.spec import JobSpec
from hf_ecosystem.jobs.store import JobStore
from hf_ecosystem.preflight import check_spec
from hf_tui.cli import main

MODEL = "sentence-transformers/all-MiniLM-L6-v2"


@pytest.fixture
def demo_hub(isolated_env: Path) -> Path:
    root = isolated_env / "hftui_home" / "hub"
    for kind, repo_id in (
        ("models", MODEL),
        ("datasets", "hf-tui-demo/bbc-news"),
        ("datasets", "hf-tui-demo/wnut-16"),
    ):
        folder = root / kind / repo_id
        folder.mkdir(parents=True)
        (folder / "README.md").write_text("---\nlicense: mit\n---\n")
    return root


def evaluate(model: str, dataset: str) -> JobSpec:
    return JobSpec.create("evaluate", model=model, dataset=dataset, task="text-classification")


def test_offline_a_misspelt_dataset_is_refused_at_once_with_the_nearest_names(
    demo_hub: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    settings = load_settings()
    start = time.perf_counter()
    with pytest.raises(RepoNotFoundError) as caught:
        check_spec(evaluate(MODEL, "hf-tui-demo/bbc-nws"), settings)
    assert time.perf_counter() - start < 5
    assert "No dataset 'hf-tui-demo/bbc-nws' in the local hub (offline)" in caught.value.title
    assert caught.value.hint == "Did you mean hf-tui-demo/bbc-news?"
    check_spec(evaluate(MODEL, "hf-tui-demo/bbc-news"), settings)  # the real names pass
    with pytest.raises(RepoNotFoundError, match="No model 'sentence-transformers/all-MiniLM-L6'"):
        check_spec(evaluate("sentence-transformers/all-MiniLM-L6", "hf-tui-demo/wnut-16"), settings)


def test_online_the_hub_is_asked_and_a_folder_always_passes(
    demo_hub: Path, fake_hub: FakeHub, tmp_path: Path
) -> None:
    fake_hub.add(FakeRepo("acme/bert", files={"config.json": b"{}"}))
    settings = load_settings()
    check_spec(evaluate("acme/bert", "hf-tui-demo/bbc-news"), settings)
    with pytest.raises(RepoNotFoundError) as caught:
        check_spec(evaluate("acme/bret", "hf-tui-demo/bbc-news"), settings)
    assert "on the Hub or in the local hub" in caught.value.title
    folder = tmp_path / "my-model"
    folder.mkdir()
    train = JobSpec.create("train", config={"model": str(folder), "dataset": "hf-tui-demo/wnut-16"})
    check_spec(train, settings)
    check_spec(JobSpec.create("download", repo_id="acme/whatever"), settings)  # not checked


def test_the_cli_refuses_before_any_job_exists(
    demo_hub: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    code = main(["run", "evaluate", "--model", MODEL, "--dataset", "hf-tui-demo/bbc-nws",
                 "--task", "text-classification"])  # fmt: skip
    assert code == 1
    err = capsys.readouterr().err
    assert "Did you mean hf-tui-demo/bbc-news?" in err and err.count("\n") == 1
    assert JobStore(Path(os.environ["HFTUI_HOME"])).list() == []
