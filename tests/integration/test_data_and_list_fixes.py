"""Bugs users found next to publishing, each pinned: a class too rare for a stratified split got
scikit-learn's raw refusal, `datasets stats --tokenizer` took only a folder, and `runs list` and
`jobs list` headed their tables differently."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest

from fakehub import FakeHub, FakeRepo
from hf_ecosystem.config import load_settings
from hf_ecosystem.data.errors import DataError
from hf_ecosystem.data.splits import stratified_indices, stratified_split
from hf_ecosystem.jobs.spec import JobSpec
from hf_ecosystem.jobs.store import JobStore
from hf_ecosystem.training.spec import TrainSpec
from hf_tui.cli import main

Capsys = pytest.CaptureFixture[str]
TEXTS = ["a quick brown fox", "jumps over", "the lazy dog today", "hello"]


# -- 5. stratified split refusals -------------------------------------------------------------


def test_a_class_too_rare_to_split_twice_is_named_with_its_count() -> None:
    from datasets import Dataset

    labels = ["common"] * 100 + ["rare"] * 3
    with pytest.raises(DataError, match="class 'rare' has 3 example") as err:
        stratified_indices(labels, validation_size=0.1, test_size=0.1)
    assert "least populated" not in str(err.value)  # not scikit-learn's words
    assert err.value.column == "label" and "only a validation" in err.value.hint
    data = Dataset.from_dict({"text": [f"t{i}" for i in range(len(labels))], "topic": labels})
    with pytest.raises(DataError, match="class 'rare' has 3 example") as err:
        stratified_split(data, "topic", validation_size=0.1, test_size=0.1)
    assert err.value.column == "topic"
    # Held-out rows fewer than the classes: said in rows and classes.
    many = [f"c{i % 30}" for i in range(300)]
    with pytest.raises(DataError, match="validation and test would hold 20 row"):
        stratified_indices(many, validation_size=1 / 30, test_size=1 / 30)
    # Enough of each class: a split as before.
    parts = stratified_indices(["a"] * 50 + ["b"] * 50, validation_size=0.1, test_size=0.1)
    assert (len(parts.train), len(parts.validation), len(parts.test)) == (80, 10, 10)


# -- 6. stats --tokenizer by repo id ----------------------------------------------------------


@pytest.fixture
def texts_csv(tmp_path: Path) -> Path:
    path = tmp_path / "texts.csv"
    path.write_text("text,label\n" + "".join(f"{t},{i % 2}\n" for i, t in enumerate(TEXTS)))
    return path


def _token_lengths(capsys: Capsys, *args: str) -> dict[str, object]:
    capsys.readouterr()
    assert main(["datasets", "stats", *args, "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    [text] = [c for c in data["columns"] if c["name"] == "text"]
    return text["token_lengths"]


def test_stats_tokenizer_takes_a_repo_id_from_the_local_hub_the_cache_or_the_hub(
    texts_csv: Path, minilm_path: Path, fake_hub: FakeHub, capsys: Capsys
) -> None:
    local = load_settings().home / "hub" / "models" / "acme" / "minilm"
    local.mkdir(parents=True)
    for name in ("config.json", "tokenizer.json"):
        shutil.copy(minilm_path / name, local / name)
    by_folder = _token_lengths(capsys, str(texts_csv), "--tokenizer", str(minilm_path))
    assert by_folder["count"] == len(TEXTS)  # type: ignore[index]
    offline = _token_lengths(capsys, str(texts_csv), "--tokenizer", "acme/minilm", "--offline")
    assert offline == by_folder

    tokenizer = (minilm_path / "tokenizer.json").read_bytes()
    fake_hub.add(FakeRepo("acme/hub-minilm", files={"tokenizer.json": tokenizer}))
    online = _token_lengths(capsys, str(texts_csv), "--tokenizer", "acme/hub-minilm")
    assert online == by_folder
    fetched = [p for m, p, _ in fake_hub.requests if m == "GET" and "tokenizer.json" in p]
    assert fetched, fake_hub.requests
    # Now in the HF cache: offline finds it there.
    cached = _token_lengths(capsys, str(texts_csv), "--tokenizer", "acme/hub-minilm", "--offline")
    assert cached == by_folder


def test_stats_tokenizer_refusals_are_clear(
    texts_csv: Path, fake_hub: FakeHub, capsys: Capsys
) -> None:
    fake_hub.add(FakeRepo("acme/no-fast", files={"vocab.txt": b"a\nb\n"}))
    for ref, message in (
        ("acme/no-fast", "acme/no-fast has no tokenizer.json"),
        ("acme/missing", "Repository not found"),
        ("not a/repo id/", "neither a file, a folder nor a repo id"),
    ):
        capsys.readouterr()
        assert main(["datasets", "stats", str(texts_csv), "--tokenizer", ref, "--json"]) == 1
        out = capsys.readouterr().out
        assert message in out, (ref, out)
    capsys.readouterr()
    code = main(["datasets", "stats", str(texts_csv), "--tokenizer", "acme/x", "--offline"])
    assert code == 1 and "acme/x" in capsys.readouterr().err


def test_stats_tokenizer_files_and_folders(tmp_path: Path, minilm_path: Path) -> None:
    from hf_ecosystem.data.tokenizer_source import fast_tokenizer, tokenizer_file

    file = minilm_path / "tokenizer.json"
    assert tokenizer_file(str(file)) == file
    assert fast_tokenizer(str(file)).encode("hello world").tokens
    with pytest.raises(DataError, match=r"no tokenizer\.json in"):
        tokenizer_file(str(tmp_path))
    (tmp_path / "tokenizer.json").write_text("{not json")
    with pytest.raises(DataError, match="cannot read the tokenizer"):
        fast_tokenizer(str(tmp_path))


# -- 7. runs list and jobs list look alike ----------------------------------------------------


def _cells(line: str) -> list[str]:
    return [cell.strip() for cell in re.split("[┃│]", line)]


def test_runs_list_and_jobs_list_share_their_headers_and_age_format(capsys: Capsys) -> None:
    store = JobStore(load_settings().home)
    config = TrainSpec.parse({"model": "acme/m", "dataset": "acme/d", "max_steps": 4}).to_dict()
    run = store.create(JobSpec.create("train", config=config))
    store.create(JobSpec.create("download", repo_id="acme/x", repo_type="model"))
    assert main(["runs", "list"]) == 0
    runs = capsys.readouterr().out.splitlines()
    assert main(["jobs", "list"]) == 0
    jobs = capsys.readouterr().out.splitlines()
    runs_header, jobs_header = _cells(runs[0]), _cells(jobs[0])
    assert runs_header[:2] == jobs_header[:2] == ["id", "status"]
    assert runs_header[-1] == jobs_header[-1] == "age"
    assert all(h == h.lower() for h in runs_header + jobs_header)
    run_age = _cells(next(line for line in runs if run.id in line))[-1]
    job_age = _cells(next(line for line in jobs if run.id in line))[-1]
    assert re.fullmatch(r"\d+s", run_age) and run_age[:-1].isdigit(), run_age
    assert re.fullmatch(r"\d+s", job_age), job_age
    # --json keeps its shape (no age there: it is a view of created_at).
    assert main(["runs", "list", "--json"]) == 0
    assert "age" not in json.loads(capsys.readouterr().out)[0]
