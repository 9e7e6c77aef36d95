"""create_pipeline: load a model for a task, safely and on the best device, as a Predictor."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from hf_ecosystem.errors import HfEcoError
from hf_ecosystem.inference.errors import InferenceError
from hf_ecosystem.inference.loading import (
    LoadContext,
    as_inference_error,
    free_accelerator_memory,
    is_out_of_memory,
)
from hf_ecosystem.inference.predictor import Predictor, Runner
from hf_ecosystem.inference.registry import get_task


def _runner_factory(task: str) -> Callable[[LoadContext], Runner]:
    """The class implementing `task` (imported only when that task is used)."""
    if task in {"text-classification", "token-classification", "fill-mask"}:
        from hf_ecosystem.inference import text

        return {
            "text-classification": text.TextClassifier,
            "token-classification": text.EntityTagger,
            "fill-mask": text.MaskFiller,
        }[task]
    if task == "zero-shot-classification":
        from hf_ecosystem.inference.text import ZeroShotClassifier

        return ZeroShotClassifier
    if task in {"feature-extraction", "sentence-similarity"}:
        from hf_ecosystem.inference.text import Embedder

        return lambda ctx: Embedder(ctx, normalize=task == "sentence-similarity")
    if task == "text-generation":
        from hf_ecosystem.inference.generation import TextGenerator

        return TextGenerator
    if task in {"summarization", "translation"}:
        from hf_ecosystem.inference.seq2seq import Seq2SeqGenerator

        return Seq2SeqGenerator
    if task == "question-answering":
        from hf_ecosystem.inference.qa import ExtractiveQA

        return ExtractiveQA
    if task == "automatic-speech-recognition":
        from hf_ecosystem.inference.audio import SpeechRecognizer

        return SpeechRecognizer
    from hf_ecosystem.inference import vision

    return {
        "image-classification": vision.ImageClassifier,
        "zero-shot-image-classification": vision.ZeroShotImageClassifier,
        "image-to-text": vision.Captioner,
        "visual-question-answering": vision.ClassifierVQA,
    }[task]


def _dtype_name(dtype: Any, device: str) -> str:
    """ "int8"/"int4" for quantised weights, else the short name of the torch dtype used."""
    from hf_ecosystem.inference.device import resolve_dtype
    from hf_ecosystem.inference.quantization import is_quantized

    if is_quantized(dtype):
        return str(dtype).lower()
    torch_dtype = resolve_dtype(dtype, device)
    return {"float32": "fp32", "float16": "fp16", "bfloat16": "bf16"}.get(
        str(torch_dtype).removeprefix("torch."), str(torch_dtype)
    )


def create_pipeline(  # over 60 lines: signature and docstring; the body is ~40
    task: str,
    model: str | Path,
    device: str | None = None,
    dtype: Any = None,
    *,
    trust_remote_code: bool = False,
    allow_pickle: bool = False,
    retry_on_cpu: bool = False,
) -> Predictor:
    """Load `model` (a folder, a repo id the local hub holds, or a Hub repo id) for `task`.

    `device` defaults to the best one (cuda > mps > cpu) and `dtype` ("fp32", "fp16", "bf16" or
    a torch dtype) to the device's best; a model larger than the GPU's free memory is spread
    with device_map="auto". Remote code runs only with `trust_remote_code=True`; models with
    only pickle weights are refused unless `allow_pickle=True`. With `retry_on_cpu=True`, an
    out-of-memory error on the GPU reloads the model on the CPU and tries again.
    """
    from hf_ecosystem.hub.reference import resolve_reference
    from hf_ecosystem.inference.device import get_device, get_device_map, resolve_dtype
    from hf_ecosystem.inference.quantization import is_quantized, quantization_for
    from hf_ecosystem.inference.weights import check_weights, model_files, weights_bytes

    spec = get_task(task)
    name = str(model)
    # A repo id the local hub holds loads from its folder, offline too; others go to the Hub.
    location = resolve_reference(name, "model").location
    files = model_files(location)
    use_safetensors = check_weights(name, files, allow_pickle=allow_pickle)
    factory = _runner_factory(spec.name)

    def load(on: str, want: Any) -> Runner:
        torch_dtype = resolve_dtype(want, on)
        quantized = quantization_for(want, on, torch_dtype) if is_quantized(want) else None
        ctx = LoadContext(
            task=spec.name,
            model=location,
            device=on,
            dtype=torch_dtype,
            # Quantised weights are placed while they load (bitsandbytes cannot move later).
            device_map=on
            if quantized
            else get_device_map(weights_bytes(files, use_safetensors), on),
            trust_remote_code=trust_remote_code,
            use_safetensors=use_safetensors,
            quantization=quantized.config if quantized else None,
        )
        try:
            return factory(ctx)
        except HfEcoError:
            raise
        except Exception as exc:
            raise as_inference_error(exc, f"Could not load {name} for {spec.name}") from exc

    chosen = device or get_device()
    try:
        runner = load(chosen, dtype)
    except InferenceError as exc:
        if not (retry_on_cpu and chosen != "cpu" and is_out_of_memory_error(exc)):
            raise
        free_accelerator_memory()
        chosen, dtype = "cpu", "fp32"
        runner = load(chosen, dtype)
    return Predictor(
        spec,
        name,
        runner,
        device=chosen,
        dtype=_dtype_name(dtype, chosen),
        load=load,
        retry_on_cpu=retry_on_cpu,
    )


def is_out_of_memory_error(exc: BaseException) -> bool:
    """Whether an error (or the one it was raised from) is an out-of-memory error."""
    from hf_ecosystem.inference.errors import InferenceOutOfMemoryError

    cause = exc.__cause__
    return isinstance(exc, InferenceOutOfMemoryError) or (
        cause is not None and is_out_of_memory(cause)
    )


def with_cpu_fallback(
    task: str, model: str | Path, device: str | None = None, dtype: Any = None, **kwargs: Any
) -> Predictor:
    """create_pipeline with retry_on_cpu=True: a GPU out-of-memory moves the work to the CPU."""
    return create_pipeline(task, model, device, dtype, retry_on_cpu=True, **kwargs)
