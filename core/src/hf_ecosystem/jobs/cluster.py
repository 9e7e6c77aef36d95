"""What a Slurm cluster offers and what the user has queued: `sinfo` and `squeue`, typed."""

from __future__ import annotations

import getpass
import subprocess
from dataclasses import asdict, dataclass, field
from typing import Any

from hf_ecosystem.jobs.slurm import SlurmError


@dataclass(frozen=True, slots=True)
class ClusterNode:
    """One node of one partition (sinfo -N)."""

    name: str
    partition: str
    state: str
    cpus: int
    memory_mb: int
    gres: str  # "gpu:a100:4", "(null)" when none
    time_limit: str

    @property
    def gpus(self) -> int:
        """GPUs of the node, from its generic resources."""
        total = 0
        for item in self.gres.split(","):
            parts = item.split("(")[0].split(":")
            if parts[0] == "gpu" and parts[-1].isdigit():
                total += int(parts[-1])
        return total


@dataclass(frozen=True, slots=True)
class QueuedJob:
    """One of the user's Slurm jobs (squeue)."""

    job_id: str
    name: str
    state: str
    elapsed: str
    nodes: int
    reason: str  # the node list when it runs, why it waits when it does not


@dataclass(frozen=True, slots=True)
class ClusterView:
    """Partitions' nodes and the user's queue."""

    nodes: list[ClusterNode] = field(default_factory=list[ClusterNode])
    queue: list[QueuedJob] = field(default_factory=list[QueuedJob])

    @property
    def partitions(self) -> dict[str, dict[str, int]]:
        """Per partition: nodes, idle nodes, CPUs, GPUs."""
        out: dict[str, dict[str, int]] = {}
        for node in self.nodes:
            part = out.setdefault(node.partition, {"nodes": 0, "idle": 0, "cpus": 0, "gpus": 0})
            part["nodes"] += 1
            part["idle"] += node.state.startswith("idle")
            part["cpus"] += node.cpus
            part["gpus"] += node.gpus
        return out

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready mapping."""
        return {
            "partitions": self.partitions,
            "nodes": [{**asdict(n), "gpus": n.gpus} for n in self.nodes],
            "queue": [asdict(j) for j in self.queue],
        }


def _run(command: list[str]) -> list[list[str]]:
    try:
        done = subprocess.run(command, capture_output=True, text=True, timeout=30, check=False)
    except FileNotFoundError as exc:
        raise SlurmError(
            f"No Slurm here: {command[0]} is not installed",
            "Run hf-tui on a login node of the cluster (Slurm's commands must be on PATH).",
        ) from exc
    except subprocess.TimeoutExpired as exc:
        raise SlurmError(f"{command[0]} did not answer in 30 s") from exc
    if done.returncode != 0:
        raise SlurmError(f"{command[0]} failed", done.stderr.strip()[:300] or None)
    return [line.split("|") for line in done.stdout.splitlines() if line.strip()]


def _int(text: str) -> int:
    digits = "".join(c for c in text if c.isdigit())
    return int(digits) if digits else 0


def cluster_view(user: str | None = None) -> ClusterView:
    """The cluster's nodes (per partition) and `user`'s jobs (default: this user)."""
    nodes = [
        ClusterNode(row[0], row[1].rstrip("*"), row[2], _int(row[3]), _int(row[4]), row[5], row[6])
        for row in _run(["sinfo", "-h", "-N", "-o", "%N|%P|%T|%c|%m|%G|%l"])
        if len(row) >= 7
    ]
    queue = [
        QueuedJob(row[0], row[1], row[2], row[3], _int(row[4]), row[5])
        for row in _run(
            ["squeue", "-h", "-u", user or getpass.getuser(), "-o", "%i|%j|%T|%M|%D|%R"]
        )
        if len(row) >= 6
    ]
    return ClusterView(nodes, queue)
