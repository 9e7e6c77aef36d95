"""Bytes of a model's weights in each dtype, quantised ones as their libraries store them."""

from __future__ import annotations

from typing import Literal

from hf_ecosystem.device.activations import Target
from hf_ecosystem.device.model_shape import ModelShape
from hf_ecosystem.errors import HfEcoError

DType = Literal["fp32", "fp16", "bf16", "int8", "int4"]
DTYPES: tuple[DType, ...] = ("fp32", "fp16", "bf16", "int8", "int4")
DTYPE_BYTES: dict[str, float] = {"fp32": 4, "fp16": 2, "bf16": 2, "int8": 1, "int4": 0.5}
# bitsandbytes NF4 keeps one fp32 absmax per block of 64 weights (no double quantisation).
_INT4_SCALES = 4 / 64
# torchao's CPU int4: an fp32 scale and an int8 zero point per group of 32 weights.
_TORCHAO_INT4_SCALES = 5 / 32


class MemoryEstimateError(HfEcoError):
    """The estimate's inputs are invalid (dtype, batch, sequence length, training mode)."""

    default_title = "Cannot estimate memory"
    default_hint = (
        "Use --dtype fp32|fp16|bf16|int8|int4, --batch >= 1, --seq >= 1, --train full|lora."
    )


def _unquantized(shape: ModelShape | None) -> int:
    """Parameters neither library quantises: the embeddings and the LM head (tied or not)."""
    if shape is None:
        return 0
    return shape.embedding_parameters() + shape.vocab_size * shape.hidden_size


def _quantised_bytes(dtype: str, shape: ModelShape | None, target: Target) -> float:
    """Bytes per quantised weight, scales included, as each target's library stores it."""
    rows = 4 / (shape.hidden_size if shape else 4096)  # one fp32 scale per output row
    if dtype == "int8":  # LLM.int8 (bitsandbytes) and torchao's int8 alike
        return 1 + rows
    if target == "cuda":  # bitsandbytes NF4: two weights a byte
        return 0.5 + _INT4_SCALES
    # torchao on the CPU: one int8 byte per int4 value, fp32 scale + int8 zero point per 32.
    return 1 + _TORCHAO_INT4_SCALES


def weights_bytes(
    parameters: int, dtype: str, shape: ModelShape | None = None, target: Target = "cuda"
) -> int:
    """Bytes of the weights in `dtype`. int8/int4 as they load on `target`: bitsandbytes on
    CUDA (the rest in bf16), torchao on the CPU (the rest in fp32), with their scales."""
    if dtype not in DTYPE_BYTES:
        raise MemoryEstimateError(f"Unknown dtype {dtype!r}")
    if dtype not in ("int8", "int4"):
        return int(parameters * DTYPE_BYTES[dtype])
    kept = min(_unquantized(shape), parameters)
    kept_bytes = 2 if target == "cuda" else 4
    return int((parameters - kept) * _quantised_bytes(dtype, shape, target) + kept * kept_bytes)


def weights_by_dtype(
    parameters: int, shape: ModelShape | None = None, target: Target = "cuda"
) -> dict[str, int]:
    """Weight bytes in every supported dtype."""
    return {dtype: weights_bytes(parameters, dtype, shape, target) for dtype in DTYPES}
