"""Quantised loading: int8/int4 weights through transformers' quantization configs.

One decision, used by inference, batch inference and training: on CUDA the weights go through
bitsandbytes (LLM.int8, NF4); elsewhere through torchao, whose weight-only int8 and int4 kernels
run on the CPU. Embeddings and the output heads stay unquantised.
"""

from __future__ import annotations

import importlib.util
from dataclasses import dataclass
from typing import Any, Literal

from hf_ecosystem.inference.errors import InferenceError

QuantName = Literal["int8", "int4"]
QUANTIZED: tuple[QuantName, ...] = ("int8", "int4")
# torchao's CPU int4: values in [-8, 7], one int8 byte each (the CPU kernels read bytes), with
# an fp32 scale and an int8 zero point per group of 32 weights.
TORCHAO_INT4_GROUP = 32
# Output heads stay unquantised: an LM head (bitsandbytes' and torchao's own default) and the
# task heads, which fine-tuning replaces and trains (a quantised head cannot be resized).
HEAD_MODULES = ["lm_head", "classifier", "score", "qa_outputs"]


def is_quantized(dtype: object) -> bool:
    """Whether a dtype name asks for quantised weights ("int8", "int4")."""
    return isinstance(dtype, str) and dtype.lower() in QUANTIZED


@dataclass(frozen=True, slots=True)
class Quantization:
    """How a model's weights are quantised on one device, and the config that does it."""

    name: QuantName
    backend: Literal["bitsandbytes", "torchao"]
    config: Any  # a transformers QuantizationConfigMixin

    def describe(self) -> str:
        """'int8 (torchao)'."""
        return f"{self.name} ({self.backend})"


def backend_for(device: str) -> Literal["bitsandbytes", "torchao"]:
    """bitsandbytes on CUDA, torchao elsewhere (its kernels run on the CPU)."""
    return "bitsandbytes" if device.split(":", 1)[0] == "cuda" else "torchao"


def _require(module: str, name: str, device: str) -> None:
    if importlib.util.find_spec(module) is None:
        raise InferenceError(
            f"{name} is not installed: cannot load quantised weights on {device}",
            f"Install {name} (make setup installs it), or use --dtype bf16 / fp32.",
        )


def quantization_for(dtype: str, device: str, compute_dtype: Any) -> Quantization:
    """The quantization config for `dtype` ("int8"/"int4") on `device`.

    `compute_dtype` is the torch dtype the unquantised parts and the matmuls run in."""
    name = dtype.lower()
    if name not in QUANTIZED:
        raise InferenceError(f"Unknown quantisation {dtype!r}", "Use int8 or int4.")
    kind = device.split(":", 1)[0]
    if kind == "mps":
        raise InferenceError(
            f"{name} weights cannot run on Apple GPUs here",
            "Use --device cpu for quantised weights, or --dtype fp16 on mps.",
        )
    backend = backend_for(device)
    if backend == "bitsandbytes":
        _require("bitsandbytes", "bitsandbytes", device)
        from transformers import BitsAndBytesConfig

        config: Any = (
            BitsAndBytesConfig(load_in_8bit=True, llm_int8_skip_modules=HEAD_MODULES)
            if name == "int8"
            else BitsAndBytesConfig(
                load_in_4bit=True,
                bnb_4bit_quant_type="nf4",
                bnb_4bit_compute_dtype=compute_dtype,
                llm_int8_skip_modules=HEAD_MODULES,
            )
        )
        return Quantization(name, backend, config)  # type: ignore[arg-type]
    _require("torchao", "torchao", device)
    import torch
    from torchao.quantization import (  # pyright: ignore[reportMissingTypeStubs]
        Int8WeightOnlyConfig,
        IntxWeightOnlyConfig,
    )
    from torchao.quantization.granularity import PerGroup  # pyright: ignore[reportMissingTypeStubs]
    from transformers import TorchAoConfig

    int4: Any = getattr(torch, "int4")  # noqa: B009 - torch's stubs do not declare the sub-byte dtypes
    scheme: Any = (
        Int8WeightOnlyConfig()
        if name == "int8"
        else IntxWeightOnlyConfig(weight_dtype=int4, granularity=PerGroup(TORCHAO_INT4_GROUP))
    )
    config = TorchAoConfig(scheme, modules_to_not_convert=HEAD_MODULES)
    return Quantization(name, backend, config)  # type: ignore[arg-type]


def stored_bytes(model: Any) -> int:
    """Bytes a loaded model's parameters and buffers really hold.

    Unlike `get_memory_footprint()`, this counts a quantised tensor (a torchao tensor subclass)
    by the tensors inside it (its int8 data, scales and zero points), not by its logical dtype."""
    total = 0
    seen: set[int] = set()
    tensors = [*model.parameters(), *model.buffers()]
    for tensor in tensors:
        if id(tensor) in seen:
            continue
        seen.add(id(tensor))
        names: list[str] | None = getattr(tensor, "tensor_data_names", None)
        if names is None:
            total += int(tensor.numel()) * int(tensor.element_size())
            continue
        optional: list[str] = getattr(tensor, "optional_tensor_data_names", None) or []
        for name in [*names, *optional]:
            inner = getattr(tensor, name, None)
            if inner is not None:
                total += int(inner.numel()) * int(inner.element_size())
    return total


def load_options(dtype: Any, device: str) -> dict[str, Any]:
    """from_pretrained keywords for `dtype` on `device` (none for None: the library's default).

    int8/int4 add the quantization config and place the weights on `device` as they load."""
    if dtype is None:
        return {}
    from hf_ecosystem.inference.device import resolve_dtype

    torch_dtype = resolve_dtype(dtype, device)
    if not is_quantized(dtype):
        return {"dtype": torch_dtype}
    quantized = quantization_for(str(dtype), device, torch_dtype)
    return {"dtype": torch_dtype, "quantization_config": quantized.config, "device_map": device}
