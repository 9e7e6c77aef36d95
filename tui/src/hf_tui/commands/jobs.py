"""`hf-tui jobs …` and `hf-tui download`: background jobs from the command line."""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Callable
from typing import Any

from hf_ecosystem.jobs.events import read_events
from hf_ecosystem.jobs.manager import JobManager
from hf_ecosystem.jobs.spec import JobSpec
from hf_ecosystem.jobs.store import JobRecord
from hf_tui.commands import common_options, placed
from hf_tui.format import describe_event, duration, field_lines
from hf_tui.output import print_json, print_table


def add_parsers(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Register `jobs` and `download`."""
    group = sub.add_parser("jobs", help="background jobs: list, show, logs, cancel, remove")
    actions = group.add_subparsers(dest="action", required=True, metavar="ACTION")
    ls = actions.add_parser("list", parents=[common_options()], help="every job, newest first")
    ls.set_defaults(handler=run_list)
    for name, helptext, handler in (
        ("show", "one job: spec, status, result, recent events", run_show),
        ("cancel", "stop a job (SIGTERM, then SIGKILL)", run_cancel),
        ("rm", "delete a finished job and its files", run_rm),
    ):
        parser = actions.add_parser(name, parents=[common_options()], help=helptext)
        parser.add_argument("job_id", metavar="ID", help="job id (a unique prefix works)")
        parser.set_defaults(handler=handler)
    logs = actions.add_parser("logs", parents=[common_options()], help="the job's events and log")
    logs.add_argument("job_id", metavar="ID")
    logs.add_argument("-f", "--follow", action="store_true", help="keep printing until it ends")
    logs.set_defaults(handler=run_logs)
    prune = actions.add_parser("prune", parents=[common_options()], help="delete finished jobs")
    prune.set_defaults(handler=run_prune)

    download = sub.add_parser(
        "download", parents=[common_options()], help="download a repo into the cache as a job"
    )
    download.add_argument("repo", help="repo id, e.g. org/name")
    download.add_argument("--type", choices=["model", "dataset"], default="model")
    download.add_argument("--revision", help="branch, tag or commit")
    download.add_argument("--file", action="append", dest="files", help="only this file (repeat)")
    add_wait(download)
    download.set_defaults(handler=run_download)


def add_wait(parser: argparse.ArgumentParser) -> None:
    """--wait: block until the job ends, showing progress; exit code follows its status."""
    parser.add_argument("--wait", action="store_true", help="wait for the job to finish")


# `jobs list` and `runs list` share these headers: id and status first, age last.
LIST_LEAD = ("id", "status")
LIST_TAIL = ("age",)


def job_age(record: JobRecord, now: float | None = None) -> str:
    """How long ago a job was created, worded as every duration is."""
    return duration((time.time() if now is None else now) - record.created_at)


def _row(record: JobRecord, waiting: str | None = None) -> list[str]:
    why = f" · waiting: {waiting}" if waiting else ""
    return [record.id, record.status, record.describe() + _where(record) + why, job_age(record)]


def _where(record: JobRecord) -> str:
    from hf_ecosystem.jobs.slurm import where

    place = where(record)
    return f" · {place}" if place else ""


def run_list(args: argparse.Namespace) -> int:
    """List jobs (a queued job with why it waits)."""
    manager = JobManager()
    records = manager.list()
    if args.json:
        print_json({"ok": True, "jobs": [r.to_dict() for r in records]})
    elif not records:
        print("No jobs.")
    else:
        rows = [_row(r, manager.waiting_for(r)) for r in records]
        print_table([*LIST_LEAD, "what", *LIST_TAIL], rows)
    return 0


def run_show(args: argparse.Namespace) -> int:
    """Show one job."""
    manager = JobManager()
    record = manager.get(args.job_id)
    events, _ = read_events(manager.events_path(record.id))
    if args.json:
        data: dict[str, Any] = record.to_dict()
        data["events"] = [{"type": e.type, "time": e.time, **e.data} for e in events[-50:]]
        print_json({"ok": True, **data})
        return 0
    print(f"{record.id}  {record.status}  {record.spec.describe()}")
    if record.gpu_ids:
        print(f"GPUs: {', '.join(map(str, record.gpu_ids))} (CUDA_VISIBLE_DEVICES)")
    if record.spec.slurm is not None:
        print(f"on: {_where(record)[3:]}")
        print(f"log: {manager.log_path(record.id)}")
    if waiting := manager.waiting_for(record):
        print(f"waiting: {waiting}")
    if record.result:
        print("result:")
        print("\n".join(field_lines(record.result, depth=1)))
    if record.error:
        print(f"error: {record.error.get('title')} — {record.error.get('hint')}")
    for event in events[-10:]:
        if event.type != "heartbeat":
            print("  " + describe_event(event))
    return 0


def run_logs(args: argparse.Namespace) -> int:
    """Print events (and follow them)."""
    manager = JobManager()
    record = manager.get(args.job_id)
    offset = 0
    while True:
        record, events, offset = manager.read_new(record.id, offset)
        active = args.follow and record.is_active
        for event in events:
            if event.type == "heartbeat":
                continue
            if args.json:
                print_json({"type": event.type, "time": event.time, **event.data})
            else:
                print(describe_event(event), flush=True)
        if not active:
            break
        time.sleep(0.3)
    if not args.json:
        log = manager.log_path(record.id)
        if log.exists() and log.stat().st_size:
            print(f"(process output: {log})")
    return 0


def run_cancel(args: argparse.Namespace) -> int:
    """Cancel a job."""
    record = JobManager().cancel(args.job_id)
    if args.json:
        print_json({"ok": True, **record.to_dict()})
    else:
        print(f"{record.id} {record.status}")
    return 0


def run_rm(args: argparse.Namespace) -> int:
    """Delete a finished job."""
    JobManager().remove(args.job_id)
    if args.json:
        print_json({"ok": True, "removed": args.job_id})
    else:
        print(f"Removed {args.job_id}.")
    return 0


def run_prune(args: argparse.Namespace) -> int:
    """Delete finished jobs."""
    removed = JobManager().prune()
    if args.json:
        print_json({"ok": True, "removed": removed})
    else:
        print(f"Removed {len(removed)} finished jobs.")
    return 0


def launch_and_report(
    spec: JobSpec,
    args: argparse.Namespace,
    summary: Callable[[JobRecord], dict[str, Any]] | None = None,
    report: Callable[[JobRecord], None] | None = None,
) -> int:
    """Launch; without --wait print the id, with it follow progress and exit with its outcome.

    `summary` adds top-level keys to the final JSON (e.g. a training run's final metrics);
    `report` prints a succeeded job for people (default: its id and result).
    """
    from hf_ecosystem.preflight import check_spec

    manager = JobManager()
    spec = placed(spec, args)
    check_spec(spec, manager.settings)  # a misspelt model or dataset is refused at once
    record = manager.launch(spec)
    if not args.wait:
        if args.json:
            print_json({"ok": True, **record.to_dict()})
        else:
            print(record.id)  # alone on stdout, for `ID=$(hf-tui run …)`
            sys.stderr.write(
                f"Queued as job {record.id}: follow it with `hf-tui jobs logs {record.id} "
                "--follow`, or open hf-tui and press 4 (Jobs).\n"
            )
        return 0
    offset = 0
    while True:
        record, events, offset = manager.read_new(record.id, offset)
        if not args.json:
            for event in events:
                if event.type in ("progress", "log", "error"):
                    sys.stderr.write(describe_event(event) + "\n")
        if not record.is_active:
            break
        time.sleep(0.2)
    if args.json:
        extra = summary(record) if summary is not None else {}
        print_json({"ok": record.status == "succeeded", **record.to_dict(), **extra})
    elif record.status == "succeeded":
        if report is not None:
            report(record)
        else:
            print(f"{record.id} succeeded")
            print("\n".join(field_lines(record.result or {}, depth=1)))
    else:
        error = record.error or {}
        hint = error.get("hint") or f"See `hf-tui jobs logs {record.id}`."
        sys.stderr.write(f"error: job {record.id} {record.status}: {error.get('title', '')}")
        sys.stderr.write(f" — {hint}\n")
    return 0 if record.status == "succeeded" else 1


def run_download(args: argparse.Namespace) -> int:
    """Download as a job."""
    params: dict[str, Any] = {"repo_id": args.repo, "repo_type": args.type}
    if args.revision:
        params["revision"] = args.revision
    if args.files:
        params["files"] = args.files
    return launch_and_report(JobSpec.create("download", **params), args)
