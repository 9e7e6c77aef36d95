"""How every task loads its model: one place for device, dtype, sharding and safety flags."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, cast

from hf_ecosystem.errors import HfEcoError
from hf_ecosystem.inference.errors import (
    InferenceError,
    InferenceOutOfMemoryError,
    RemoteCodeError,
)

# Input length used when neither the tokenizer nor the config states a limit.
FALLBACK_MAX_INPUT = 1024


@dataclass(frozen=True, slots=True)
class LoadContext:
    """Everything a task's loader needs to build its model on the chosen device."""

    task: str
    model: str
    device: str
    dtype: Any  # a torch.dtype
    device_map: str | None
    trust_remote_code: bool
    use_safetensors: bool
    quantization: Any = None  # a transformers quantization config for int8/int4 weights

    def model_kwargs(self) -> dict[str, Any]:
        """Keyword arguments for `from_pretrained` of a model."""
        kwargs: dict[str, Any] = {
            "dtype": self.dtype,
            "trust_remote_code": self.trust_remote_code,
            "use_safetensors": self.use_safetensors,
        }
        if self.device_map is not None:
            kwargs["device_map"] = self.device_map
        if self.quantization is not None:
            kwargs["quantization_config"] = self.quantization
        return kwargs

    def pipeline(self, pipeline_task: str, **kwargs: Any) -> Any:
        """A transformers pipeline for this model, placed and typed as chosen."""
        from transformers import pipeline

        # pipeline()'s overloads want a literal task name; ours is chosen at run time.
        build: Any = pipeline
        placement: dict[str, Any] = (
            {"device_map": self.device_map} if self.device_map else {"device": self.device}
        )
        model_kwargs: dict[str, Any] = {"use_safetensors": self.use_safetensors}
        if self.quantization is not None:
            model_kwargs["quantization_config"] = self.quantization
        return build(
            pipeline_task,
            model=self.model,
            dtype=self.dtype,
            trust_remote_code=self.trust_remote_code,
            model_kwargs=model_kwargs,
            **placement,
            **kwargs,
        )

    def from_pretrained(self, auto_class: Any) -> Any:
        """The model loaded through an AutoClass, on the device, in eval mode."""
        model = auto_class.from_pretrained(self.model, **self.model_kwargs())
        if self.device_map is None:
            model = model.to(self.device)
        return model.eval()

    def tokenizer(self) -> Any:
        """The model's tokenizer."""
        from transformers import AutoTokenizer

        load = AutoTokenizer.from_pretrained  # pyright: ignore[reportUnknownMemberType, reportUnknownVariableType]
        return cast("Any", load(self.model, trust_remote_code=self.trust_remote_code))

    def processor(self) -> Any:
        """The model's processor (image processor or feature extractor plus tokenizer)."""
        from transformers import AutoProcessor

        load = AutoProcessor.from_pretrained  # pyright: ignore[reportUnknownMemberType, reportUnknownVariableType]
        return cast("Any", load(self.model, trust_remote_code=self.trust_remote_code))


def max_input_tokens(tokenizer: Any, config: Any) -> int:
    """The longest input the model takes: the tokenizer's and the positions' limits, if known."""
    limits = [
        n
        for n in (
            getattr(tokenizer, "model_max_length", None),
            getattr(config, "max_position_embeddings", None),
            getattr(config, "n_positions", None),
        )
        if isinstance(n, int) and 0 < n < 1_000_000
    ]
    return min(limits) if limits else FALLBACK_MAX_INPUT


def is_out_of_memory(exc: BaseException) -> bool:
    """Whether an exception is the accelerator running out of memory."""
    import sys

    torch = sys.modules.get("torch")
    oom = getattr(torch, "OutOfMemoryError", None) if torch is not None else None
    if oom is not None and isinstance(exc, oom):
        return True
    return isinstance(exc, RuntimeError) and "out of memory" in str(exc).lower()


def as_inference_error(exc: Exception, title: str) -> HfEcoError:
    """Turn a library exception into one a user can act on (OOM gets its own advice)."""
    if isinstance(exc, HfEcoError):
        return exc
    if is_out_of_memory(exc):
        return InferenceOutOfMemoryError()
    detail = " ".join(str(exc).split()) or type(exc).__name__
    if "trust_remote_code" in detail:
        return RemoteCodeError(f"{title}: the model needs its own Python code")
    return InferenceError(title, detail[:400])


def free_accelerator_memory() -> None:
    """Release cached GPU blocks after an out-of-memory error, before trying elsewhere."""
    import gc
    import sys

    gc.collect()
    torch = sys.modules.get("torch")
    if torch is not None and torch.cuda.is_available():
        torch.cuda.empty_cache()
