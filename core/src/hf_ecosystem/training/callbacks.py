"""A TrainerCallback that turns Trainer logs into job events (loss, lr, metrics, speed, memory)."""

from __future__ import annotations

import math
import time
from typing import Any

from transformers import TrainerCallback

from hf_ecosystem.jobs.context import JobContext

PROGRESS_EVERY_SECONDS = 0.5


def gpu_memory_mb() -> float | None:
    """Peak GPU memory this process allocated, in MiB (None without CUDA)."""
    import torch

    if not torch.cuda.is_available():
        return None
    return torch.cuda.max_memory_allocated() / 2**20


class JobEventsCallback(TrainerCallback):
    """Progress, metric and checkpoint events for the job; a cancel request stops training."""

    def __init__(self, ctx: JobContext, *, samples_per_step: int, language_model: bool = False):
        self.ctx = ctx
        self.language_model = language_model  # adds eval_perplexity = exp(eval_loss)
        self.samples_per_step = samples_per_step  # batch × accumulation × processes
        self._start_step = 0
        self._start_time = time.monotonic()
        self._last_log: tuple[int, float] | None = None
        self._last_progress = 0.0

    def on_train_begin(self, args: Any, state: Any, control: Any, **kwargs: Any) -> None:
        self._start_step = state.global_step  # > 0 when resumed from a checkpoint
        self._start_time = time.monotonic()
        self._last_log = (state.global_step, self._start_time)
        if state.is_world_process_zero:
            self._progress(state, force=True)

    def on_step_end(self, args: Any, state: Any, control: Any, **kwargs: Any) -> None:
        if self.ctx.cancel.is_set():
            control.should_training_stop = True
        if state.is_world_process_zero:
            self._progress(state)

    def on_train_end(self, args: Any, state: Any, control: Any, **kwargs: Any) -> None:
        if state.is_world_process_zero:
            self._progress(state, force=True)

    def _progress(self, state: Any, *, force: bool = False) -> None:
        now = time.monotonic()
        if not force and now - self._last_progress < PROGRESS_EVERY_SECONDS:
            return
        self._last_progress = now
        done = state.global_step
        total = state.max_steps or None
        steps = done - self._start_step
        rate = steps / max(now - self._start_time, 1e-9)
        eta = (total - done) / rate if total and rate > 0 else None
        self.ctx.events.emit("progress", done=done, total=total, unit="steps", rate=rate, eta=eta)

    def on_log(
        self, args: Any, state: Any, control: Any, logs: dict[str, Any] | None = None, **kw: Any
    ) -> None:
        if not state.is_world_process_zero or not logs:
            return
        values: dict[str, float] = {}
        for name, value in logs.items():
            number = isinstance(value, int | float) and not isinstance(value, bool)
            if number and math.isfinite(float(value)):
                values[name] = float(value)
        if "loss" in values and self._last_log is not None:
            step0, t0 = self._last_log
            now = time.monotonic()
            if state.global_step > step0:
                values["samples_per_second"] = (
                    (state.global_step - step0) * self.samples_per_step / max(now - t0, 1e-9)
                )
            self._last_log = (state.global_step, now)
        if self.language_model and "eval_loss" in values and values["eval_loss"] < 700:
            values["eval_perplexity"] = math.exp(values["eval_loss"])
        memory = gpu_memory_mb()
        if memory is not None:
            values["gpu_memory_mb"] = memory
        values.pop("epoch", None)
        self.ctx.metric(step=state.global_step, epoch=state.epoch or 0.0, **values)

    def on_save(self, args: Any, state: Any, control: Any, **kwargs: Any) -> None:
        if state.is_world_process_zero:
            path = f"{args.output_dir}/checkpoint-{state.global_step}"
            self.ctx.artifact(path, kind="checkpoint")
