"""The Predictor: a model loaded for one task, called on one input or a list; plain results."""

from __future__ import annotations

import logging
from collections.abc import Callable, Generator
from typing import Any, Protocol, TypeVar, cast

from hf_ecosystem.errors import HfEcoError
from hf_ecosystem.inference.errors import InferenceError
from hf_ecosystem.inference.loading import (
    as_inference_error,
    free_accelerator_memory,
    is_out_of_memory,
)
from hf_ecosystem.inference.registry import TaskSpec

log = logging.getLogger(__name__)
T = TypeVar("T")


class Runner(Protocol):
    """What a task's implementation offers: run a batch of inputs to plain results."""

    # Each task takes its own keyword options, so the signature is left open.
    @property
    def run(self) -> Callable[..., list[Any]]:
        """Called as run(items, **options): one plain result per input."""
        ...


Loader = Callable[[str, Any], Runner]


class Predictor:
    """A model loaded for one task; call it on one input or a list of inputs.

    A list is a batch (one result per item); anything else is one input. Results are plain
    Python data in the task's output shape (see `TaskSpec.output_shape`).
    """

    def __init__(
        self,
        spec: TaskSpec,
        model: str,
        runner: Runner,
        *,
        device: str,
        dtype: str,
        load: Loader,
        retry_on_cpu: bool = False,
    ) -> None:
        self.spec = spec
        self.model = model
        self.device = device
        self.dtype = dtype
        self.retry_on_cpu = retry_on_cpu
        self._runner = runner
        self._load = load

    @property
    def task(self) -> str:
        """The task name."""
        return self.spec.name

    def __repr__(self) -> str:
        where = f"device={self.device!r}, dtype={self.dtype!r}"
        return f"Predictor({self.task!r}, {self.model!r}, {where})"

    def to_dict(self) -> dict[str, str]:
        """Plain description for job events and the UI."""
        return {"task": self.task, "model": self.model, "device": self.device, "dtype": self.dtype}

    def __call__(self, inputs: Any, **options: Any) -> Any:
        """The result for one input, or a list of results for a list of inputs."""
        batch = isinstance(inputs, list)
        items: list[Any] = list(cast("list[Any]", inputs)) if batch else [inputs]
        if not items:
            return []
        results = self._guarded(lambda runner: runner.run(items, **options))
        return results if batch else results[0]

    def stream(self, prompt: str, **options: Any) -> Generator[str, None, None]:
        """Text pieces as the model generates them (text-generation only)."""
        stream = getattr(self._runner, "stream", None)
        if stream is None:
            raise InferenceError(f"{self.task} cannot stream", "Only text-generation streams.")
        try:
            yield from stream(prompt, **options)
        except HfEcoError:
            raise
        except Exception as exc:
            raise as_inference_error(exc, f"{self.task} failed") from exc

    def similarity(self, a: str, b: str) -> float:
        """Cosine similarity of two texts' mean-pooled embeddings (embedding tasks only)."""
        if self.spec.output_kind not in {"embedding", "similarity"}:
            raise InferenceError(
                f"{self.task} has no similarity", "Use feature-extraction or sentence-similarity."
            )
        return self._guarded(lambda runner: runner.run([(a, b)])[0]["score"])

    def _guarded(self, call: Callable[[Runner], T]) -> T:
        try:
            return call(self._runner)
        except HfEcoError:
            raise
        except Exception as exc:
            if not (is_out_of_memory(exc) and self.retry_on_cpu and self.device != "cpu"):
                raise as_inference_error(exc, f"{self.task} failed on {self.model}") from exc
            self._fall_back_to_cpu()
        try:
            return call(self._runner)
        except HfEcoError:
            raise
        except Exception as exc:
            raise as_inference_error(exc, f"{self.task} failed on {self.model}") from exc

    def _fall_back_to_cpu(self) -> None:
        log.warning("out of memory on %s; reloading %s on the CPU", self.device, self.model)
        # Drop the GPU copy first so its memory is free while the CPU copy loads.
        self._runner = _Unloaded()
        free_accelerator_memory()
        self._runner = self._load("cpu", "fp32")
        self.device, self.dtype = "cpu", "fp32"


class _Unloaded:
    """Stands in while a model is being moved between devices."""

    def run(self, items: list[Any], **options: Any) -> list[Any]:
        raise InferenceError("The model is not loaded", "Create the pipeline again.")
