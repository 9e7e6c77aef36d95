"""Inference job handlers: one input (`inference`) or a file of them (`batch-inference`)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from hf_ecosystem.inference.results import BatchResult, InferenceResult
from hf_ecosystem.jobs.context import JobContext
from hf_ecosystem.paths import user_path


def resolve_model(model: str, ctx: JobContext) -> str:
    """What from_pretrained takes for `model`: a folder, a local-hub repo's folder, else the id."""
    from hf_ecosystem.hub.reference import resolve_reference

    return resolve_reference(model, "model", ctx.settings).location


def parse_input(task: str, raw: str) -> Any:
    """A structured task's input from its JSON text (labels may be a comma-separated string)."""
    import json

    from hf_ecosystem.inference.errors import BadInputError
    from hf_ecosystem.inference.inputs import as_dict
    from hf_ecosystem.inference.registry import get_task

    spec = get_task(task)
    if len(spec.input_fields) == 1:
        return raw
    try:
        value = json.loads(raw)
    except ValueError as exc:
        fields = ", ".join(f'"{f}": …' for f in spec.input_fields)
        raise BadInputError(
            f"{task} needs a JSON object as input", f"For example {{{fields}}}."
        ) from exc
    fields = as_dict(value)
    if fields is None or set(spec.input_fields) - set(fields):
        missing = ", ".join(sorted(set(spec.input_fields) - set(fields or {})))
        raise BadInputError(
            f"{task} input lacks: {missing}", f"Fields: {', '.join(spec.input_fields)}."
        )
    labels = fields.get("labels")
    if isinstance(labels, str):
        fields["labels"] = [x.strip() for x in labels.split(",") if x.strip()]
    return fields


def run_inference_job(ctx: JobContext) -> InferenceResult:
    """Load the model, run one input, report the result (tokens stream as log events)."""
    from hf_ecosystem.inference.pipelines import create_pipeline

    p = ctx.spec.params
    model = resolve_model(p["model"], ctx)
    ctx.log(f"loading {p['model']} for {p['task']}")
    predictor = create_pipeline(
        p["task"],
        model,
        device=p.get("device"),
        dtype=p.get("dtype"),
        trust_remote_code=p.get("trust_remote_code", False),  # only when the user said so
        allow_pickle=p.get("allow_pickle", False),
    )
    ctx.log(f"loaded on {predictor.device} ({predictor.dtype})")
    ctx.check_cancelled()
    options: dict[str, Any] = {}
    if p["task"] == "text-generation":

        def stream(token: str) -> None:
            ctx.events.emit("log", level="token", message=token)

        options["stream"] = stream
    output = predictor(parse_input(p["task"], p["input"]), **options)
    return InferenceResult(
        task=predictor.task,
        model=predictor.model,
        output=output,
        device=predictor.device,
        dtype=predictor.dtype,
    )


def run_batch_job(ctx: JobContext) -> BatchResult:
    """Batched inference with progress; resumes a partly written output."""
    from hf_ecosystem.inference.batch import run_batch

    p = ctx.spec.params
    result = run_batch(
        p["task"],
        resolve_model(p["model"], ctx),
        Path(p["input"]),
        user_path(p["output"]).resolve(),
        column=p.get("column"),
        batch_size=p.get("batch_size", 32),
        device=p.get("device"),
        dtype=p.get("dtype"),
        progress=lambda done, total: ctx.progress(done, total, unit="rows"),
        cancel=ctx.cancel,
    )
    ctx.artifact(result.output, kind="predictions")
    return result
