"""CLI sub-commands, one module per group."""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from hf_ecosystem.jobs.spec import JobSpec


def common_options() -> argparse.ArgumentParser:
    """--json and --offline, accepted after the sub-command too (they default to the top level)."""
    parent = argparse.ArgumentParser(add_help=False)
    parent.add_argument(
        "--json", action="store_true", default=argparse.SUPPRESS, help="machine-readable output"
    )
    parent.add_argument(
        "--offline",
        action="store_true",
        default=argparse.SUPPRESS,
        help="use the local hub, never the network",
    )
    return parent


def add_gpus(parser: argparse.ArgumentParser) -> None:
    """--gpus N: how many GPUs the job is given (CUDA_VISIBLE_DEVICES names exactly those)."""
    parser.add_argument(
        "--gpus",
        type=int,
        metavar="N",
        help="GPUs to give the job (default: 1 where the machine has any, else 0); "
        "it waits in the queue until that many are free",
    )


def add_placement(parser: argparse.ArgumentParser) -> None:
    """--on local|slurm and the Slurm options ([slurm] in config.toml holds their defaults)."""
    where = parser.add_argument_group("where it runs")
    where.add_argument(
        "--on",
        choices=["local", "slurm"],
        help="this machine's queue (default) or a Slurm cluster (through submitit)",
    )
    where.add_argument("--partition", metavar="P", help="Slurm partition")
    where.add_argument("--nodes", type=int, metavar="K", help="Slurm nodes (default 1)")
    where.add_argument("--time", metavar="LIMIT", help="Slurm time limit, e.g. 4:00:00")
    where.add_argument("--account", metavar="A", help="Slurm account to charge")


def placed(spec: JobSpec, args: argparse.Namespace) -> JobSpec:
    """The spec with where the command line says it runs (`--gpus` is per node on Slurm)."""
    from hf_ecosystem.jobs.slurm import place

    if not hasattr(args, "on"):
        return spec
    return place(
        spec, args.on, partition=args.partition, nodes=args.nodes, time=args.time,
        account=args.account,
    )  # fmt: skip
