"""`hf-tui review`: human evaluation of model outputs, and what the reviewers said."""

from __future__ import annotations

import argparse
from pathlib import Path

from hf_ecosystem.evaluation.human import default_reviewer, open_review
from hf_tui.commands import common_options
from hf_tui.output import print_json, print_table


def add_parsers(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Register `review`."""
    parser = sub.add_parser(
        "review",
        parents=[common_options()],
        help="rate model outputs by hand (an evaluate job's folder, or 1-2 batch result files)",
        description="Opens a review screen: one key per answer, stored at once, resumable. "
        "Two batch result files of the same inputs are compared side by side, order hidden.",
    )
    parser.add_argument(
        "sources",
        nargs="+",
        type=Path,
        metavar="SOURCE",
        help="an evaluate job's output folder, or one or two results .jsonl",
    )
    parser.add_argument("--reviewer", default=None, help="your name (default: the login name)")
    parser.add_argument("--name", default=None, help="the review's name (default: from sources)")
    parser.add_argument(
        "--summary",
        action="store_true",
        help="print the answers, agreement and metric comparison; no screen",
    )
    parser.set_defaults(handler=run_review)


def run_review(args: argparse.Namespace) -> int:
    """Open the review screen, or print its summary."""
    reviewer = args.reviewer or default_reviewer()
    review = open_review(args.sources, reviewer, name=args.name)  # checks before any screen
    if not args.summary:
        from hf_tui.screens.runs.review import run_review_app

        run_review_app(args.sources, reviewer, review.name)
        return 0
    from hf_ecosystem.evaluation.human_stats import summarize

    summary = summarize(review)
    if args.json:
        print_json({"ok": True, **summary.to_dict()})
        return 0
    print(
        f"{summary.review} · {summary.kind} · {summary.answered}/{summary.items} answered "
        f"by {reviewer}"
    )
    if summary.counts:
        print_table(["answer", "count"], [[k, str(v)] for k, v in summary.counts.items()])
    if summary.mean_rating is not None:
        print(f"mean rating: {summary.mean_rating:.2f}")
    for model, wins in summary.wins.items():
        print(f"preferred {model}: {wins}")
    for a in summary.agreements:
        print(f"Cohen's kappa {a.first} vs {a.second}: {a.kappa:+.2f} over {a.items} items")
    for line in summary.comparison:
        print(line)
    return 0
