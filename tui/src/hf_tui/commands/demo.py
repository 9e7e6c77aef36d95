"""`hf-tui demo seed`: fill the local hub with demo models and datasets, as a job."""

from __future__ import annotations

import argparse

from hf_ecosystem.jobs.spec import JobSpec
from hf_tui.commands import common_options
from hf_tui.commands.jobs import launch_and_report


def add_parsers(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Register `demo seed`."""
    group = sub.add_parser("demo", help="the offline demo hub")
    actions = group.add_subparsers(dest="action", required=True, metavar="ACTION")
    seed = actions.add_parser(
        "seed",
        parents=[common_options()],
        help="add a real model, real datasets and a tiny model per task to the local hub",
    )
    seed.add_argument(
        "--no-wait", dest="wait", action="store_false", help="print the job id and return"
    )
    seed.set_defaults(handler=run_seed, wait=True)


def run_seed(args: argparse.Namespace) -> int:
    """Launch the seed job (and by default follow it to the end)."""
    return launch_and_report(JobSpec.create("demo-seed"), args)
