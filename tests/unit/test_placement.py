"""The placement decision on its own: GPUs with room, reservations, sharing, refusals."""

from __future__ import annotations

import json
from pathlib import Path

from hf_ecosystem.jobs.placement import (
    GIB,
    GpuRoom,
    Placement,
    Reservation,
    job_memory,
    place,
    refusal,
)
from hf_ecosystem.jobs.spec import JobSpec

ROOMS = [GpuRoom(0, 24 * GIB, 11 * GIB), GpuRoom(1, 80 * GIB, 70 * GIB),
         GpuRoom(2, 80 * GIB, 80 * GIB), GpuRoom(3, 40 * GIB, 40 * GIB)]  # fmt: skip


def test_lowest_gpus_with_room_and_reasons() -> None:
    assert place(1, 18 * GIB, ROOMS, []) == Placement((1,))
    assert place(2, 18 * GIB, ROOMS, []) == Placement((1, 2))
    held = [Reservation("a", 1, 30 * GIB), Reservation("b", 2, None), Reservation("b", 3, None)]
    waits = place(1, int(18.2 * GIB), ROOMS, held)
    assert waits.gpus is None
    assert waits.reason == (
        "needs 18.2 GiB; GPU 0 has 11.0 GiB free, GPU 1 is reserved by job a, "
        "GPU 2 is reserved by job b, GPU 3 is reserved by job b"
    )
    # Sharing: GPU 1 has 70 GiB free by NVML but job a was promised 30 GiB of its 80.
    assert place(1, 50 * GIB, ROOMS, held, share=True) == Placement((1,))
    assert place(1, 51 * GIB, ROOMS, held, share=True).reason == (
        "needs 51.0 GiB; GPU 0 has 11.0 GiB free, GPU 1 has 50.0 GiB free, "
        "GPU 2 is reserved by job b, GPU 3 is reserved by job b"
    )
    assert place(2, GIB, ROOMS, held, share=True).gpus == (0, 1)  # b's size unknown: no sharing
    assert place(3, 60 * GIB, ROOMS, []).reason == (
        "needs 3 GPUs with 60.0 GiB each; GPU 0 has 11.0 GiB free, GPU 3 has 40.0 GiB free"
    )


def test_unknown_sizes_place_by_count() -> None:
    rooms = [GpuRoom(0, None, None), GpuRoom(1, None, None)]
    assert place(1, None, rooms, [Reservation("a", 0, None)]) == Placement((1,))
    assert place(2, None, rooms, [Reservation("a", 0, None)]).reason == (
        "needs 2 GPUs, 1 free (GPU 0 by job a)"
    )
    assert place(1, 5 * GIB, rooms, []) == Placement((0,))  # no NVML reading: count alone
    assert place(0, 5 * GIB, rooms, []) == Placement(())


def test_refusals_name_the_numbers() -> None:
    assert refusal(1, 90 * GIB, ROOMS) is not None
    error = refusal(3, 50 * GIB, ROOMS)
    assert error is not None
    assert error.title == (
        "The job needs 50.0 GiB of GPU memory on each of 3 GPUs; the largest GPU here, GPU 1, "
        "has 80.0 GiB"
    )
    assert refusal(2, 40 * GIB, ROOMS) is None
    assert refusal(1, None, ROOMS) is None and refusal(0, 90 * GIB, ROOMS) is None
    assert refusal(1, 90 * GIB, [GpuRoom(0, None, None)]) is None  # nothing known: no refusal


def test_job_memory_reads_the_scenario_from_the_spec(tmp_path: Path) -> None:
    config = {"model_type": "llama", "architectures": ["LlamaForCausalLM"], "hidden_size": 256,
              "intermediate_size": 704, "num_hidden_layers": 2, "num_attention_heads": 4,
              "num_key_value_heads": 2, "vocab_size": 8000}  # fmt: skip
    (tmp_path / "config.json").write_text(json.dumps(config), encoding="utf-8")
    model = str(tmp_path)

    def train(**extra: object) -> JobSpec:
        cfg = {"model": model, "dataset": "acme/d", "task": "causal-lm", **extra}
        return JobSpec.create("train", config=cfg)

    full, lora = job_memory(train()), job_memory(train(lora={"r": 8}))
    bigger = job_memory(train(batch_size=64, max_length=512))
    assert full and lora and bigger and lora < full < bigger
    # The run sizes its batch down to what fits: it needs batch 1's memory unless it fixes one.
    assert job_memory(train(batch_size=64)) == full
    assert (job_memory(train(batch_size=64, speed={"batch_size": 64})) or 0) > full
    # GPU sharing on: the run keeps the batch asked for, so that batch's memory is reserved.
    shared = job_memory(train(batch_size=64), share=True)
    assert shared == job_memory(train(batch_size=64, speed={"batch_size": 64}))
    assert (job_memory(train(lora={"r": 8}, quantization="int4"), share=True) or 0) < (
        job_memory(train(lora={"r": 8}), share=True) or 0
    )  # a QLoRA base in 4 bits
    infer = JobSpec.create("inference", task="text-generation", model=model, input="x",
                           dtype="float32")  # fmt: skip
    half = JobSpec.create("inference", task="text-generation", model=model, input="x")
    assert (job_memory(infer) or 0) > (job_memory(half) or 0) > 0
    assert job_memory(JobSpec.create("download", repo_id="acme/m")) is None
