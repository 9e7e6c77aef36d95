"""Where and in which dtype a model runs: the best device, its dtype, and whether to shard."""

from __future__ import annotations

from typing import Any, Literal, cast

Device = Literal["cuda", "mps", "cpu"]
DTypeName = Literal["fp32", "fp16", "bf16"]
DTYPE_NAMES: dict[str, DTypeName] = {
    "fp32": "fp32", "float32": "fp32", "float": "fp32",
    "fp16": "fp16", "float16": "fp16", "half": "fp16",
    "bf16": "bf16", "bfloat16": "bf16",
}  # fmt: skip
# What --dtype and the Try form offer: the device's best, a float dtype, or quantised weights.
INFERENCE_DTYPES = ("auto", "fp32", "fp16", "bf16", "int8", "int4")
_TORCH_NAMES: dict[DTypeName, str] = {"fp32": "float32", "fp16": "float16", "bf16": "bfloat16"}
# Weights are not all a model needs on a GPU: activations, KV cache and the CUDA context.
FIT_HEADROOM = 1.2


def get_device() -> Device:
    """The best available device: "cuda", then "mps", then "cpu"."""
    import torch

    if torch.cuda.is_available():
        return "cuda"
    mps = getattr(torch.backends, "mps", None)
    if mps is not None and mps.is_available():
        return "mps"
    return "cpu"


def _device_type(device: str) -> str:
    return device.split(":", 1)[0]


def get_dtype(device: str) -> Any:
    """The torch dtype to run on `device`: bf16 on GPUs of compute capability ≥ 8, else fp16 on
    CUDA and MPS, fp32 on the CPU."""
    import torch

    kind = _device_type(device)
    if kind == "cuda":
        index = cast("int | None", torch.device(device).index)  # None for a bare "cuda"
        major, _ = torch.cuda.get_device_capability(index if index is not None else 0)
        return torch.bfloat16 if major >= 8 else torch.float16
    if kind == "mps":
        return torch.float16
    return torch.float32


def get_device_map(model_bytes: int, device: str) -> Literal["auto"] | None:
    """Return "auto" (accelerate spreads the model over GPUs and CPU) when the model does not
    fit one GPU's free memory, else None (the whole model goes on `device`)."""
    if _device_type(device) != "cuda":
        return None
    import torch

    index = cast("int | None", torch.device(device).index)  # None for a bare "cuda"
    free, _total = torch.cuda.mem_get_info(index if index is not None else 0)
    return "auto" if model_bytes * FIT_HEADROOM > free else None


def resolve_dtype(dtype: Any, device: str) -> Any:
    """A torch dtype from a name ("bf16", "float16", …), a torch dtype, or None (the device's
    best). For quantised weights ("int8", "int4"): the dtype they compute in, the device's best."""
    import torch

    if dtype is None or dtype == "auto" or str(dtype).lower() in ("int8", "int4"):
        return get_dtype(device)
    if isinstance(dtype, torch.dtype):
        return dtype
    name = DTYPE_NAMES.get(str(dtype).lower().removeprefix("torch."))
    if name is None:
        from hf_ecosystem.inference.errors import InferenceError

        raise InferenceError(f"Unknown dtype {dtype!r}", "Use fp32, fp16, bf16, int8 or int4.")
    return getattr(torch, _TORCH_NAMES[name])


def dtype_bytes(dtype: Any) -> int:
    """Bytes per parameter of a torch dtype."""
    return int(dtype.itemsize)
