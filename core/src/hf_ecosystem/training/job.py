"""The `train` job: fine-tune as a background job, with events, checkpoints, resume, TensorBoard.

With more than one visible GPU (or HFTUI_TRAIN_PROCESSES > 1) the same training code runs in
several processes under `accelerate launch` (torchrun on a CPU-only box); rank 0 reports.
"""

from __future__ import annotations

import json
import math
import os
import subprocess
from dataclasses import replace
from pathlib import Path
from typing import Any

from hf_ecosystem.jobs.context import JobCancelled, JobContext
from hf_ecosystem.jobs.nodes import Nodes, nodes_from_env
from hf_ecosystem.jobs.params import JobSpecError
from hf_ecosystem.paths import user_path
from hf_ecosystem.training.launch import launch_command
from hf_ecosystem.training.results import TrainResult
from hf_ecosystem.training.runs import (
    RunError,
    checkpoints,
    default_run_dir,
    final_model_dir,
    last_complete_checkpoint,
)
from hf_ecosystem.training.spec import TrainSpec

RESULT_FILE = "train_result.json"


def check_config(name: str, value: Any) -> dict[str, Any]:
    """The `config` parameter of a train job: a TrainSpec as plain data (JobSpecError if not)."""
    if not isinstance(value, dict):
        raise JobSpecError(f"Invalid job: {name!r} must be a mapping of training fields")
    spec = TrainSpec.parse(value)  # pyright: ignore[reportUnknownArgumentType]
    if spec.output_dir and (out := user_path(spec.output_dir)).exists() and not out.is_dir():
        raise JobSpecError(
            f"Invalid training config: 'output_dir' {str(out)!r} is a file, not a folder",
            "Give a folder for the run (it is created if missing).",
        )
    return spec.to_dict()


def run_dir_for(ctx: JobContext, spec: TrainSpec) -> Path:
    """The run's folder: the config's output_dir, else $HFTUI_HOME/runs/<job id>."""
    if spec.output_dir:
        return user_path(spec.output_dir).resolve()
    return default_run_dir(ctx.settings, ctx.job_id)


def run_train_job(ctx: JobContext) -> TrainResult:
    """Handler of job kind `train`."""
    spec = TrainSpec.parse(ctx.spec.params["config"])
    run_dir = run_dir_for(ctx, spec)
    resume = bool(ctx.spec.params.get("resume_from"))
    existing = checkpoints(run_dir)
    complete = last_complete_checkpoint(run_dir)
    if resume and complete is None:
        raise RunError(
            f"Nothing to resume: no complete checkpoint in {run_dir}",
            "Start the run again instead.",
        )
    if not resume and existing:
        raise RunError(
            f"{run_dir} already holds checkpoints of another run",
            "Resume that run (`hf-tui run train --resume ID`) or choose another output_dir.",
        )
    run_dir.mkdir(parents=True, exist_ok=True)
    ctx.artifact(run_dir, kind="run-dir")
    if complete is not None and resume:
        ctx.log(f"resuming from {complete.name}")
        # Where this run's curves take over from the earlier run's (see runs.earlier_events).
        ctx.artifact(complete, kind="resumed-from")
    checkpoint = complete if resume else None
    processes, nodes = _process_count(), nodes_from_env()
    if (processes > 1 or nodes is not None) and "WORLD_SIZE" not in os.environ:
        return _run_distributed(ctx, run_dir, processes, checkpoint, nodes)
    return train(ctx, spec, run_dir, checkpoint=checkpoint)


def run_train_node(ctx: JobContext) -> int:
    """Node handler of kind `train`, on every node of a multi-node run but the first (whose
    worker runs `run_train_job`): this node's training processes, built the same way."""
    nodes = nodes_from_env()
    if nodes is None or nodes.rank == 0:
        return 0  # one machine: the worker does it all
    spec = TrainSpec.parse(ctx.spec.params["config"])
    run_dir = run_dir_for(ctx, spec)
    resume = bool(ctx.spec.params.get("resume_from"))
    checkpoint = last_complete_checkpoint(run_dir) if resume else None
    from hf_ecosystem.training.trainer import cuda_available

    command = launch_command(ctx.job_id, run_dir, checkpoint, _process_count(),
                             cuda=cuda_available(), nodes=nodes)  # fmt: skip
    return subprocess.call(command, stdin=subprocess.DEVNULL)


def _process_count() -> int:
    override = os.environ.get("HFTUI_TRAIN_PROCESSES")
    if override:
        try:
            return max(1, int(override))
        except ValueError:
            return 1
    import torch  # this is a job process: torch is fine here, and it honours CUDA_VISIBLE_DEVICES

    return max(1, torch.cuda.device_count())


def is_main_process() -> bool:
    """Rank 0 (or not distributed)."""
    return int(os.environ.get("RANK", "0")) == 0


def train(
    ctx: JobContext, spec: TrainSpec, run_dir: Path, *, checkpoint: Path | None = None
) -> TrainResult:
    """Fine-tune in this process; returns the job's result."""
    from hf_ecosystem.training.callbacks import JobEventsCallback
    from hf_ecosystem.training.trainer import create_trainer

    main = is_main_process()

    def log(message: str) -> None:
        if main:
            ctx.log(message)

    world = int(os.environ.get("WORLD_SIZE", "1"))
    callback = JobEventsCallback(
        ctx,
        samples_per_step=spec.batch_size * spec.gradient_accumulation_steps * world,
        language_model=spec.task in ("causal-lm", "seq2seq"),
    )
    bundle = create_trainer(
        spec, output_dir=run_dir, callbacks=[callback], settings=ctx.settings, log=log
    )
    trainer = bundle.trainer
    log(f"model {bundle.model_path} · {bundle.precision}" + (" · LoRA" if bundle.lora else ""))
    ctx.check_cancelled()
    output = trainer.train(resume_from_checkpoint=str(checkpoint) if checkpoint else None)
    if ctx.cancel.is_set():
        raise JobCancelled()
    metrics: dict[str, float] = {}
    if bundle.data.eval is not None:
        metrics = _numbers(trainer.evaluate())
        if spec.task in ("causal-lm", "seq2seq") and "eval_loss" in metrics:
            metrics["eval_perplexity"] = math.exp(min(metrics["eval_loss"], 700.0))
        if main:
            final = {k: v for k, v in metrics.items() if k != "epoch"}
            ctx.metric(step=trainer.state.global_step, epoch=trainer.state.epoch or 0.0, **final)
    train_metrics = _numbers(output.metrics)
    result = TrainResult(
        output_dir=str(run_dir),
        metrics=metrics,
        train_metrics=train_metrics,
        global_step=trainer.state.global_step,
        best_checkpoint=trainer.state.best_model_checkpoint,
        labels=tuple(bundle.data.labels),
        precision=bundle.precision,
    )
    if main:
        continuation = bool(ctx.spec.params.get("resume_from"))
        folder = final_model_dir(run_dir, ctx.job_id, continuation=continuation)
        model_dir = save_model(bundle, folder)
        ctx.artifact(model_dir, kind="model")
        board: Path | None = None
        if "tensorboard" in spec.report_to:
            board = record_hparams(spec, run_dir / "tensorboard", {**metrics, **train_metrics})
            ctx.artifact(board, kind="tensorboard")
        result = replace(
            result, model_dir=str(model_dir), tensorboard=str(board) if board else None
        )
        text = json.dumps(result.to_dict(), indent=2)
        (run_dir / RESULT_FILE).write_text(text, encoding="utf-8")
    return result


def _numbers(values: dict[str, Any]) -> dict[str, float]:
    return {
        k: float(v)
        for k, v in values.items()
        if isinstance(v, int | float) and not isinstance(v, bool) and math.isfinite(float(v))
    }


def save_model(bundle: Any, folder: Path) -> Path:
    """The final model (LoRA merged in) with its tokenizer: loadable by plain transformers."""
    model = bundle.trainer.model
    if bundle.spec.quantization is not None:  # quantised weights cannot be merged into
        model = merged_model(bundle, folder.parent / f"{folder.name}-adapters")
    elif bundle.lora:
        model = model.merge_and_unload()
    folder.mkdir(parents=True, exist_ok=True)
    model.save_pretrained(folder)
    tokenizer = bundle.trainer.processing_class
    if tokenizer is not None:
        tokenizer.save_pretrained(folder)
    return folder


def merged_model(bundle: Any, adapters: Path) -> Any:
    """The trained adapters (saved to `adapters`) merged into the base reloaded in fp32."""
    from peft import PeftModel

    from hf_ecosystem.inference.weights import load_kwargs
    from hf_ecosystem.training.trainer import head_kwargs, model_class

    bundle.trainer.model.save_pretrained(adapters)  # the adapters and the new head only
    kwargs = head_kwargs(bundle.spec, bundle.data) | load_kwargs(bundle.model_path)
    base = model_class(bundle.spec.task).from_pretrained(bundle.model_path, **kwargs)
    load: Any = PeftModel.from_pretrained  # pyright: ignore[reportUnknownMemberType, reportUnknownVariableType]
    return load(base, adapters).merge_and_unload()


def record_hparams(spec: TrainSpec, logdir: Path, metrics: dict[str, float]) -> Path:
    """The run's hyperparameters and final metrics in TensorBoard's HPARAMS tab."""
    from torch.utils.tensorboard import SummaryWriter

    hparams: dict[str, Any] = {}
    for name, value in spec.to_dict().items():
        if isinstance(value, bool | int | float | str):
            hparams[name] = value
        elif value is not None:
            hparams[name] = json.dumps(value)
    logdir.mkdir(parents=True, exist_ok=True)
    with SummaryWriter(log_dir=str(logdir)) as writer:
        scalars = {f"hparam/{k}": v for k, v in metrics.items()}
        writer.add_hparams(hparams, scalars, run_name=".")  # pyright: ignore[reportUnknownMemberType]
    return logdir


def _run_distributed(
    ctx: JobContext, run_dir: Path, processes: int, checkpoint: Path | None, nodes: Nodes | None
) -> TrainResult:
    """The same training code in `processes` processes (per node, on several nodes); this one
    waits and relays a cancel."""
    from hf_ecosystem.training.trainer import cuda_available

    command = launch_command(ctx.job_id, run_dir, checkpoint, processes, cuda=cuda_available(),
                             nodes=nodes)  # fmt: skip
    if nodes is not None:
        ctx.log(f"training on {nodes.count} nodes (rank 0 at {nodes.master}:{nodes.port})")
    ctx.log(f"training in {processes} processes" + (" per node" if nodes else ""))
    result_file = run_dir / RESULT_FILE
    result_file.unlink(missing_ok=True)
    child = subprocess.Popen(command, stdin=subprocess.DEVNULL)
    try:
        code = child.wait()
    except JobCancelled:
        child.terminate()
        child.wait(timeout=30)
        raise
    if code != 0 or not result_file.is_file():
        from hf_ecosystem.training.errors import TrainingError

        raise TrainingError(
            f"Distributed training exited with code {code}",
            "The job's log (`hf-tui jobs logs ID`) has each process's output.",
        )
    return TrainResult.from_dict(json.loads(result_file.read_text(encoding="utf-8")))
