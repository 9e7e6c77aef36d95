"""Every "show code" snippet runs: the hf_ecosystem variant offline against the demo hub, the
plain-libraries variant against the same hub served as a Hub endpoint (`hf-tui hub serve`).

One fresh Python per variant runs all the snippets (each in its own namespace, its output kept),
so the heavy imports are paid twice, not once per snippet."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import textwrap
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from hf_ecosystem.hub.types import SearchFilters, Sort
from hf_ecosystem.snippets import (
    CodeRequest,
    EvaluateCode,
    MemoryCode,
    ModelCode,
    PreviewCode,
    PublishCode,
    SearchCode,
    StatsCode,
    TrainCode,
    TryCode,
    snippet_for,
)

pytestmark = [pytest.mark.slow, pytest.mark.timeout(1500)]

DEMO = "hf-tui-demo"
CLASSIFIER = f"{DEMO}/tiny-text-classification"
NEWS = f"{DEMO}/bbc-news"
HOSTILE = "it's \"great\"\n'''); import os; os.system('false') #"
TINY_TASKS = ("text-classification", "question-answering", "summarization", "text-generation")

DRIVER = """
import contextlib, io, json, runpy, sys, traceback
results = {}
for name, path in json.loads(sys.argv[1]).items():
    out = io.StringIO()
    try:
        with contextlib.redirect_stdout(out):
            runpy.run_path(path, run_name="__main__")
        results[name] = {"ok": True, "out": out.getvalue()}
    except BaseException:
        results[name] = {"ok": False, "out": out.getvalue(), "error": traceback.format_exc()}
print("RESULTS " + json.dumps(results))
"""


def _train_config(output_dir: Path) -> dict[str, Any]:
    return {"model": CLASSIFIER, "dataset": NEWS, "text_column": "headline", "max_steps": 2,
            "batch_size": 8, "max_train_samples": 32, "max_eval_samples": 16, "max_length": 32,
            "output_dir": str(output_dir)}  # fmt: skip


def requests(work: Path, variant: str, user: str) -> dict[str, CodeRequest]:
    """What each screen would show, named (run in this order: the evaluation reads the model the
    training saved); `variant` and `user` keep written paths apart."""
    from hf_ecosystem.training.spec import TrainSpec

    config = _train_config(work / f"train-{variant}")
    spec = TrainSpec.parse(config)
    local = variant == "ecosystem"
    return {
        "search-models": SearchCode(
            "model", SearchFilters(query="tiny", task="text-classification"), Sort.NAME
        ),
        "search-datasets": SearchCode("dataset", SearchFilters(query="bbc"), Sort.DOWNLOADS),
        "model": ModelCode(CLASSIFIER, "text-classification"),
        "memory": MemoryCode(CLASSIFIER, dtype="fp32", batch=2, seq=64, mode="full"),
        "try-text-classification": TryCode(CLASSIFIER, "text-classification", HOSTILE),
        "try-question-answering": TryCode(
            f"{DEMO}/tiny-question-answering",
            "question-answering",
            {"question": "Who won?", "context": HOSTILE},
        ),
        "try-summarization": TryCode(f"{DEMO}/tiny-summarization", "summarization", HOSTILE),
        "try-text-generation": TryCode(f"{DEMO}/tiny-text-generation", "text-generation", "Hi"),
        "preview": PreviewCode(NEWS, "train", rows=3),
        "stats": StatsCode(NEWS, "test"),
        "train": TrainCode(config, spec.model_dump()),
        "evaluate-classification": EvaluateCode(
            {
                "task": "text-classification",
                "model": str(config["output_dir"]),  # the model the train snippet just saved
                "dataset": NEWS,
                "text_column": "headline",
                "max_samples": 8,
                "batch_size": 4,
            }
        ),
        "evaluate-perplexity": EvaluateCode(
            {
                "task": "causal-lm",
                "model": f"{DEMO}/tiny-text-generation",
                "dataset": NEWS,
                "text_column": "headline",
                "max_samples": 4,
            }
        ),
        "publish": PublishCode(
            str(work / "to-publish"),
            f"{user}/published-{variant}",
            private=False,
            local=local,
            tag="v1",
            commit_message="from a snippet",
        ),
    }


@pytest.fixture(scope="module")
def demo_home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """An HFTUI_HOME whose local hub holds the tiny models and the BBC News dataset."""
    from hf_ecosystem.demo.datasets import build_bbc_news
    from hf_ecosystem.demo.tiny_models import build_tiny

    home = tmp_path_factory.mktemp("snippets-home")
    for task in TINY_TASKS:
        build_tiny(task, home / "hub" / "models" / DEMO / f"tiny-{task}")
    news = home / "hub" / "datasets" / NEWS
    news.mkdir(parents=True)
    build_bbc_news(news)
    build_tiny("text-classification", home / "work" / "to-publish")
    return home


def _clean_env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("HF_", "HFTUI_"))}
    env.update(HF_HUB_DISABLE_XET="1", HF_UPDATE_DOWNLOAD_COUNTS="0",
               TOKENIZERS_PARALLELISM="false", HF_HUB_DISABLE_PROGRESS_BARS="1",
               **extra)  # fmt: skip
    return env


@pytest.fixture(scope="module")
def served(demo_home: Path) -> Iterator[dict[str, str]]:
    """`hf-tui hub serve` over the demo home: its url, token and user."""
    exe = Path(sys.executable).with_name("hf-tui")
    env = _clean_env(HFTUI_HOME=str(demo_home), HF_HOME=str(demo_home / "serve-hf"))
    server = subprocess.Popen([str(exe), "hub", "serve", "--json"], stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, text=True, env=env)  # fmt: skip
    assert server.stdout is not None
    started = json.loads(server.stdout.readline())
    yield started
    server.send_signal(signal.SIGINT)
    server.communicate(timeout=30)


def _run(scripts: dict[str, str], folder: Path, env: dict[str, str]) -> dict[str, Any]:
    folder.mkdir(parents=True, exist_ok=True)
    paths = {}
    for name, code in scripts.items():
        paths[name] = str(folder / f"{name}.py")
        Path(paths[name]).write_text(code, encoding="utf-8")
    done = subprocess.run([sys.executable, "-c", textwrap.dedent(DRIVER), json.dumps(paths)],
                          env=env, cwd=folder, capture_output=True, text=True,
                          timeout=1200)  # fmt: skip
    line = next((x for x in done.stdout.splitlines() if x.startswith("RESULTS ")), None)
    assert line is not None, done.stderr[-3000:]
    return json.loads(line.removeprefix("RESULTS "))


@pytest.fixture(scope="module")
def ran(demo_home: Path, served: dict[str, str]) -> dict[str, dict[str, Any]]:
    """Both variants of every snippet, run."""
    work = demo_home / "work"
    eco = {n: snippet_for(r).ecosystem for n, r in requests(work, "ecosystem", "me").items()}
    plain = {
        n: snippet_for(r).plain
        for n, r in requests(work, "plain", served["user"]).items()
        if snippet_for(r).plain
    }
    eco_env = _clean_env(HFTUI_HOME=str(demo_home), HF_HOME=str(work / "eco-hf"),
                         HF_HUB_OFFLINE="1")  # fmt: skip
    plain_env = _clean_env(HF_ENDPOINT=served["url"], HF_TOKEN=served["token"],
                           HF_HOME=str(work / "plain-hf"), HF_HUB_OFFLINE="0")  # fmt: skip
    return {
        "ecosystem": _run(eco, work / "ecosystem", eco_env),
        "plain": _run(plain, work / "plain", plain_env),
    }


def _out(ran: dict[str, dict[str, Any]], variant: str, name: str) -> str:
    result = ran[variant][name]
    assert result["ok"], f"{variant} {name} failed:\n{result['error'][-3000:]}"
    return str(result["out"])


@pytest.mark.parametrize("variant", ["ecosystem", "plain"])
def test_search_snippets_find_the_demo_repos(ran: dict[str, Any], variant: str) -> None:
    assert f"{CLASSIFIER} " in _out(ran, variant, "search-models")
    assert f"{NEWS} " in _out(ran, variant, "search-datasets")
    assert f"{DEMO}/tiny-text-generation" not in _out(ran, variant, "search-models")


@pytest.mark.parametrize("variant", ["ecosystem", "plain"])
def test_model_and_memory_snippets_run(ran: dict[str, Any], variant: str) -> None:
    assert "text-classification" in _out(ran, variant, "model")
    assert "MiB" in _out(ran, variant, "memory")


@pytest.mark.parametrize("variant", ["ecosystem", "plain"])
@pytest.mark.parametrize("task", TINY_TASKS)
def test_try_snippets_answer(ran: dict[str, Any], variant: str, task: str) -> None:
    out = _out(ran, variant, f"try-{task}")
    assert {"text-classification": "'label'", "question-answering": "'answer'"}.get(
        task, "'text'"
    ) in out or "generated_text" in out


@pytest.mark.parametrize("variant", ["ecosystem", "plain"])
def test_dataset_snippets_read_the_split(ran: dict[str, Any], variant: str) -> None:
    assert "headline" in _out(ran, variant, "preview")
    out = _out(ran, variant, "stats")
    assert "446 rows" in out or "445 rows" in out or " rows" in out
    assert "business" in out


@pytest.mark.parametrize("variant", ["ecosystem", "plain"])
def test_train_snippet_trains_and_saves(ran: dict[str, Any], demo_home: Path, variant: str) -> None:
    assert "eval_loss" in _out(ran, variant, "train")
    assert (demo_home / "work" / f"train-{variant}" / "model.safetensors").is_file()


@pytest.mark.parametrize("variant", ["ecosystem", "plain"])
def test_evaluate_snippets_score(ran: dict[str, Any], variant: str) -> None:
    classification = _out(ran, variant, "evaluate-classification")
    perplexity = _out(ran, variant, "evaluate-perplexity")
    if variant == "ecosystem":
        assert "succeeded" in classification and "accuracy" in classification
        assert "succeeded" in perplexity and "perplexity" in perplexity
    else:
        assert "precision" in classification and "perplexity" in perplexity


@pytest.mark.parametrize("variant", ["ecosystem", "plain"])
def test_publish_snippet_publishes(
    ran: dict[str, Any], demo_home: Path, served: dict[str, str], variant: str
) -> None:
    _out(ran, variant, "publish")
    user = "me" if variant == "ecosystem" else served["user"]
    repo = demo_home / "hub" / "models" / user / f"published-{variant}"
    assert (repo / "config.json").is_file()


def test_every_request_kind_is_executed(tmp_path: Path) -> None:
    kinds = {type(r) for r in requests(tmp_path, "ecosystem", "me").values()}
    assert len(kinds) == len(CodeRequest.__args__)  # type: ignore[attr-defined]
