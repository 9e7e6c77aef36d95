"""Errors of the inference layer: each says what went wrong and how to fix it."""

from __future__ import annotations

from hf_ecosystem.errors import HfEcoError


class InferenceError(HfEcoError):
    """A model could not be loaded or run for a task."""

    default_title = "Inference failed"
    default_hint = "Check the task, the model and its input."


class UnknownTaskError(InferenceError):
    """The task is not one the inference layer knows."""

    default_title = "Unknown task"


class BadInputError(InferenceError):
    """The input does not have the shape the task expects."""

    default_title = "Invalid input"


class PickleWeightsError(InferenceError):
    """The model ships only pickle weights (.bin/.pt/.pth), which can run code when loaded."""

    default_title = "Model has only pickle weights"
    default_hint = (
        "Pickle files can execute code when loaded. Use a revision with .safetensors weights, "
        "or pass allow_pickle=True if you trust the publisher."
    )


class RemoteCodeError(InferenceError):
    """The model needs its repo's own Python code, which runs only when the user trusts it."""

    default_title = "The model needs its own Python code"
    default_hint = (
        "Pass trust_remote_code=True (the Try screen asks) only if you trust the publisher: "
        "the repo's code runs on this machine."
    )


class InferenceOutOfMemoryError(InferenceError):
    """The accelerator ran out of memory while loading or running the model."""

    default_title = "Out of GPU memory"
    default_hint = (
        "Try a smaller dtype (bf16/fp16), a smaller batch or shorter input, "
        "or run on the CPU (retry_on_cpu=True)."
    )
