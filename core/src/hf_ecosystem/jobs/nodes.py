"""The nodes a multi-node Slurm job spans, handed from the node's task to its processes.

jobs.slurm.NodeWorker reads the allocation (submitit's JobEnvironment) and sets these variables
for the worker on node 0 and the node process on every other node; training.launch builds each
node's torchrun from them.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass

NNODES_ENV = "HFTUI_NNODES"
NODE_RANK_ENV = "HFTUI_NODE_RANK"
MASTER_ENV = "HFTUI_MASTER_ADDR"
PORT_ENV = "HFTUI_MASTER_PORT"
DEFAULT_PORT = 29511


@dataclass(frozen=True, slots=True)
class Nodes:
    """The nodes one training spans: how many, this one's rank, and where rank 0 listens."""

    count: int
    rank: int
    master: str
    port: int = DEFAULT_PORT

    def environ(self) -> dict[str, str]:
        """The variables that hand this to the worker or node process."""
        return {NNODES_ENV: str(self.count), NODE_RANK_ENV: str(self.rank),
                MASTER_ENV: self.master, PORT_ENV: str(self.port)}  # fmt: skip


def nodes_from_env(environ: Mapping[str, str] | None = None) -> Nodes | None:
    """The nodes set by `Nodes.environ()`; None for a run on one machine."""
    env = os.environ if environ is None else environ
    try:
        count = int(env.get(NNODES_ENV, "1"))
        rank = int(env.get(NODE_RANK_ENV, "0"))
        port = int(env.get(PORT_ENV, str(DEFAULT_PORT)))
    except ValueError:
        return None
    master = env.get(MASTER_ENV, "")
    if count <= 1 or not master or not 0 <= rank < count:
        return None
    return Nodes(count, rank, master, port)
