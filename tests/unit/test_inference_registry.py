"""The inference task registry: complete, consistent, JSON-ready and importable without torch."""

from __future__ import annotations

import json
import subprocess
import sys
import typing

import pytest

from hf_ecosystem.inference.errors import InferenceError, UnknownTaskError
from hf_ecosystem.inference.registry import (
    INPUT_FIELDS,
    OUTPUT_SHAPES,
    TASKS,
    InputKind,
    OutputKind,
    get_task,
    list_tasks,
)

EXPECTED = {
    "text-classification", "token-classification", "question-answering", "fill-mask",
    "summarization", "translation", "text-generation", "feature-extraction",
    "sentence-similarity", "zero-shot-classification", "image-classification",
    "zero-shot-image-classification", "automatic-speech-recognition", "image-to-text",
    "visual-question-answering",
}  # fmt: skip
# Removed from transformers 5: these must run on our AutoClass code, not a pipeline.
REMOVED_PIPELINES = {
    "question-answering",
    "summarization",
    "translation",
    "visual-question-answering",
}
HEAVY = ("torch", "transformers", "accelerate", "PIL", "librosa", "numba", "soundfile")


def test_every_task_is_registered() -> None:
    assert set(TASKS) == EXPECTED
    assert [t.name for t in list_tasks()] == list(TASKS)


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_spec_is_consistent(name: str) -> None:
    spec = get_task(name)
    assert spec.input_kind in typing.get_args(InputKind)
    assert spec.output_kind in typing.get_args(OutputKind)
    assert spec.title and spec.description
    fields = spec.input_fields
    if len(fields) > 1:
        # A multi-field example is a dict with exactly the kind's fields.
        assert isinstance(spec.example, dict) and set(spec.example) == set(fields)
    else:
        assert isinstance(spec.example, str) and spec.example
    if spec.backend == "pipeline":
        assert spec.pipeline_task
    else:
        assert spec.pipeline_task is None
    assert (name in REMOVED_PIPELINES) == (spec.backend == "autoclass")


def test_every_kind_is_documented() -> None:
    assert set(INPUT_FIELDS) == set(typing.get_args(InputKind))
    assert set(OUTPUT_SHAPES) == set(typing.get_args(OutputKind))


def test_specs_are_json_ready() -> None:
    data = json.loads(json.dumps([t.to_dict() for t in list_tasks()]))
    qa = next(d for d in data if d["name"] == "question-answering")
    assert qa["input_fields"] == ["question", "context"]
    assert qa["output_shape"].startswith('{"answer"')


def test_unknown_task_names_the_known_ones() -> None:
    with pytest.raises(UnknownTaskError) as info:
        get_task("text2text-generation")
    assert isinstance(info.value, InferenceError)
    assert "summarization" in info.value.hint
    assert "text2text-generation" in info.value.title


def test_registry_and_create_pipeline_import_without_heavy_libraries() -> None:
    code = (
        "import sys\n"
        "from hf_ecosystem.inference import TASKS, get_task, list_tasks\n"
        "from hf_ecosystem.inference.registry import TaskSpec\n"
        "from hf_ecosystem.inference.device import get_device\n"
        "from hf_ecosystem import create_pipeline\n"
        "from hf_ecosystem.inference import create_pipeline as cp, run_chain\n"
        "assert cp is create_pipeline and callable(run_chain)\n"
        "assert len(list_tasks()) == len(TASKS) == 15\n"
        f"print(sorted(m for m in {HEAVY!r} if m in sys.modules))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=False
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "[]"
