"""The fast training settings decided from device facts (fake ones: no GPU here), each with its
reason, the user's values winning, and the batch sized by the memory estimate."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from hf_ecosystem.device.memory import estimate_memory
from hf_ecosystem.device.model_shape import shape_from_config
from hf_ecosystem.device.types import CpuSnapshot, DeviceSnapshot, GpuSnapshot, MemorySnapshot
from hf_ecosystem.training.fast_defaults import (
    CONTEXT_BYTES,
    HEADROOM,
    DeviceFacts,
    FastDefaults,
    for_run,
    resolve,
)

GIB = 1024**3
H100 = DeviceFacts(gpus=1, compute_capability=(9, 0), gpu_free_bytes=24 * GIB, cpu_cores=16)
T4 = DeviceFacts(gpus=1, compute_capability=(7, 5), gpu_free_bytes=15 * GIB, cpu_cores=4)
CPU = DeviceFacts(cpu_cores=8)
QWEN2_05B = {
    "model_type": "qwen2", "hidden_size": 896, "intermediate_size": 4864,
    "num_hidden_layers": 24, "num_attention_heads": 14, "num_key_value_heads": 2,
    "vocab_size": 151936, "tie_word_embeddings": True,
}  # fmt: skip


def _memory_at(seq: int = 512):  # type: ignore[no-untyped-def]
    shape = shape_from_config(QWEN2_05B)
    assert shape is not None
    return lambda batch: estimate_memory(shape, batch=batch, seq=seq, train="full").peak_bytes


def test_a_gpu_gets_every_speedup_with_its_reason() -> None:
    found = resolve(H100, batch_size=32, memory_at=_memory_at())
    args = found.training_arguments()
    assert args["bf16"] and not args["fp16"] and args["tf32"]
    assert args["optim"] == "adamw_torch_fused"
    assert args["train_sampling_strategy"] == "group_by_length" and args["dataloader_pin_memory"]
    assert args["dataloader_num_workers"] == 4
    # The largest per-device batch dividing 32 that the estimate fits; accumulation keeps 32.
    batch, steps = args["per_device_train_batch_size"], args["gradient_accumulation_steps"]
    assert batch * steps == 32
    budget = (24 * GIB - CONTEXT_BYTES) * HEADROOM
    memory_at = _memory_at()
    assert memory_at(batch) <= budget < memory_at(2 * batch)
    assert (batch, steps) == (8, 4)  # 19.6 GiB at 8, 39 GiB at 16
    reasons = {s.name: s.reason for s in found.settings}
    assert reasons["batch_size"].startswith("the largest that fits: needs 19.6 GiB of 21.1 GiB")
    assert reasons["gradient_accumulation_steps"] == "keeps the effective batch of 32 asked for"
    assert not any(s.overridden for s in found.settings)


def test_older_gpus_use_fp16_and_the_cpu_uses_none_of_them() -> None:
    t4 = resolve(T4, batch_size=8)
    assert t4.value("precision") == "fp16" and not t4.value("tf32")  # TF32 needs Ampere
    cpu = resolve(CPU, batch_size=16, gradient_accumulation_steps=2, memory_at=_memory_at())
    args = cpu.training_arguments()
    assert not (args["bf16"] or args["fp16"] or args["tf32"])
    assert args["train_sampling_strategy"] == "random"
    assert args["optim"] == "adamw_torch" and args["dataloader_num_workers"] == 0
    assert not args["dataloader_pin_memory"]
    assert (args["per_device_train_batch_size"], args["gradient_accumulation_steps"]) == (32, 1)
    assert cpu.settings[0].reason.startswith("CPU:")


def test_the_users_values_win_and_are_marked() -> None:
    found = resolve(H100, batch_size=32, precision="fp32", memory_at=_memory_at(),
                    overrides={"group_by_length": False, "dataloader_num_workers": 1})  # fmt: skip
    marked = {s.name for s in found.settings if s.overridden}
    assert marked == {"precision", "group_by_length", "dataloader_num_workers"}
    assert found.value("precision") == "fp32" and not found.value("group_by_length")
    own = resolve(H100, batch_size=4, gradient_accumulation_steps=2, overrides={"batch_size": 2})
    assert (own.value("batch_size"), own.value("gradient_accumulation_steps")) == (2, 2)


def test_gpu_sharing_keeps_the_batch_the_queue_reserved_for() -> None:
    found = resolve(H100, batch_size=32, memory_at=_memory_at(), share=True)
    assert (found.value("batch_size"), found.value("gradient_accumulation_steps")) == (32, 1)
    reasons = {s.name: s.reason for s in found.settings}
    assert reasons["batch_size"].startswith("GPU sharing is on")
    assert found.value("optim") == "adamw_torch_fused"  # the other speed-ups stay
    cpu = resolve(CPU, batch_size=4, gradient_accumulation_steps=2, share=True)
    assert (cpu.value("batch_size"), cpu.value("gradient_accumulation_steps")) == (8, 1)


def test_batch_sizing_without_room_or_estimate() -> None:
    tiny = DeviceFacts(gpus=1, compute_capability=(8, 0), gpu_free_bytes=2 * GIB, cpu_cores=2)
    found = resolve(tiny, batch_size=8, memory_at=_memory_at())
    assert (found.value("batch_size"), found.value("gradient_accumulation_steps")) == (1, 8)
    assert "even a batch of 1" in found.settings[6].reason
    assert resolve(H100, batch_size=8, memory_at=lambda _: None).value("batch_size") == 8
    assert resolve(H100, batch_size=8).value("batch_size") == 8  # no estimate asked for
    assert resolve(tiny, batch_size=8).value("dataloader_num_workers") == 1


def test_facts_from_the_inventory_and_round_trip() -> None:
    snapshot = DeviceSnapshot(
        cpu=CpuSnapshot("Test CPU", logical_cores=32),
        memory=MemorySnapshot(64 * GIB, 60 * GIB, 4 * GIB),
        gpus=(
            GpuSnapshot(0, "NVIDIA H100", 80 * GIB, 10 * GIB, compute_capability=(9, 0)),
            GpuSnapshot(1, "Tesla V100", 32 * GIB, 2 * GIB, compute_capability=(7, 0)),
        ),
        accelerator="cuda",
    )
    both = DeviceFacts.from_snapshot(snapshot)
    assert both == DeviceFacts(2, (7, 0), 30 * GIB, 32)
    assert DeviceFacts.from_snapshot(snapshot, [0]) == DeviceFacts(1, (9, 0), 70 * GIB, 32)
    assert not DeviceFacts.from_snapshot(snapshot, []).cuda
    found = resolve(both, batch_size=8)
    assert FastDefaults.from_dict(found.to_dict()) == found


def _snapshot(*free_gib: float) -> DeviceSnapshot:
    gpus = tuple(
        GpuSnapshot(i, "NVIDIA H100", 80 * GIB, int((80 - f) * GIB), compute_capability=(9, 0))
        for i, f in enumerate(free_gib)
    )
    return DeviceSnapshot(CpuSnapshot("Test CPU", 16), MemorySnapshot(GIB, GIB, 0), gpus)


def test_a_run_is_sized_for_the_gpus_it_was_given(tmp_path: Path) -> None:
    (tmp_path / "config.json").write_text(json.dumps(QWEN2_05B), encoding="utf-8")
    config = {"model": str(tmp_path), "task": "causal-lm", "batch_size": 32, "max_length": 512,
              "speed": {"dataloader_num_workers": 2}}  # fmt: skip
    assert for_run(config, cuda=False) is None
    assert for_run(config, cuda=True, snapshot=_snapshot()) is None  # CUDA but no NVML reading
    # GPU 1 is the job's (CUDA_VISIBLE_DEVICES=1): its 24 GiB free size the batch, not GPU 0's 80.
    found = for_run(config, cuda=True, snapshot=_snapshot(80, 24), visible="1")
    assert found is not None
    assert (found.value("batch_size"), found.value("gradient_accumulation_steps")) == (8, 4)
    assert found.value("dataloader_num_workers") == 2 and found.settings[5].overridden
    lora = for_run({**config, "lora": {"r": 8}}, cuda=True, snapshot=_snapshot(24))
    assert lora is not None and lora.value("batch_size") == 8  # the logits bind at 150k
    assert lora.settings[6].reason != found.settings[6].reason  # … with less besides them
    absent = for_run({**config, "model": str(tmp_path / "nothing")}, cuda=True,
                     snapshot=_snapshot(24))  # fmt: skip
    assert absent is not None and absent.value("batch_size") == 32  # no estimate: as asked


def test_the_spec_takes_only_known_speed_settings(tmp_path: Path) -> None:
    from hf_ecosystem.training.spec import TrainSpec, TrainSpecError
    from hf_ecosystem.training.trainer import training_arguments

    spec = TrainSpec.parse({"model": "m", "dataset": "d", "speed": {"group_by_length": False}})
    assert spec.speed == {"group_by_length": False}
    with pytest.raises(TrainSpecError, match="unknown speed setting 'turbo'"):
        TrainSpec.parse({"model": "m", "dataset": "d", "speed": {"turbo": True}})
    fast = {"train_sampling_strategy": "group_by_length", "per_device_train_batch_size": 4,
            "gradient_accumulation_steps": 8, "dataloader_num_workers": 2}  # fmt: skip
    args = training_arguments(spec, tmp_path, "fp32", has_eval=False, fast=fast)
    assert args.train_sampling_strategy == "group_by_length"
    assert args.per_device_train_batch_size == 4
    assert (args.gradient_accumulation_steps, args.dataloader_num_workers) == (8, 2)
