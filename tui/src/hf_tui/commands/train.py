"""`hf-tui run train` and `hf-tui runs list|show|compare`: fine-tuning as background jobs."""

from __future__ import annotations

import argparse
from typing import Any

from hf_ecosystem.jobs.manager import JobManager
from hf_ecosystem.jobs.results import result_as
from hf_ecosystem.jobs.spec import JobSpec
from hf_ecosystem.jobs.store import JobRecord
from hf_ecosystem.training.results import TrainResult
from hf_tui.commands import add_gpus, add_placement, common_options
from hf_tui.commands.jobs import LIST_LEAD, LIST_TAIL, add_wait, job_age, launch_and_report
from hf_tui.output import print_json, print_table


def add_run_parsers(actions: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Register `run train`."""
    train = actions.add_parser(
        "train",
        parents=[common_options()],
        help="fine-tune a model (a YAML config, or resume a run)",
        description="Fine-tune with the transformers Trainer as a background job. The config is "
        "YAML with at least model, dataset and task; see README for every field.",
    )
    source = train.add_mutually_exclusive_group(required=True)
    source.add_argument("--config", metavar="FILE", help="training config (YAML)")
    source.add_argument(
        "--resume", metavar="JOB_ID", help="continue a killed or cancelled run from its checkpoint"
    )
    train.add_argument(
        "--set",
        action="append",
        default=[],
        metavar="KEY=VALUE",
        help="override one config field (YAML value), e.g. --set max_steps=50 (repeat)",
    )
    add_gpus(train)
    add_placement(train)
    add_wait(train)
    train.set_defaults(handler=run_train)


def add_parsers(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Register `runs`."""
    group = sub.add_parser("runs", help="training runs: list, show, compare")
    actions = group.add_subparsers(dest="action", required=True, metavar="ACTION")
    ls = actions.add_parser("list", parents=[common_options()], help="every run, newest first")
    ls.set_defaults(handler=run_list)
    show = actions.add_parser("show", parents=[common_options()], help="one run in full")
    show.add_argument("job_id", metavar="ID")
    show.set_defaults(handler=run_show)
    compare = actions.add_parser(
        "compare", parents=[common_options()], help="hyperparameters and final metrics side by side"
    )
    compare.add_argument("job_ids", metavar="ID", nargs="+")
    compare.set_defaults(handler=run_compare)


def _overrides(pairs: list[str]) -> dict[str, Any]:
    import yaml

    from hf_ecosystem.safe_yaml import YamlRefused, load_yaml
    from hf_ecosystem.training.spec import TrainSpecError

    out: dict[str, Any] = {}
    for pair in pairs:
        key, sep, raw = pair.partition("=")
        if not sep or not key.strip():
            raise TrainSpecError(f"Invalid --set {pair!r}", "Use --set KEY=VALUE.")
        try:
            out[key.strip()] = load_yaml(raw)
        except YamlRefused as exc:
            raise TrainSpecError(f"Invalid --set {key.strip()}: {exc}") from None
        except yaml.YAMLError:
            out[key.strip()] = raw
    return out


def _final_metrics(record: JobRecord) -> dict[str, Any]:
    result = result_as(record, TrainResult)
    if result is None:
        return {"metrics": {}, "model_dir": None}
    return {"metrics": dict(result.metrics), "model_dir": result.model_dir}


def run_train(args: argparse.Namespace) -> int:
    """Launch a fine-tune (or resume one)."""
    from hf_ecosystem.training.runs import resume_spec
    from hf_ecosystem.training.spec import TrainSpec

    manager = JobManager()
    if args.resume:
        spec = resume_spec(manager, args.resume)
        if args.set or args.gpus is not None:
            config = {**spec.params["config"], **_overrides(args.set)}
            spec = JobSpec.create(
                "train", config=config, resume_from=spec.params["resume_from"], gpus=args.gpus
            )
    else:
        train_spec = TrainSpec.from_yaml(args.config)
        if args.set:
            train_spec = TrainSpec.parse({**train_spec.to_dict(), **_overrides(args.set)})
        spec = JobSpec.create("train", config=train_spec.to_dict(), gpus=args.gpus)
        spec = _placed_by_file(spec, args)
    return launch_and_report(spec, args, summary=_final_metrics)


def _placed_by_file(spec: JobSpec, args: argparse.Namespace) -> JobSpec:
    """`on: slurm` and `slurm:` options in the config file (the command line's flags beat them)."""
    from hf_ecosystem.jobs.slurm import place
    from hf_ecosystem.training.spec import yaml_placement

    on, options = yaml_placement(args.config)
    if args.on == "local" or (on is None and not options):
        return spec
    return place(spec, args.on or on or "slurm", **options)


def _headline(metrics: dict[str, float]) -> str:
    for name in ("eval_accuracy", "eval_f1_macro", "eval_perplexity", "eval_loss", "train_loss"):
        if name in metrics:
            return f"{name.removeprefix('eval_')} {metrics[name]:.4g}"
    return "—"


def run_list(args: argparse.Namespace) -> int:
    """Every training run."""
    from hf_ecosystem.training.runs import list_runs

    runs = list_runs(JobManager())
    if args.json:
        print_json([r.to_dict() for r in runs])
        return 0
    rows = []
    for run in runs:
        progress = run.history.progress
        steps = f"{progress[0]:.0f}/{progress[1] or '?'}" if progress else "—"
        rows.append(
            [
                run.record.id,
                run.record.status,
                str(run.config.get("task", "")),
                str(run.config.get("model", ""))[-40:],
                str(run.config.get("dataset", ""))[-30:],
                steps,
                _headline(run.metrics),
                job_age(run.record),
            ]
        )
    columns = ("task", "model", "dataset", "steps", "result")
    print_table([*LIST_LEAD, *columns, *LIST_TAIL], rows)
    return 0


def run_show(args: argparse.Namespace) -> int:
    """One run: config, final metrics, folders."""
    from hf_ecosystem.training.runs import get_run

    run = get_run(JobManager(), args.job_id)
    if args.json:
        print_json(run.to_dict())
        return 0
    print(f"{run.record.id} · {run.record.status}")
    for key, value in run.config.items():
        if value is not None:
            print(f"  {key}: {value}")
    for name, value in run.metrics.items():
        print(f"  {name} = {value:.6g}")
    for label, path in (("run dir", run.history.run_dir), ("model", run.model_dir)):
        if path:
            print(f"  {label}: {path}")
    return 0


def run_compare(args: argparse.Namespace) -> int:
    """Runs side by side."""
    from hf_ecosystem.training.runs import compare_rows, get_run

    manager = JobManager()
    runs = [get_run(manager, job_id) for job_id in args.job_ids]
    header, rows = compare_rows(runs)
    if args.json:
        print_json({"runs": [r.to_dict() for r in runs], "header": header, "rows": rows})
        return 0
    print_table(header, rows)
    return 0
