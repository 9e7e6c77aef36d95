"""`hf-tui run evaluate`: evaluation as a background job."""

from __future__ import annotations

import argparse
from typing import Any

from hf_ecosystem.evaluation.results import EvaluationResult
from hf_ecosystem.jobs.manager import JobManager
from hf_ecosystem.jobs.results import result_as
from hf_ecosystem.jobs.spec import JobSpec
from hf_ecosystem.jobs.store import JobRecord
from hf_tui.commands import add_gpus, add_placement, common_options
from hf_tui.commands.jobs import add_wait, launch_and_report
from hf_tui.output import print_table


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
    add_gpus(p)
    add_placement(p)
    add_wait(p)
    p.set_defaults(handler=run_evaluate)


def evaluate_spec(args: argparse.Namespace, manager: JobManager | None = None) -> JobSpec:
    """The job spec from the options, with --run filling in what was not given."""
    from hf_ecosystem.evaluation.from_run import FROM_RUN, evaluate_params

    options: dict[str, Any] = {name: getattr(args, name, None) for name in FROM_RUN}
    options.update(
        model=args.model,
        task=args.task,
        split=args.split,
        max_samples=args.max_samples,
        batch_size=args.batch_size,
        max_length=args.max_length,
        stride=args.stride,
        confidence=args.confidence,
        device=args.device,
        src_lang=args.source_lang,
        tgt_lang=args.target_lang,
    )
    run = None
    if args.run:
        from hf_ecosystem.training.runs import get_run

        run = get_run(manager or JobManager(), args.run)
    return JobSpec.create(
        "evaluate", **evaluate_params(options, run), gpus=getattr(args, "gpus", None)
    )


def _metrics(record: JobRecord) -> dict[str, Any]:
    """The final metrics at the top of the JSON output."""
    result = result_as(record, EvaluationResult)
    return {"metrics": dict(result.metrics) if result is not None else {}}


def _report(record: JobRecord) -> None:
    """A succeeded evaluation for people: its metrics as a table and where the files are."""
    result = result_as(record, EvaluationResult) or EvaluationResult()
    print(f"{record.id} succeeded · {result.samples} examples of {result.split}")
    print_table(["metric", "value"], [[k, f"{v:.4f}"] for k, v in result.metrics.items()])
    print(f"files: {result.output_dir}")


def run_evaluate(args: argparse.Namespace) -> int:
    """Launch an evaluation; with --wait, its metrics as a table (or JSON with --json)."""
    spec = evaluate_spec(args, JobManager())
    return launch_and_report(spec, args, summary=_metrics, report=_report)
