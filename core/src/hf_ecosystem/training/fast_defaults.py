"""The fast settings a training run gets on this machine, each with its reason.

On a CUDA GPU a fine-tune runs in bf16 where the GPU supports it (compute capability 8.0 and up;
fp16 before), with TF32 matmuls, the fused AdamW, length-grouped batches (less padding), pinned
memory and dataloader workers, and the largest per-device batch the memory estimate says fits,
with gradient accumulation keeping the effective batch the user asked for. On the CPU none of
these help, and each is said so. A value the user set wins and is marked as theirs. Decided from
plain device facts (no torch import), so the training form shows what the job will use.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import asdict, dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from hf_ecosystem.device.types import DeviceSnapshot

GIB = 1024**3
CONTEXT_BYTES = 512 * 1024**2  # the CUDA context and kernels, which the estimate leaves out
HEADROOM = 0.9  # the allocator's fragmentation: fill a GPU to 90 % of what is free
MAX_WORKERS = 4
NAMES = (
    "precision", "tf32", "optim", "group_by_length", "dataloader_pin_memory",
    "dataloader_num_workers", "batch_size", "gradient_accumulation_steps",
)  # fmt: skip


@dataclass(frozen=True, slots=True)
class DeviceFacts:
    """What the choice depends on: the GPUs a run gets, their generation and free memory."""

    gpus: int = 0
    compute_capability: tuple[int, int] | None = None  # the oldest of them
    gpu_free_bytes: int | None = None  # the least free of them
    cpu_cores: int = 1

    @property
    def cuda(self) -> bool:
        """True when the run has a CUDA GPU."""
        return self.gpus > 0

    @classmethod
    def from_snapshot(
        cls, snapshot: DeviceSnapshot, gpu_ids: Sequence[int] | None = None
    ) -> DeviceFacts:
        """Facts from a device inventory, for the GPUs `gpu_ids` (all of them when None)."""
        gpus = [g for g in snapshot.gpus if gpu_ids is None or g.index in gpu_ids]
        known = [g.compute_capability for g in gpus if g.compute_capability is not None]
        free = [g.memory_total_bytes - g.memory_used_bytes for g in gpus if g.memory_total_bytes]
        return cls(
            gpus=len(gpus),
            compute_capability=min(known) if known else None,
            gpu_free_bytes=min(free) if free else None,
            cpu_cores=snapshot.cpu.logical_cores or 1,
        )


@dataclass(frozen=True, slots=True)
class FastSetting:
    """One resolved setting: its value, why, and whether the user set it."""

    name: str
    value: Any
    reason: str
    overridden: bool = False

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready mapping."""
        return asdict(self)


@dataclass(frozen=True, slots=True)
class FastDefaults:
    """Every resolved setting, in NAMES order."""

    settings: tuple[FastSetting, ...]

    def value(self, name: str) -> Any:
        """The resolved value of one setting."""
        return next(s.value for s in self.settings if s.name == name)

    def training_arguments(self) -> dict[str, Any]:
        """The TrainingArguments these settings become (transformers 5 names)."""
        precision = self.value("precision")
        return {
            "bf16": precision == "bf16", "fp16": precision == "fp16", "tf32": self.value("tf32"),
            "optim": self.value("optim"),
            # transformers 5.24 names it as a sampling strategy (no group_by_length argument).
            "train_sampling_strategy": "group_by_length" if self.value("group_by_length")
            else "random",
            "dataloader_pin_memory": self.value("dataloader_pin_memory"),
            "dataloader_num_workers": self.value("dataloader_num_workers"),
            "per_device_train_batch_size": self.value("batch_size"),
            "gradient_accumulation_steps": self.value("gradient_accumulation_steps"),
        }  # fmt: skip

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready mapping."""
        return {"settings": [s.to_dict() for s in self.settings]}

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> FastDefaults:
        """Read `to_dict`'s output back."""
        return cls(tuple(FastSetting(**item) for item in data.get("settings", ())))


def _precision(facts: DeviceFacts) -> tuple[str, str]:
    if not facts.cuda:
        return "fp32", "CPU: bf16 autocast is slower than fp32 on most CPUs"
    cc = facts.compute_capability
    if cc is None or cc >= (8, 0):
        return "bf16", "the GPU has bf16 (compute capability 8.0+): fp32's range at half the bytes"
    return "fp16", f"compute capability {cc[0]}.{cc[1]} has no fast bf16: fp16 with loss scaling"


def _batch(
    facts: DeviceFacts, wanted: int, memory_at: Callable[[int], int | None] | None
) -> tuple[int, str]:
    """The largest per-device batch dividing the effective batch that the estimate fits."""
    if not facts.cuda or memory_at is None or facts.gpu_free_bytes is None:
        return wanted, "no GPU memory reading to size it by: the batch as asked"
    budget = int((facts.gpu_free_bytes - CONTEXT_BYTES) * HEADROOM)
    for batch in sorted((d for d in range(1, wanted + 1) if wanted % d == 0), reverse=True):
        need = memory_at(batch)
        if need is None:
            return wanted, "no memory estimate for this model: the batch as asked"
        if need <= budget:
            return batch, (
                f"the largest that fits: needs {need / GIB:.1f} GiB of {budget / GIB:.1f} GiB "
                f"usable ({facts.gpu_free_bytes / GIB:.1f} GiB free)"
            )
    return 1, f"even a batch of 1 needs more than the {budget / GIB:.1f} GiB usable"


def resolve(
    facts: DeviceFacts,
    *,
    batch_size: int,
    gradient_accumulation_steps: int = 1,
    precision: str = "auto",
    overrides: Mapping[str, Any] | None = None,
    memory_at: Callable[[int], int | None] | None = None,
    share: bool = False,
) -> FastDefaults:
    """The fast settings for a run on `facts`; `overrides` (the user's values) win. `memory_at`
    gives the estimate's peak bytes for a per-device batch. With GPU sharing on (`share`) the
    batch stays as asked: the queue reserved the memory of that batch, and another job may
    hold the rest of the GPU."""
    user = dict(overrides or {})
    if precision != "auto":
        user.setdefault("precision", precision)
    cuda, workers = facts.cuda, min(MAX_WORKERS, max(0, facts.cpu_cores // max(1, facts.gpus) - 1))
    wanted = batch_size * gradient_accumulation_steps
    ampere = cuda and (facts.compute_capability or (0, 0)) >= (8, 0)
    if "batch_size" in user:
        batch, batch_why = int(user["batch_size"]), ""
        accumulation, why = gradient_accumulation_steps, "as asked, with your batch size"
    elif share and cuda:
        batch, accumulation, why = batch_size, gradient_accumulation_steps, "as asked"
        batch_why = "GPU sharing is on: the batch as asked, whose memory the queue reserved"
    else:
        batch, batch_why = _batch(facts, wanted, memory_at)
        accumulation = max(1, wanted // batch)
        why = f"keeps the effective batch of {wanted} asked for"
    gpu_only = "CPU: helps only with a GPU"
    chosen: dict[str, tuple[Any, str]] = {
        "precision": _precision(facts),
        "tf32": (ampere, "TF32 tensor cores for fp32 matmuls" if ampere
                 else gpu_only if not cuda else "TF32 needs compute capability 8.0+"),
        "optim": ("adamw_torch_fused", "one fused kernel per step") if cuda
        else ("adamw_torch", "the fused AdamW needs a GPU"),
        "group_by_length": (cuda, "batches of similar lengths: less padding" if cuda else gpu_only),
        "dataloader_pin_memory": (cuda, "faster copies to the GPU" if cuda else gpu_only),
        "dataloader_num_workers": (workers if cuda else 0, f"{workers} of {facts.cpu_cores} cores"
                                   " prepare batches while the GPU computes" if cuda
                                   else "CPU: the cores train"),
        "batch_size": (batch, batch_why),
        "gradient_accumulation_steps": (accumulation, why),
    }  # fmt: skip
    settings = tuple(
        FastSetting(name, user[name], "set by you", True)
        if name in user
        else FastSetting(name, *chosen[name])
        for name in NAMES
    )
    return FastDefaults(settings)


def for_run(
    config: Mapping[str, Any],
    *,
    cuda: bool,
    snapshot: DeviceSnapshot | None = None,
    visible: str | None = None,
    share: bool = False,
) -> FastDefaults | None:
    """The settings a training run (a TrainSpec as plain data) gets on the GPUs it was given
    (`visible`: CUDA_VISIBLE_DEVICES, NVML's order); None without CUDA (the CPU keeps its own)."""
    if not cuda:
        return None
    from hf_ecosystem.device.memory import estimate_for_repo
    from hf_ecosystem.errors import HfEcoError

    if snapshot is None:
        from hf_ecosystem.device.inventory import snapshot as take_snapshot

        snapshot = take_snapshot()
    ids = [int(i) for i in visible.split(",") if i.strip().isdigit()] if visible else None
    facts = DeviceFacts.from_snapshot(snapshot, ids)
    if not facts.cuda:  # CUDA without NVML readings: nothing to decide by
        return None
    mode = "lora" if config.get("lora") else "full"
    quantised = config.get("quantization")
    base = str(quantised) if quantised in ("int8", "int4") else "bf16"  # the frozen base (QLoRA)

    def memory_at(batch: int) -> int | None:
        try:
            return estimate_for_repo(
                str(config["model"]), batch=batch, seq=int(config.get("max_length", 128)),
                train=mode, task=config.get("task"), live_snapshot=False, dtype=base,
            ).peak_bytes  # fmt: skip
        except HfEcoError:
            return None

    return resolve(
        facts,
        batch_size=int(config.get("batch_size", 16)),
        gradient_accumulation_steps=int(config.get("gradient_accumulation_steps", 1)),
        precision=str(config.get("precision", "auto")),
        overrides=config.get("speed") or {},
        memory_at=memory_at,
        share=share,
    )
