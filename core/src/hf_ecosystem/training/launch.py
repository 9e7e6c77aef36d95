"""How a training job starts its processes: one decision for one GPU box and for several nodes.

On one machine: `accelerate launch --multi_gpu` over its GPUs (torchrun on a CPU-only box, where
`accelerate launch --cpu` starts one process only). Across the nodes of a Slurm allocation: one
`torchrun` per node with a static rendezvous at the first node, so node ranks are Slurm's. The
job's worker runs on node 0 and starts that node's torchrun; the other nodes start theirs from
`python -m hf_ecosystem.jobs.worker --node JOB_ID` (see jobs.slurm.NodeWorker), built the same way.
"""

from __future__ import annotations

import sys
from pathlib import Path

from hf_ecosystem.jobs.nodes import Nodes


def launch_command(
    job_id: str,
    run_dir: Path,
    checkpoint: Path | None,
    processes: int,
    *,
    cuda: bool,
    nodes: Nodes | None = None,
) -> list[str]:
    """The command that runs `processes` training processes on this machine (per node)."""
    entry = ["-m", "hf_ecosystem.training.distributed", job_id, str(run_dir)]
    if checkpoint is not None:
        entry.append(str(checkpoint))
    if nodes is not None:
        return [
            sys.executable, "-m", "torch.distributed.run",
            "--nnodes", str(nodes.count), "--node_rank", str(nodes.rank),
            "--nproc_per_node", str(processes),
            "--master_addr", nodes.master, "--master_port", str(nodes.port), *entry,
        ]  # fmt: skip
    if cuda:
        return [
            sys.executable, "-m", "accelerate.commands.launch", "--multi_gpu",
            "--num_processes", str(processes), *entry,
        ]  # fmt: skip
    return [
        sys.executable, "-m", "torch.distributed.run", "--standalone",
        "--nproc_per_node", str(processes), *entry,
    ]  # fmt: skip
