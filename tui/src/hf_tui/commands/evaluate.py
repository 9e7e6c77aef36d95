"""`hf-tui run evaluate`: evaluation as a background job."""

from __future__ import annotations

import argparse
from typing import Any

from hf_ecosystem.jobs.manager import JobManager
from hf_ecosystem.jobs.spec import JobSpec
from hf_ecosystem.jobs.store import JobRecord
from hf_tui.commands import common_options
from hf_tui.commands.jobs import add_wait, launch_and_report
from hf_tui.output import print_table

# Options that default to the run's training config when --run is given.
_FROM_RUN = ("dataset", "dataset_config", "text_column", "label_column", "target_column")


def add_run_parsers(actions: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Register `run evaluate`."""
    p = actions.add_parser(
        "evaluate",
        parents=[common_options()],
        help="evaluate a model (or a training run's model) on a dataset",
        description="Metrics by task: text-classification (accuracy, precision/recall/F1, "
        "confusion matrix, errors), seq2seq (ROUGE, BLEU, chrF), causal-lm (perplexity).",
    )
    p.add_argument("--model", help="model folder or repo id (default with --run: its final model)")
    p.add_argument("--run", help="a training run's job id: its model, data and run folder")
    p.add_argument("--dataset", help="repo id, file or folder (default with --run: its dataset)")
    p.add_argument("--task", help="text-classification, seq2seq or causal-lm")
    p.add_argument("--dataset-config", help="the dataset's config name")
    p.add_argument("--split", help="default: test, else validation, else train")
    p.add_argument("--text-column", help="input text (default: text)")
    p.add_argument("--label-column", help="class label, for classification (default: label)")
    p.add_argument("--target-column", help="reference output, for seq2seq (e.g. summary)")
    p.add_argument("--source-lang", help="seq2seq translation: source language code (e.g. en)")
    p.add_argument("--target-lang", help="seq2seq translation: target language code (e.g. de)")
    p.add_argument("--max-samples", type=int, help="evaluate the first N rows only")
    p.add_argument("--batch-size", type=int)
    p.add_argument("--max-length", type=int, help="input tokens; perplexity window; seq2seq output")
    p.add_argument("--stride", type=int, help="perplexity window step (default 512)")
    p.add_argument("--confidence", type=float, help="ROUGE bootstrap level (default 0.95)")
    p.add_argument("--device", help="cuda, mps or cpu (default: the best available)")
    add_wait(p)
    p.set_defaults(handler=run_evaluate)


def evaluate_spec(args: argparse.Namespace, manager: JobManager | None = None) -> JobSpec:
    """The job spec from the options, with --run filling in what was not given."""
    from hf_ecosystem.evaluation.analysis import EvaluationError, normalize_task

    values: dict[str, Any] = {name: getattr(args, name, None) for name in _FROM_RUN}
    model, task, split = args.model, args.task, args.split
    if args.run:
        from hf_ecosystem.training.runs import get_run

        run = get_run(manager or JobManager(), args.run)
        args.run = run.record.id
        if model is None:
            model = run.history.model_dir
            if model is None:
                raise EvaluationError(
                    f"Run {run.record.id} has no final model ({run.record.status})",
                    "Wait for it to finish, or pass --model (a checkpoint folder).",
                )
        for name in _FROM_RUN:
            if values[name] is None:
                values[name] = run.config.get(name)
        task = task or run.config.get("task")
        split = split or run.config.get("eval_split")
    for name, given in (("--model", model), ("--dataset", values["dataset"]), ("--task", task)):
        if not given:
            raise EvaluationError(f"{name} is required", "Give it, or --run with a training run.")
    return JobSpec.create(
        "evaluate",
        model=model,
        task=normalize_task(str(task)),
        split=split,
        max_samples=args.max_samples,
        batch_size=args.batch_size,
        max_length=args.max_length,
        stride=args.stride,
        confidence=args.confidence,
        run=args.run,
        device=args.device,
        src_lang=args.source_lang,
        tgt_lang=args.target_lang,
        **values,
    )


def _metrics(record: JobRecord) -> dict[str, Any]:
    """The final metrics at the top of the JSON output."""
    return {"metrics": (record.result or {}).get("metrics", {})}


def _report(record: JobRecord) -> None:
    """A succeeded evaluation for people: its metrics as a table and where the files are."""
    result = record.result or {}
    metrics: dict[str, float] = result.get("metrics", {})
    print(f"{record.id} succeeded · {result.get('samples')} examples of {result.get('split')}")
    print_table(["metric", "value"], [[k, f"{v:.4f}"] for k, v in metrics.items()])
    print(f"files: {result.get('output_dir')}")


def run_evaluate(args: argparse.Namespace) -> int:
    """Launch an evaluation; with --wait, its metrics as a table (or JSON with --json)."""
    spec = evaluate_spec(args, JobManager())
    return launch_and_report(spec, args, summary=_metrics, report=_report)
