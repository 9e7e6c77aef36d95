"""How an evaluation is built from a training run: one answer for the CLI and the Runs screen.

Light at import (the TUI process calls it): no torch, datasets or evaluate.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from hf_ecosystem.evaluation.analysis import normalize_task
from hf_ecosystem.evaluation.base import EvaluationError
from hf_ecosystem.training.runs import RunSummary

# Evaluate options that default to the run's training config.
FROM_RUN = ("dataset", "dataset_config", "text_column", "label_column", "target_column")


def evaluate_params(options: Mapping[str, Any], run: RunSummary | None = None) -> dict[str, Any]:
    """The evaluate job's parameters: `options` as given, a run filling in what they leave out.

    From a run: its final model, its dataset and columns, its task and its evaluation split.
    The task is normalised (aliases such as summarization name their evaluation task);
    EvaluationError when the model, the dataset or the task is still missing.
    """
    params = dict(options)
    if run is not None:
        params["run"] = run.record.id
        if params.get("model") is None:
            if run.model_dir is None:
                raise EvaluationError(
                    f"Run {run.record.id} has no final model ({run.record.status})",
                    "Wait for it to finish, or pass --model (a checkpoint folder).",
                )
            params["model"] = str(run.model_dir)
        for name in FROM_RUN:
            if params.get(name) is None:
                params[name] = run.config.get(name) or None
        params["task"] = params.get("task") or run.config.get("task")
        params["split"] = params.get("split") or run.config.get("eval_split")
    for name, flag in (("model", "--model"), ("dataset", "--dataset"), ("task", "--task")):
        if not params.get(name):
            raise EvaluationError(f"{flag} is required", "Give it, or --run with a training run.")
    params["task"] = normalize_task(str(params["task"]))
    return params
