"""The warm worker's models: each loaded once and kept while the bounds allow (at most N models,
M GiB of weights); the least recently used one goes first."""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from hf_ecosystem.config import Settings
from hf_ecosystem.errors import HfEcoError
from hf_ecosystem.inference.results import InferenceResult
from hf_ecosystem.inference.warm_protocol import (
    AnsweredBy,
    ModelNotWarmError,
    WarmAnswer,
    WarmRequest,
    model_key,
)

GIB = 1024**3


@dataclass(slots=True)
class _Loaded:
    predictor: Any  # a Predictor (torch lives behind it)
    size: int  # bytes of its weights, as stored


def weights_size(location: str) -> int:
    """Bytes of a model's weight files (safetensors, else pickle); 0 when they cannot be seen."""
    from hf_ecosystem.inference.weights import model_files, weights_bytes

    files = model_files(location)
    return weights_bytes(files, True) or weights_bytes(files, False)


class ModelPool:
    """Loaded models by key, least recently used first; one request runs at a time."""

    def __init__(self, settings: Settings, log: Callable[[str], None] = lambda _: None) -> None:
        self.settings = settings
        self.max_models = max(1, settings.warm_models)
        self.max_bytes = int(settings.warm_gib * GIB)
        self._log = log
        self._models: OrderedDict[str, _Loaded] = OrderedDict()
        self._lock = threading.Lock()

    def loaded(self) -> tuple[str, ...]:
        """The loaded models' keys, least recently used first."""
        return tuple(self._models)

    @property
    def total_bytes(self) -> int:
        """Bytes of every loaded model's weights."""
        return sum(m.size for m in self._models.values())

    def run(
        self, request: WarmRequest, on_token: Callable[[str], None] | None = None
    ) -> WarmAnswer:
        """Run one input on its model, loading it first if needed; a failure is in the answer."""
        with self._lock:
            start = time.perf_counter()
            path: AnsweredBy = "cold"
            try:
                location = self._location(request.model)
                key = model_key(request, location)
                loaded = self._models.get(key)
                if loaded is not None:
                    path = "warm"
                elif not request.load:
                    raise ModelNotWarmError(f"{request.model} is not loaded in the warm worker")
                else:
                    loaded = self._load(request, location, key)
                self._models.move_to_end(key)
                load_seconds = time.perf_counter() - start
                result = self._compute(loaded.predictor, request, on_token)
            except HfEcoError as exc:
                return WarmAnswer(path, error=exc.to_dict(), models=self.loaded())
            compute_seconds = time.perf_counter() - start - load_seconds
            if loaded.size > self.max_bytes:
                self._evict(key, f"larger than HFTUI_WARM_GIB={self.settings.warm_gib:g}")
            return WarmAnswer(path, result, None, load_seconds, compute_seconds, self.loaded())

    def clear(self) -> None:
        """Drop every model."""
        with self._lock:
            for key in list(self._models):
                self._evict(key, "the worker stops")

    def _location(self, model: str) -> str:
        from hf_ecosystem.hub.reference import resolve_reference

        return resolve_reference(model, "model", self.settings).location

    def _load(self, request: WarmRequest, location: str, key: str) -> _Loaded:
        from hf_ecosystem.inference.loading import as_inference_error
        from hf_ecosystem.inference.pipelines import create_pipeline

        size = weights_size(location)
        self._make_room(size)
        self._log(f"loading {request.model} for {request.task}")
        started = time.perf_counter()
        try:
            predictor = create_pipeline(
                request.task,
                location,
                device=request.device or None,
                dtype=request.dtype or None,
                trust_remote_code=request.trust_remote_code,  # only when the user said so
                allow_pickle=request.allow_pickle,
            )
        except Exception as exc:
            raise as_inference_error(exc, f"Could not load {request.model}") from exc
        seconds = time.perf_counter() - started
        where = f"{predictor.device} ({predictor.dtype})"
        self._log(f"loaded {request.model} on {where} in {seconds:.1f} s, {size / GIB:.2f} GiB")
        self._models[key] = _Loaded(predictor, size)
        return self._models[key]

    def _make_room(self, size: int) -> None:
        """Evict the least recently used models until one more of `size` bytes fits."""
        while self._models and (
            len(self._models) >= self.max_models or self.total_bytes + size > self.max_bytes
        ):
            self._evict(next(iter(self._models)), "least recently used")

    def _evict(self, key: str, why: str) -> None:
        from hf_ecosystem.inference.loading import free_accelerator_memory

        self._models.pop(key, None)
        free_accelerator_memory()  # collects the dropped model, then frees cached GPU blocks
        self._log(f"unloaded {key} ({why})")

    @staticmethod
    def _compute(
        predictor: Any, request: WarmRequest, on_token: Callable[[str], None] | None
    ) -> InferenceResult:
        from hf_ecosystem.inference.jobs import parse_input
        from hf_ecosystem.inference.loading import as_inference_error

        options: dict[str, Any] = {}
        if request.task == "text-generation" and on_token is not None:
            options["stream"] = on_token
        try:
            output = predictor(parse_input(request.task, request.input), **options)
        except Exception as exc:
            raise as_inference_error(exc, f"{request.task} failed on {request.model}") from exc
        return InferenceResult(
            task=predictor.task,
            model=predictor.model,
            output=output,
            device=predictor.device,
            dtype=predictor.dtype,
        )
