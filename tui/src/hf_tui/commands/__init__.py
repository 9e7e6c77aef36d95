"""CLI sub-commands, one module per group."""

from __future__ import annotations

import argparse


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
