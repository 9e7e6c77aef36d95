"""Which GPUs a job starts on: enough of them, each with room for the job's memory estimate.

A job's estimate (the memory estimator, for its model, dtype, batch, sequence length and mode) is
made once, at launch, and stored with it. A GPU has room when NVML's free memory, less what the
jobs already placed on it reserved and have not taken yet, holds the estimate. A GPU that runs a
job is that job's alone unless `share_gpus` is on (then a job may join it when both fit). A job
whose estimate is unknown (no config to read, a kind without a model) is placed by count only,
and never shares. A job larger than any GPU here is refused at launch, with the numbers.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal

from hf_ecosystem.errors import HfEcoError
from hf_ecosystem.jobs import gpus as gpu_queue
from hf_ecosystem.jobs.params import JobSpecError

if TYPE_CHECKING:
    from hf_ecosystem.device.nvml import NvmlBackend
    from hf_ecosystem.jobs.spec import JobSpec

GIB = 1024**3
LINGER_SECONDS = 120.0  # a finished job's leftover processes hold its slot and GPUs this long
_DTYPES = {"float32": "fp32", "fp32": "fp32", "float16": "fp16", "fp16": "fp16", "half": "fp16",
           "bfloat16": "bf16", "bf16": "bf16", "int8": "int8", "int4": "int4"}  # fmt: skip


@dataclass(frozen=True, slots=True)
class GpuRoom:
    """One GPU of the queue as NVML reads it (None: NVML has no reading for it)."""

    index: int
    total_bytes: int | None
    free_bytes: int | None


@dataclass(frozen=True, slots=True)
class Reservation:
    """GPU memory a placed job holds or will take: its estimate (None when unknown)."""

    job_id: str
    gpu: int
    memory_bytes: int | None


@dataclass(frozen=True, slots=True)
class Placement:
    """The GPUs a job gets now, or None and why it waits."""

    gpus: tuple[int, ...] | None
    reason: str | None = None


def size(value: int) -> str:
    """`18.2 GiB`, `512 MiB`."""
    return f"{value / GIB:.1f} GiB" if value >= GIB else f"{value / 1024**2:.0f} MiB"


def _scenario(spec: JobSpec, share: bool = False) -> tuple[str, dict[str, Any]] | None:
    """(model, estimate_for_repo's arguments) for a job that loads a model; None otherwise."""
    p = spec.params
    if spec.kind == "train":
        cfg: Mapping[str, Any] = p.get("config") or {}
        lora = cfg.get("lora") is not None
        # On a GPU the run sizes its per-device batch to the memory it finds (fast defaults),
        # down to 1: it needs the estimate at 1, unless `speed.batch_size` fixes the batch, or
        # GPU sharing is on (then it keeps the batch asked for: that is what is reserved).
        speed: Mapping[str, Any] = cfg.get("speed") or {}
        fixed = speed.get("batch_size") or (cfg.get("batch_size", 16) if share else None)
        args = {"batch": int(fixed or 1), "seq": int(cfg.get("max_length", 128)),
                "train": "lora" if lora else "full", "task": cfg.get("task")}  # fmt: skip
        if cfg.get("quantization") in ("int8", "int4"):  # QLoRA: the frozen base quantised
            args["dtype"] = str(cfg["quantization"])
        return str(cfg.get("model", "")), args
    if spec.kind in ("inference", "batch-inference", "evaluate"):
        dtype = _DTYPES.get(str(p.get("dtype", "bf16")).lower(), "bf16")
        batch = int(p.get("batch_size", 1 if spec.kind == "inference" else 8))
        return str(p["model"]), {"batch": batch, "seq": int(p.get("max_length", 128)),
                                 "dtype": dtype}  # fmt: skip
    return None


def job_memory(spec: JobSpec, *, share: bool = False) -> int | None:
    """The job's peak GPU memory per GPU from the estimator; None when it cannot be made.
    `share`: GPU sharing is on (a training keeps its batch then, see fast_defaults)."""
    scenario = _scenario(spec, share)
    if scenario is None or not scenario[0]:
        return None
    from hf_ecosystem.device.memory import estimate_for_repo

    try:
        found = estimate_for_repo(scenario[0], live_snapshot=False, **scenario[1])
    except (HfEcoError, OSError, ValueError, TypeError):
        return None  # placed by GPU count alone, as before there were estimates
    return found.peak_bytes


def gpu_rooms(
    available: Sequence[int], nvml: NvmlBackend | Literal[False] | None = None
) -> list[GpuRoom]:
    """The queue's GPUs with NVML's total and free memory (`nvml=False`: not read, for a job
    placed by count alone)."""
    from hf_ecosystem.device.nvml import read_gpus

    if nvml is False:
        return [GpuRoom(index, None, None) for index in available]
    seen = {gpu.index: gpu for gpu in read_gpus(nvml).gpus if gpu.memory_total_bytes > 0}
    rooms: list[GpuRoom] = []
    for index in available:
        gpu = seen.get(index)
        if gpu is None:
            rooms.append(GpuRoom(index, None, None))
        else:
            free = gpu.memory_total_bytes - gpu.memory_used_bytes
            rooms.append(GpuRoom(index, gpu.memory_total_bytes, max(0, free)))
    return rooms


def reservations(conn: Any, alive: Callable[[int, str], bool]) -> list[Reservation]:
    """What placed jobs hold, from the store: jobs that run, and finished ones whose processes
    still live (they may still hold the GPU's memory)."""
    rows: Iterable[Sequence[Any]] = conn.execute(
        "SELECT id, pid, status, gpu_ids, memory_bytes FROM jobs WHERE gpu_ids IS NOT NULL"
        " AND (status IN ('starting','running') OR finished_at >= ?)",
        (time.time() - LINGER_SECONDS,),
    ).fetchall()
    found: list[Reservation] = []
    for job_id, pid, status, ids, memory in rows:
        if status in ("starting", "running") or (pid and alive(int(pid), str(job_id))):
            found += [Reservation(str(job_id), gpu, memory) for gpu in gpu_queue.parse_ids(ids)]
    return found


def _left(room: GpuRoom, holders: Sequence[Reservation]) -> int | None:
    """Memory a new job may still take: NVML's free memory, but no more than the total less the
    holders' estimates (a job just started has not taken its memory yet)."""
    if room.free_bytes is None or room.total_bytes is None:
        return None
    promised = sum(h.memory_bytes or 0 for h in holders)
    return max(0, min(room.free_bytes, room.total_bytes - promised))


def place(
    need: int,
    memory: int | None,
    rooms: Sequence[GpuRoom],
    held: Sequence[Reservation],
    *,
    share: bool = False,
) -> Placement:
    """The lowest `need` GPUs with room for `memory` bytes each, or why the job waits."""
    if need == 0:
        return Placement(())
    by_gpu: dict[int, list[Reservation]] = {}
    for reservation in held:
        by_gpu.setdefault(reservation.gpu, []).append(reservation)
    if memory is None:  # placed by count alone
        holders = {gpu: found[0].job_id for gpu, found in by_gpu.items()}
        given = gpu_queue.pick([r.index for r in rooms], holders, need)
        reason = gpu_queue.wait_reason(need, [r.index for r in rooms], holders)
        return Placement(given, None if given is not None else reason)
    fits: list[int] = []
    why: list[str] = []
    for room in rooms:
        holders = by_gpu.get(room.index, [])
        left = _left(room, holders)
        unknown = any(h.memory_bytes is None for h in holders)
        if holders and (not share or left is None or unknown):
            jobs = ", ".join(dict.fromkeys(h.job_id for h in holders))
            why.append(f"GPU {room.index} is reserved by job {jobs}")
        elif left is None or left >= memory:
            fits.append(room.index)
        else:
            why.append(f"GPU {room.index} has {size(left)} free")
    if len(fits) >= need:
        return Placement(tuple(fits[:need]))
    wanted = f"{need} GPUs with {size(memory)} each" if need > 1 else size(memory)
    return Placement(None, f"needs {wanted}; {', '.join(why)}")


def decide(
    conn: Any,
    need: int,
    memory: int | None,
    rooms: Sequence[GpuRoom],
    alive: Callable[[int, str], bool],
    *,
    share: bool = False,
) -> Placement:
    """Place a job needing `need` GPUs of `memory` bytes each, given what the store's jobs hold."""
    if not need:
        return Placement(())
    return place(need, memory, rooms, reservations(conn, alive), share=share)


def refusal(need: int, memory: int | None, rooms: Sequence[GpuRoom]) -> JobSpecError | None:
    """The error for a job whose estimate is larger than the GPUs here could ever give it."""
    if not need or memory is None:
        return None
    big = [r for r in rooms if r.total_bytes is None or r.total_bytes >= memory]
    if len(big) >= need:
        return None
    known = [r for r in rooms if r.total_bytes is not None]
    if not known:
        return None
    largest = max(known, key=lambda r: r.total_bytes or 0)
    each = f" on each of {need} GPUs" if need > 1 else ""
    return JobSpecError(
        f"The job needs {size(memory)} of GPU memory{each}; the largest GPU here, "
        f"GPU {largest.index}, has {size(largest.total_bytes or 0)}",
        "Lower the batch size or the sequence length, train with LoRA, or pick a smaller model "
        "(`hf-tui memory MODEL --train full --batch B --seq S` shows the estimate).",
    )
