"""`hf-tui memory REPO`: will this model fit, for inference or fine-tuning?"""

from __future__ import annotations

import argparse
import sys

from hf_ecosystem.device.memory import BREAKDOWN_LABELS, DTYPES, MemoryEstimate, estimate_for_repo
from hf_ecosystem.device.repo_model import looks_like_path
from hf_tui.commands import common_options
from hf_tui.format import human_bytes, human_count
from hf_tui.output import print_json, print_table

MODE_LABELS = {"inference": "inference", "full": "full fine-tuning", "lora": "LoRA fine-tuning"}


def add_parsers(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Register `memory`."""
    parser = sub.add_parser(
        "memory",
        parents=[common_options()],
        help="estimate the GPU memory a model needs for inference or fine-tuning",
    )
    parser.add_argument("repo", metavar="REPO", help="repo id (org/name) or a model folder")
    parser.add_argument(
        "--dtype", default="bf16", help=f"weights' dtype: {'|'.join(DTYPES)} (default bf16)"
    )
    parser.add_argument("--batch", type=int, default=1, help="sequences per step (default 1)")
    parser.add_argument("--seq", type=int, default=128, help="tokens per sequence (default 128)")
    parser.add_argument(
        "--train", metavar="full|lora", help="also estimate full or LoRA fine-tuning"
    )
    parser.add_argument(
        "--task",
        help="the fine-tuning task whose head --train counts (text-classification, "
        "token-classification, causal-lm, seq2seq, ...; default: the model's usual one)",
    )
    parser.add_argument(
        "--target",
        choices=("cuda", "cpu"),
        default="cuda",
        help="where it runs: cuda (default; int8/int4 as bitsandbytes stores them) or cpu "
        "(int8/int4 as torchao stores them, fp32 activations)",
    )
    parser.set_defaults(handler=run_memory)


def run_memory(args: argparse.Namespace) -> int:
    """Estimate and print a table (or JSON)."""
    backend = None
    if not looks_like_path(args.repo):
        from hf_ecosystem.hub.selection import select_backend

        choice = select_backend(offline=args.offline or None)
        backend = choice.backend
        if not args.json:
            sys.stderr.write(f"backend: {choice.description}\n")
    estimate = estimate_for_repo(
        args.repo,
        backend,
        dtype=args.dtype,
        batch=args.batch,
        seq=args.seq,
        train=args.train,
        task=args.task,
        target=args.target,
    )
    if args.json:
        print_json({"ok": True, **estimate.to_dict()})
    else:
        print_estimate(estimate)
    return 0


def print_estimate(e: MemoryEstimate) -> None:
    """The human view: header, weights per dtype, breakdown, totals, verdict, assumptions."""
    mode = MODE_LABELS[e.mode]
    print(
        f"{e.model}  ·  {human_count(e.parameters)} parameters  ·  {e.dtype}  ·  "
        f"batch {e.batch} x seq {e.seq}  ·  {mode}"
    )
    weights = "  ".join(f"{d} {human_bytes(b)}" for d, b in e.weights_by_dtype.items())
    print(f"weights: {weights}")
    rows = [[BREAKDOWN_LABELS[k], human_bytes(v)] for k, v in e.breakdown.items() if v]
    print_table(["at the peak", "bytes"], rows)
    print(f"inference: {human_bytes(e.inference_bytes)}")
    if e.training_bytes is not None:
        print(f"{mode}: {human_bytes(e.training_bytes)}")
    if e.verdict is not None:
        print(f"verdict: {e.verdict.text}")
    print("assumptions:")
    for line in e.assumptions:
        print(f"  - {line}")
