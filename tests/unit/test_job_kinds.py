"""The job kinds registry: one entry per kind, code named by import path, jobs/ below domains."""

from __future__ import annotations

import ast
from pathlib import Path
from typing import Any

import pytest

import hf_ecosystem.jobs
from hf_ecosystem.jobs.kinds import KINDS, get_kind, known_kinds
from hf_ecosystem.jobs.params import JobSpecError, resolve
from hf_ecosystem.jobs.spec import JobSpec

DOMAINS = ("training", "evaluation", "publishing", "inference", "demo", "download_job")


def test_every_kind_names_a_handler_that_imports() -> None:
    assert known_kinds() == sorted(
        ["batch-inference", "demo-seed", "download", "evaluate", "inference", "publish", "train",
         "warm-model"]
    )  # fmt: skip
    for name, kind in KINDS.items():
        assert kind.name == name and kind.description
        assert callable(resolve(kind.handler)), kind.handler


def test_jobs_package_imports_no_domain_package() -> None:
    folder = Path(hf_ecosystem.jobs.__file__).parent
    for path in folder.glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names = [a.name for a in node.names] if isinstance(node, ast.Import) else []
            if isinstance(node, ast.ImportFrom) and node.module:
                names = [node.module]
            for name in names:
                assert not name.startswith(tuple(f"hf_ecosystem.{d}" for d in DOMAINS)), path


@pytest.mark.parametrize(
    ("kind", "params", "line"),
    [
        ("download", {"repo_id": "a/b"}, "download a/b"),
        ("demo-seed", {}, "seed the demo hub"),
        ("warm-model", {}, "warm model worker (Try)"),
        ("inference", {"task": "fill-mask", "model": "a/b", "input": "x"}, "fill-mask · a/b"),
        ("batch-inference", {"task": "t", "model": "a/b", "input": "/", "output": "o"},
         "batch t · a/b · "),
        ("train", {"config": {"model": "org/m", "dataset": "d"}, "resume_from": "j-1"},
         "train text-classification · m (resumes j-1)"),
        ("evaluate", {"model": "org/m", "dataset": "d", "task": "seq2seq"}, "evaluate seq2seq · m"),
        ("publish", {"source": "/", "repo_id": "a/b", "local": True}, "publish a/b → local hub"),
        ("publish", {"source": "/", "repo_id": "a/b"}, "publish a/b → Hub"),
    ],
)  # fmt: skip
def test_describe_comes_from_the_kind(kind: str, params: dict[str, Any], line: str) -> None:
    assert JobSpec.create(kind, **params).describe() == line


def test_a_stored_kind_this_version_lacks_describes_as_its_name() -> None:
    assert JobSpec.from_json('{"kind": "fly", "params": {}}').describe() == "fly"
    with pytest.raises(JobSpecError, match="unknown kind 'fly'") as info:
        get_kind("fly")
    assert "Known kinds: batch-inference, demo-seed" in info.value.hint


def test_train_config_is_checked_by_the_training_package() -> None:
    spec = JobSpec.create("train", config={"model": "m", "dataset": "d"})
    assert spec.params["config"]["task"] == "text-classification"  # TrainSpec filled defaults in
    with pytest.raises(JobSpecError, match="'config' must be a mapping"):
        JobSpec.create("train", config=["m"])
