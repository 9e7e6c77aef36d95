"""`hf-tui publish`: push a run's model to the Hub or the local hub as a background job."""

from __future__ import annotations

import argparse
import sys
from typing import Any

from hf_ecosystem.jobs.manager import JobManager
from hf_ecosystem.jobs.spec import JobSpec
from hf_ecosystem.paths import user_path
from hf_ecosystem.publishing.plan import PublishPlan
from hf_ecosystem.publishing.staging import (
    hub_publish_problems,
    plan_source,
    publish_source,
    visibility_warnings,
)
from hf_tui.commands import common_options
from hf_tui.commands.jobs import add_wait, launch_and_report
from hf_tui.format import human_bytes
from hf_tui.output import print_json, print_table


def add_parsers(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Register `publish`."""
    p = sub.add_parser(
        "publish",
        parents=[common_options()],
        help="publish a model folder (or a training run's model) to the Hub or the local hub",
        description="Lists the files and their total size first; refuses folders holding "
        "secrets (.env, *token*, a token inside a file) before anything starts. Training "
        "leftovers (checkpoints, optimizer state, TensorBoard logs) are skipped.",
    )
    p.add_argument(
        "target",
        metavar="JOB_ID_OR_MODEL_DIR",
        help="a train job id, a run's folder or a model folder",
    )
    p.add_argument("--repo", required=True, help="repo id to publish to, e.g. org/name")
    p.add_argument("--local", action="store_true", help="into the offline local hub")
    visibility = p.add_mutually_exclusive_group()
    visibility.add_argument(
        "--private",
        dest="private",
        action="store_true",
        default=None,
        help="make the repo private (default: a new repo is private, an existing one is kept)",
    )
    visibility.add_argument(
        "--public", dest="private", action="store_false", help="make the repo public"
    )
    p.add_argument("--tag", help="tag this version (a revision name in the local hub)")
    p.add_argument("--license", help="license id (default: the base model's)")
    p.add_argument("--message", help="commit message")
    p.add_argument("--card", help="an edited README.md to publish instead of the generated card")
    p.add_argument("--dry-run", action="store_true", help="show what would be published, stop")
    add_wait(p)
    p.set_defaults(handler=run_publish)


def _print_plan(plan: PublishPlan, repo: str, where: str, warnings: list[str]) -> None:
    rows = [[f.path, human_bytes(f.size)] for f in plan.files]
    print_table(["file", "size"], rows, title=f"{repo} → {where}")
    print(f"{len(plan.files)} files, {human_bytes(plan.total_bytes)} (plus the model card)")
    for skipped in plan.skipped:
        print(f"skipped: {skipped.path} ({skipped.reason})")
    for warning in warnings:
        print(f"warning: {warning}")


def _where(local: bool, private: bool | None) -> str:
    if local:
        return "local hub"
    if private is None:
        return "Hub (private if new)"
    return f"Hub ({'private' if private else 'public'})"


def run_publish(args: argparse.Namespace) -> int:
    """Plan, show, then launch the publish job."""
    local = bool(args.local or args.offline)
    manager = JobManager()
    source, run = publish_source(args.target, manager)
    # Refuses secrets before any job exists; warns about the run's training data license.
    plan = plan_source(source, run, card=args.card, settings=manager.settings, remote=not local)
    warnings = [*plan.warnings, *visibility_warnings(local, args.private)]
    problems = list(hub_publish_problems(manager.settings)) if args.dry_run and not local else []
    params: dict[str, Any] = {
        "source": str(source),
        "repo_id": args.repo,
        "local": local,
        "private": args.private,
        "tag": args.tag,
        "commit_message": args.message,
        "license": args.license,
        "card": str(user_path(args.card).resolve()) if args.card else None,
        "run": run.record.id if run is not None else None,
    }
    spec = JobSpec.create("publish", **{k: v for k, v in params.items() if v is not None})
    where = _where(local, args.private)
    if args.json and args.dry_run:
        data = {"ok": True, "dry_run": True, "repo_id": args.repo, "where": where}
        plan_data = {**plan.to_dict(), "warnings": warnings}
        print_json({**data, "plan": plan_data, "problems": problems, "spec": dict(spec.params)})
        return 0
    if not args.json:
        _print_plan(plan, args.repo, where, warnings)
    if args.dry_run:
        for problem in problems:
            print(f"problem: {problem}")
        if not problems:
            print("dry run: nothing was published")
        return 0
    if not args.json:
        sys.stdout.flush()
    return launch_and_report(spec, args)
