"""`hf-tui cluster`: the Slurm cluster's partitions, nodes and GPUs, and your queue."""

from __future__ import annotations

import argparse

from hf_tui.commands import common_options
from hf_tui.output import print_json, print_table


def add_parsers(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Register `cluster`."""
    parser = sub.add_parser(
        "cluster",
        parents=[common_options()],
        help="the Slurm cluster: partitions, nodes, GPUs and your queue (sinfo, squeue)",
    )
    parser.add_argument("--user", help="whose queue (default: yours)")
    parser.set_defaults(handler=run_cluster)


def run_cluster(args: argparse.Namespace) -> int:
    """Show the cluster."""
    from hf_ecosystem.jobs.cluster import cluster_view

    view = cluster_view(args.user)
    if args.json:
        print_json({"ok": True, **view.to_dict()})
        return 0
    rows = [
        [name, str(p["nodes"]), str(p["idle"]), str(p["cpus"]), str(p["gpus"])]
        for name, p in view.partitions.items()
    ]
    print_table(["partition", "nodes", "idle", "CPUs", "GPUs"], rows)
    print_table(
        ["node", "partition", "state", "CPUs", "memory", "GPUs", "time limit"],
        [
            [n.name, n.partition, n.state, str(n.cpus), f"{n.memory_mb // 1024} GiB", str(n.gpus),
             n.time_limit]
            for n in view.nodes
        ],
    )  # fmt: skip
    if not view.queue:
        print("Your queue is empty.")
    else:
        print_table(
            ["job", "name", "state", "time", "nodes", "nodes / reason"],
            [[j.job_id, j.name, j.state, j.elapsed, str(j.nodes), j.reason] for j in view.queue],
        )
    return 0
