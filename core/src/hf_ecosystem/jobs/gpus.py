"""Which GPUs the queue hands out, and how a job is shown only the GPUs it was given.

The queue's GPUs are NVML's indices of this machine, or the ones `HFTUI_GPUS` names (`0,2` to
keep hf-tui to two GPUs of a shared box; `none` for none). A job asks for a number of GPUs (`gpus`
on its spec; by default one for kinds that can use a GPU, none for downloads and publishing); the
queue gives it that many free ones, lowest index first, records them, and starts its worker with
`CUDA_VISIBLE_DEVICES` naming exactly those (in NVML's order: `CUDA_DEVICE_ORDER=PCI_BUS_ID`).
A job given no GPU runs with `CUDA_VISIBLE_DEVICES` empty, so it never takes one by accident.
"""

from __future__ import annotations

import os
from collections.abc import Collection, Sequence
from typing import TYPE_CHECKING

from hf_ecosystem.jobs.params import JobSpecError

if TYPE_CHECKING:
    from hf_ecosystem.device.nvml import NvmlBackend

GPUS_ENV = "HFTUI_GPUS"
MAX_GPUS_PER_JOB = 64


def parse_gpu_list(text: str) -> tuple[int, ...]:
    """`HFTUI_GPUS`'s value: comma-separated indices, or `none`/empty for no GPUs."""
    value = text.strip().lower()
    if value in ("", "none"):
        return ()
    try:
        ids = tuple(sorted({int(part) for part in value.split(",") if part.strip()}))
    except ValueError as exc:
        raise JobSpecError(
            f"Invalid {GPUS_ENV}={text!r}",
            f"Give GPU indices separated by commas (e.g. {GPUS_ENV}=0,1) or 'none'.",
        ) from exc
    if any(i < 0 for i in ids):
        raise JobSpecError(f"Invalid {GPUS_ENV}={text!r}", "GPU indices start at 0.")
    return ids


def queue_gpus(nvml: NvmlBackend | None = None) -> tuple[int, ...]:
    """The GPUs jobs may be given: HFTUI_GPUS when set, else every GPU NVML sees."""
    if GPUS_ENV in os.environ:
        return parse_gpu_list(os.environ[GPUS_ENV])
    from hf_ecosystem.device.nvml import read_gpus

    return tuple(gpu.index for gpu in read_gpus(nvml).gpus)


def check_request(kind: str, gpu_capable: bool, gpus: object) -> int:
    """A job's `gpus` field, checked: an int from 0, and 0 for kinds that use no GPU."""
    if isinstance(gpus, bool) or not isinstance(gpus, int) or not 0 <= gpus <= MAX_GPUS_PER_JOB:
        raise JobSpecError(
            f"Invalid job: 'gpus' must be a whole number from 0 to {MAX_GPUS_PER_JOB}",
            f"got {gpus!r}",
        )
    if gpus and not gpu_capable:
        raise JobSpecError(f"Invalid job: {kind} jobs use no GPU", "Leave 'gpus' out, or set 0.")
    return gpus


def wanted(requested: int | None, gpu_capable: bool, available: Sequence[int]) -> int:
    """How many GPUs a job gets: what it asked for, else one when it can use one and the
    machine has any."""
    if requested is not None:
        return requested
    return 1 if gpu_capable and available else 0


def refusal(need: int, available: Sequence[int]) -> JobSpecError | None:
    """The error for a job that can never start here (more GPUs than the queue has)."""
    if need <= len(available):
        return None
    have = f"{len(available)} ({', '.join(map(str, available))})" if available else "none"
    return JobSpecError(
        f"The job needs {need} GPU{'s' if need != 1 else ''}; this machine's queue has {have}",
        f"Ask for fewer GPUs (gpus: {len(available)}), or run it where there are more "
        f"(the queue's GPUs come from NVML or {GPUS_ENV}).",
    )


def pick(available: Sequence[int], held: Collection[int], need: int) -> tuple[int, ...] | None:
    """The lowest `need` free GPUs, or None while fewer are free."""
    free = [gpu for gpu in available if gpu not in held]
    return tuple(free[:need]) if len(free) >= need else None


def format_ids(ids: Sequence[int]) -> str:
    """Stored and shown form: "0,1"."""
    return ",".join(str(i) for i in ids)


def parse_ids(text: str | None) -> tuple[int, ...]:
    """Read the stored form back (None or "" means none)."""
    return tuple(int(part) for part in text.split(",") if part) if text else ()


def visible_env(ids: Sequence[int], machine_has_gpus: bool) -> dict[str, str]:
    """The environment that shows a worker exactly its GPUs (nothing on a GPU-less machine)."""
    if not ids and not machine_has_gpus:
        return {}
    return {"CUDA_VISIBLE_DEVICES": format_ids(ids), "CUDA_DEVICE_ORDER": "PCI_BUS_ID"}


def wait_reason(need: int, available: Sequence[int], holders: dict[int, str]) -> str | None:
    """Why a queued job that needs `need` GPUs cannot start (None when enough are free)."""
    free = [gpu for gpu in available if gpu not in holders]
    if len(free) >= need:
        return None
    taken = ", ".join(f"GPU {gpu} by job {holders[gpu]}" for gpu in sorted(holders))
    return f"needs {need} GPU{'s' if need != 1 else ''}, {len(free)} free ({taken})"
