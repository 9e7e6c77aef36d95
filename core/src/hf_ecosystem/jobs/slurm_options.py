"""Where a job runs on a Slurm cluster: partition, nodes, GPUs, time limit, account.

A job's spec carries `SlurmOptions` when it is to run on Slurm (`--on slurm`); without them it runs
on this machine's queue. Defaults come from the `[slurm]` table of config.toml; what a command or
form gives beats them. Plain data, checked here, stored with the job.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, fields, replace
from typing import Any

from hf_ecosystem.jobs.params import JobSpecError

_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.\-]{0,63}$")
_TIME = re.compile(r"^(?:(\d+)-)?(\d+)(?::(\d+))?(?::(\d+))?$")
MAX_NODES = 1024
MAX_GPUS_PER_NODE = 64


def parse_time(text: str) -> int:
    """Slurm's time limit forms ("30", "4:00:00", "1-12", "2-00:30:00") in whole minutes."""
    match = _TIME.match(text.strip())
    if match is None:
        raise JobSpecError(
            f"Invalid Slurm time limit {text!r}",
            "Give minutes (90), H:MM:SS (4:00:00) or D-HH:MM:SS (1-12:00:00).",
        )
    days, first, second, third = match.groups()
    parts = [int(p) for p in (first, second, third) if p is not None]
    if days is not None:  # D-HH[:MM[:SS]]
        hours, minutes, seconds = [*parts, 0, 0][:3]
        total = ((int(days) * 24 + hours) * 60 + minutes) * 60 + seconds
    elif len(parts) == 3:  # HH:MM:SS
        total = (parts[0] * 60 + parts[1]) * 60 + parts[2]
    else:  # MM or MM:SS
        total = parts[0] * 60 + (parts[1] if len(parts) == 2 else 0)
    if total <= 0:
        raise JobSpecError(f"Invalid Slurm time limit {text!r}", "It must be above zero.")
    return -(-total // 60)


def _name(field: str, value: object) -> str:
    if not isinstance(value, str) or not _NAME.match(value):
        raise JobSpecError(
            f"Invalid Slurm {field} {value!r}",
            "Letters, digits, '.', '_' and '-' only (see `hf-tui cluster` for the partitions).",
        )
    return value


def _count(field: str, value: object, low: int, high: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise JobSpecError(f"Invalid Slurm {field} {value!r}", f"A whole number {low}-{high}.")
    return value


@dataclass(frozen=True, slots=True)
class SlurmOptions:
    """How a job asks Slurm for resources (None: Slurm's own default)."""

    partition: str | None = None
    nodes: int = 1
    gpus: int | None = None  # per node
    time: str | None = None  # as given ("4:00:00"); `minutes` is what sbatch gets
    account: str | None = None
    cpus: int | None = None  # CPUs of each task

    @classmethod
    def create(cls, **values: Any) -> SlurmOptions:
        """Checked options (None values are left out); JobSpecError naming the bad one."""
        given = {k: v for k, v in values.items() if v is not None}
        known = {f.name for f in fields(cls)}
        if unknown := sorted(set(given) - known):
            raise JobSpecError(
                f"Unknown Slurm setting {unknown[0]!r}", f"Known: {', '.join(sorted(known))}."
            )
        for field in ("partition", "account"):
            if field in given:
                _name(field, given[field])
        if "nodes" in given:
            _count("nodes", given["nodes"], 1, MAX_NODES)
        if "gpus" in given:
            _count("gpus", given["gpus"], 0, MAX_GPUS_PER_NODE)
        if "cpus" in given:
            _count("cpus", given["cpus"], 1, 4096)
        if "time" in given:
            given["time"] = str(given["time"])
            parse_time(given["time"])
        return cls(**given)

    def merged(self, **overrides: Any) -> SlurmOptions:
        """These options with the given (non-None) ones in their place, checked."""
        return replace(self, **SlurmOptions.create(**overrides).to_dict(only_set=True))

    @property
    def minutes(self) -> int | None:
        """The time limit in minutes (None: the partition's default)."""
        return None if self.time is None else parse_time(self.time)

    def to_dict(self, *, only_set: bool = False) -> dict[str, Any]:
        """JSON-ready mapping (`only_set`: without the fields left at None)."""
        data = {f.name: getattr(self, f.name) for f in fields(self)}
        return {k: v for k, v in data.items() if v is not None} if only_set else data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> SlurmOptions:
        """Read stored options back (as checked when the job was created)."""
        known = {f.name for f in fields(cls)}
        return cls(**{k: v for k, v in data.items() if k in known})

    def describe(self) -> str:
        """One line: "slurm · gpu · 2 nodes × 4 GPUs · 4:00:00"."""
        parts = ["slurm"]
        if self.partition:
            parts.append(self.partition)
        size = f"{self.nodes} node{'s' if self.nodes != 1 else ''}"
        if self.gpus:
            size += f" × {self.gpus} GPU{'s' if self.gpus != 1 else ''}"
        parts.append(size)
        if self.time:
            parts.append(self.time)
        return " · ".join(parts)


def slurm_defaults(table: dict[str, Any]) -> SlurmOptions:
    """The `[slurm]` table of config.toml as options (JobSpecError naming a bad value)."""
    return SlurmOptions.create(**table)
