"""`hf-tui run inference|batch`: inference as background jobs."""

from __future__ import annotations

import argparse
import sys

from hf_ecosystem.inference.device import INFERENCE_DTYPES
from hf_ecosystem.jobs.spec import JobSpec
from hf_ecosystem.paths import user_path
from hf_tui.commands import add_gpus, add_placement, common_options
from hf_tui.commands.jobs import add_wait, launch_and_report
from hf_tui.format import field_lines
from hf_tui.output import print_json


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
    add_dtype(one)
    add_gpus(one)
    add_wait(one)
    one.add_argument(
        "--no-warm",
        dest="warm",
        action="store_false",
        help="with --wait: run a job even when the warm model worker holds the model",
    )
    one.set_defaults(handler=run_inference)

    many = actions.add_parser("batch", parents=[common_options()], help="a file of inputs")
    many.add_argument("--task", required=True)
    many.add_argument("--model", required=True)
    many.add_argument("--input", required=True, help="CSV, JSONL, Parquet, TXT or a folder")
    many.add_argument("--output", required=True, help="results .jsonl or .parquet")
    many.add_argument("--column", help="input column (default: text)")
    many.add_argument("--batch-size", type=int, default=32)
    many.add_argument("--device")
    add_dtype(many)
    add_gpus(many)
    add_placement(many)
    add_wait(many)
    many.set_defaults(handler=run_batch)


def add_dtype(parser: argparse.ArgumentParser) -> None:
    """--dtype: the weights' dtype, int8/int4 quantised (bitsandbytes on CUDA, torchao on CPU)."""
    parser.add_argument(
        "--dtype",
        choices=INFERENCE_DTYPES,
        help="weights' dtype; int8/int4 load quantised: bitsandbytes on CUDA, torchao on the "
        "CPU (default: bf16/fp16 on a GPU, fp32 on the CPU)",
    )


def run_inference(args: argparse.Namespace) -> int:
    """Launch one inference; with --wait, the warm model worker answers if it holds the model."""
    spec = JobSpec.create(
        "inference",
        task=args.task,
        model=args.model,
        input=args.input,
        device=args.device,
        dtype=args.dtype,
        gpus=args.gpus,
    )
    if args.wait and getattr(args, "warm", True):
        answered = _ask_warm(spec, args)
        if answered is not None:
            return answered
    return launch_and_report(spec, args)


def _ask_warm(spec: JobSpec, args: argparse.Namespace) -> int | None:
    """The exit code after the warm worker answered; None when it cannot (run a job then)."""
    from hf_ecosystem.config import load_settings
    from hf_ecosystem.inference.warm_client import ask
    from hf_ecosystem.inference.warm_protocol import WarmRequest, WarmUnavailable

    request = WarmRequest.inference(spec.params, stream=not args.json, load=False)
    try:
        answer = ask(load_settings(), request, start=False, on_token=sys.stderr.write)
    except WarmUnavailable:
        return None
    if args.json:
        print_json({"ok": answer.ok, **answer.to_dict()})
    elif answer.result is not None:
        took = f"{answer.compute_seconds:.3f} s"
        print(f"answered by the warm model worker (job {answer.job_id}) in {took}")
        print("\n".join(field_lines(answer.result.to_dict(), depth=1)))
    else:
        error = answer.error or {}
        sys.stderr.write(f"error: {error.get('title', '')} — {error.get('hint', '')}\n")
    return 0 if answer.ok else 1


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
        dtype=args.dtype,
        gpus=args.gpus,
    )
    return launch_and_report(spec, args)
