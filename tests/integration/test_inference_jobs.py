"""Every inference task end to end through the job engine (detached workers) on tiny models."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest
from models import fixtures

from hf_ecosystem.inference.registry import list_tasks
from hf_ecosystem.jobs.manager import JobManager
from hf_ecosystem.jobs.spec import JobSpec

tiny_model = fixtures.tiny_model
sample_image = fixtures.sample_image
sine_wav = fixtures.sine_wav


def _job_input(task: Any, image: Path, audio: Path) -> str:
    """The registry's example, with real local files for images and audio, as job text."""
    example = task.example
    if task.input_kind == "audio":
        return str(audio)
    if task.input_kind == "image":
        return str(image)
    if isinstance(example, dict):
        value = dict(example)
        if "image" in value:
            value["image"] = str(image)
        return json.dumps(value)
    return str(example)


# Each task's outputs are checked in process by test_inference_tasks; through the job path, one task
# per kind of input (how the job text is parsed) and per kind of output (how the result is written).
JOB_PATH_TASKS = {
    "text-classification", "question-answering", "summarization", "feature-extraction",
    "sentence-similarity", "zero-shot-classification", "image-classification",
    "zero-shot-image-classification", "automatic-speech-recognition", "visual-question-answering",
}  # fmt: skip


@pytest.mark.slow
def test_every_kind_of_task_runs_as_a_job(
    tiny_model, sample_image: Path, sine_wav: Path, monkeypatch: pytest.MonkeyPatch
) -> None:  # type: ignore[no-untyped-def]
    manager = JobManager(max_running=2)
    launched: dict[str, str] = {}
    tasks = [task for task in list_tasks() if task.name in JOB_PATH_TASKS]
    assert {task.input_kind for task in tasks} == {task.input_kind for task in list_tasks()}
    for task in tasks:
        spec = JobSpec.create(
            "inference",
            task=task.name,
            model=str(tiny_model(task.name)),
            input=_job_input(task, sample_image, sine_wav),
            device="cpu",
        )
        launched[task.name] = manager.launch(spec).id
    failures = {}
    for name, job_id in launched.items():
        record = manager.wait(job_id, timeout=300)
        if record.status != "succeeded":
            failures[name] = (record.status, record.error)
            continue
        output = (record.result or {})["output"]
        assert output not in (None, [], {}), name
        assert (record.result or {})["device"] == "cpu"
    assert not failures, failures


@pytest.mark.slow
def test_pickle_weights_are_refused_then_allowed(tiny_model, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    import torch
    from safetensors.torch import load_file

    source = tiny_model("text-classification")
    pickled = tmp_path / "pickled"
    shutil.copytree(source, pickled)
    # transformers 5 saves only safetensors, so write the legacy pickle file by hand.
    torch.save(load_file(pickled / "model.safetensors"), pickled / "pytorch_model.bin")
    (pickled / "model.safetensors").unlink()
    manager = JobManager(max_running=1)
    base: dict[str, Any] = {"task": "text-classification", "model": str(pickled), "input": "hello"}
    refused = manager.wait(manager.launch(JobSpec.create("inference", **base)).id, timeout=120)
    assert refused.status == "failed"
    assert (refused.error or {})["error"] == "PickleWeightsError"
    allowed = manager.launch(JobSpec.create("inference", **base, allow_pickle=True))
    assert manager.wait(allowed.id, timeout=120).status == "succeeded"
