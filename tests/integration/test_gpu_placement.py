"""Memory-aware placement: the queue compares each job's memory estimate with each GPU's free
memory (a fake NVML of GPUs with different free memory), less what placed jobs reserved. Jobs get
disjoint GPUs with room, a job that fits nowhere waits and says why and starts once memory frees,
a job larger than any GPU is refused before launch, and queue order is kept.

Workers are the stand-ins of test_gpu_queue (a real tagged `sh` process group that records the
CUDA_VISIBLE_DEVICES it was given), so the queue's own code runs for real."""

from __future__ import annotations

import contextlib
import json
import os
import signal
from collections.abc import Iterator
from pathlib import Path

import pytest

from fakes.nvml import FakeGpu, FakeNvml
from fakes.standin_queue import StandInManager, seen_gpus, wait_until
from hf_ecosystem.jobs.params import JobSpecError
from hf_ecosystem.jobs.placement import job_memory, size
from hf_ecosystem.jobs.spec import JobSpec

GIB = 1024**3
# Qwen2-0.5B's shape: the estimator reads it from config.json alone (no weights, no network).
QWEN2_05B = {
    "model_type": "qwen2", "architectures": ["Qwen2ForCausalLM"], "hidden_size": 896,
    "intermediate_size": 4864, "num_hidden_layers": 24, "num_attention_heads": 14,
    "num_key_value_heads": 2, "vocab_size": 151936, "tie_word_embeddings": True,
    "max_position_embeddings": 32768, "rope_theta": 1000000.0, "rms_norm_eps": 1e-6,
    "hidden_act": "silu",
}  # fmt: skip


@pytest.fixture
def model_dir(tmp_path: Path) -> Path:
    folder = tmp_path / "qwen2-0.5b-shape"
    folder.mkdir()
    (folder / "config.json").write_text(json.dumps(QWEN2_05B), encoding="utf-8")
    return folder


def _train(model: Path, batch: int = 1) -> JobSpec:
    config = {"model": str(model), "dataset": "acme/d", "task": "causal-lm", "batch_size": batch,
              "max_length": 128}  # fmt: skip
    return JobSpec.create("train", config=config)


def _gpus(need: int, *free: float) -> list[FakeGpu]:
    """GPUs of 4 x `need` bytes each, with `free[i]` x `need` bytes free."""
    total = 4 * need
    return [
        FakeGpu(memory_total_bytes=total, memory_used_bytes=int(total - f * need), uuid=f"GPU-{i}")
        for i, f in enumerate(free)
    ]


@contextlib.contextmanager
def _queue(nvml: FakeNvml) -> Iterator[StandInManager]:
    manager = StandInManager(max_running=10, nvml=nvml)
    manager.started = []
    try:
        yield manager
    finally:
        for pid in manager.started:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(pid, signal.SIGKILL)


@pytest.fixture
def no_gpu_list(isolated_env: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("HFTUI_GPUS", raising=False)  # the queue's GPUs are the fake NVML's


def test_jobs_go_where_they_fit_and_wait_with_their_reason(
    model_dir: Path, no_gpu_list: None
) -> None:
    need = job_memory(_train(model_dir))
    assert need is not None and need > 7 * GIB  # full fine-tuning: 16 bytes per parameter
    gpus = _gpus(need, 0.5, 1.5, 3.0, 0.9)  # GPU 0 and 3 are too full for it
    with _queue(FakeNvml(gpus)) as queue:
        first = queue.launch(_train(model_dir))
        second = queue.launch(_train(model_dir))
        third = queue.launch(_train(model_dir))
        behind = queue.launch(JobSpec.create("download", repo_id="acme/m"))
        assert queue.get(first.id).gpu_ids == (1,) and seen_gpus(queue, first.id) == "1"
        assert queue.get(second.id).gpu_ids == (2,) and seen_gpus(queue, second.id) == "2"
        assert queue.get(first.id).memory_bytes == need
        # Nothing has room for the third: it waits, and the download behind it keeps its place.
        assert queue.get(third.id).status == "queued"
        assert queue.get(behind.id).status == "queued"
        reason = queue.waiting_for(queue.get(third.id))
        assert reason == (
            f"needs {size(need)}; GPU 0 has {size(need // 2)} free, GPU 1 is reserved by job "
            f"{first.id}, GPU 2 is reserved by job {second.id}, GPU 3 has "
            f"{size(int(0.9 * need))} free"
        )
        # Memory frees on GPU 3 (another program ended): the third starts there, then the rest.
        gpus[3].memory_used_bytes = 0
        queue.refresh()
        assert queue.get(third.id).gpu_ids == (3,) and seen_gpus(queue, third.id) == "3"
        assert queue.get(behind.id).status != "queued"
        assert queue.waiting_for(queue.get(third.id)) is None


def test_a_job_starts_when_the_job_holding_its_gpu_ends(model_dir: Path, no_gpu_list: None) -> None:
    need = job_memory(_train(model_dir))
    assert need is not None
    with _queue(FakeNvml(_gpus(need, 3.0, 0.2))) as queue:
        first = queue.launch(_train(model_dir))
        second = queue.launch(_train(model_dir))
        assert queue.get(first.id).gpu_ids == (0,)
        assert "GPU 0 is reserved by job" in (queue.waiting_for(queue.get(second.id)) or "")
        os.killpg(queue.get(first.id).pid or 0, signal.SIGKILL)
        wait_until(lambda: queue.get(first.id).status == "lost")
        assert queue.get(second.id).gpu_ids == (0,) and seen_gpus(queue, second.id) == "0"


def test_a_job_larger_than_any_gpu_is_refused_before_launch(
    model_dir: Path, no_gpu_list: None
) -> None:
    need = job_memory(_train(model_dir, batch=8))
    assert need is not None
    small = [FakeGpu(memory_total_bytes=need // 2), FakeGpu(memory_total_bytes=need // 3)]
    with _queue(FakeNvml(small)) as queue:
        with pytest.raises(JobSpecError) as caught:
            queue.launch(_train(model_dir, batch=8))
        assert caught.value.title == (
            f"The job needs {size(need)} of GPU memory; the largest GPU here, GPU 0, has "
            f"{size(need // 2)}"
        )
        assert "batch size" in caught.value.hint
        assert queue.list() == []  # nothing was stored, nothing started


def test_small_jobs_share_a_gpu_when_sharing_is_on(
    model_dir: Path, no_gpu_list: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    need = job_memory(_train(model_dir))
    assert need is not None
    gpus = [FakeGpu(memory_total_bytes=int(2.5 * need))]  # room for two, not three
    with _queue(FakeNvml(gpus)) as queue:  # off by default: one job a GPU
        first = queue.launch(_train(model_dir))
        second = queue.launch(_train(model_dir))
        assert queue.get(second.id).status == "queued"
        queue.cancel(second.id)
        os.killpg(queue.get(first.id).pid or 0, signal.SIGKILL)
        wait_until(lambda: queue.get(first.id).status == "lost")
    monkeypatch.setenv("HFTUI_SHARE_GPUS", "1")
    with _queue(FakeNvml(gpus)) as queue:
        assert queue.settings.share_gpus
        wait_until(lambda: not queue.active())
        first = queue.launch(_train(model_dir))
        second = queue.launch(_train(model_dir))
        third = queue.launch(_train(model_dir))
        # NVML still shows the GPU empty (the jobs have not allocated yet): reservations count.
        assert queue.get(first.id).gpu_ids == queue.get(second.id).gpu_ids == (0,)
        assert queue.waiting_for(queue.get(third.id)) == (
            f"needs {size(need)}; GPU 0 has {size(int(2.5 * need) - 2 * need)} free"
        )


def test_a_job_without_an_estimate_is_placed_by_count(no_gpu_list: None) -> None:
    spec = JobSpec.create("inference", task="text-classification", model="acme/absent", input="x")
    assert job_memory(spec) is None  # no config to read offline
    with _queue(FakeNvml([FakeGpu(memory_total_bytes=GIB, memory_used_bytes=GIB)])) as queue:
        record = queue.launch(spec)  # a full GPU does not hold back a job of unknown size
        assert queue.get(record.id).gpu_ids == (0,) and queue.get(record.id).memory_bytes is None
