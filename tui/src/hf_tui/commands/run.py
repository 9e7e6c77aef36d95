"""`hf-tui run inference|batch`: inference as background jobs."""

from __future__ import annotations

import argparse

from hf_ecosystem.jobs.spec import JobSpec
from hf_ecosystem.paths import user_path
from hf_tui.commands import common_options
from hf_tui.commands.jobs import add_wait, launch_and_report


def add_parsers(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Register `run inference` and `run batch`."""
    from hf_tui.commands import evaluate as evaluate_commands
    from hf_tui.commands import train as train_commands

    group = sub.add_parser("run", help="run inference, training or evaluation as a background job")
    actions = group.add_subparsers(dest="action", required=True, metavar="ACTION")
    train_commands.add_run_parsers(actions)
    evaluate_commands.add_run_parsers(actions)

    one = actions.add_parser("inference", parents=[common_options()], help="one input")
    one.add_argument("--task", required=True, help="e.g. text-classification, summarization")
    one.add_argument("--model", required=True, help="repo id (Hub, cache or local hub) or folder")
    one.add_argument("--input", required=True, help="text, or a path to an image/audio file")
    one.add_argument("--device", help="cuda, mps or cpu (default: the best available)")
    add_wait(one)
    one.set_defaults(handler=run_inference)

    many = actions.add_parser("batch", parents=[common_options()], help="a file of inputs")
    many.add_argument("--task", required=True)
    many.add_argument("--model", required=True)
    many.add_argument("--input", required=True, help="CSV, JSONL, Parquet, TXT or a folder")
    many.add_argument("--output", required=True, help="results .jsonl or .parquet")
    many.add_argument("--column", help="input column (default: text)")
    many.add_argument("--batch-size", type=int, default=32)
    many.add_argument("--device")
    add_wait(many)
    many.set_defaults(handler=run_batch)


def run_inference(args: argparse.Namespace) -> int:
    """Launch one inference."""
    spec = JobSpec.create(
        "inference", task=args.task, model=args.model, input=args.input, device=args.device
    )
    return launch_and_report(spec, args)


def run_batch(args: argparse.Namespace) -> int:
    """Launch a batch inference."""
    spec = JobSpec.create(
        "batch-inference",
        task=args.task,
        model=args.model,
        input=args.input,
        output=str(user_path(args.output).resolve()),
        column=args.column,
        batch_size=args.batch_size,
        device=args.device,
    )
    return launch_and_report(spec, args)
