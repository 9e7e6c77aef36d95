"""LoRA on quantised weights (QLoRA): load the base in int8/int4 and prepare it for adapters.

On CUDA the base goes through bitsandbytes (int8, or NF4 with bf16 compute: QLoRA); on the CPU
through torchao, whose int8 weights the Trainer can train adapters on (its int4 it cannot).
The job saves the base in full precision with the trained adapters merged in
(`training.job.save_model`), so it loads with plain transformers and fine-tunes again.
"""

from __future__ import annotations

import os
from typing import Any

from hf_ecosystem.training.errors import TrainingError
from hf_ecosystem.training.spec import TrainSpec


def _device(cuda: bool) -> str:
    return f"cuda:{int(os.environ.get('LOCAL_RANK', '0'))}" if cuda else "cpu"


def quantized_load_kwargs(spec: TrainSpec, *, cuda: bool) -> dict[str, Any]:
    """from_pretrained keywords that load the base quantised on this process's device."""
    if spec.quantization is None:
        return {}
    if spec.quantization == "int4" and not cuda:
        raise TrainingError(
            "4-bit fine-tuning needs a CUDA GPU (bitsandbytes NF4, QLoRA)",
            "On the CPU, train LoRA on int8 weights (quantization: int8), or leave it empty.",
        )
    import torch

    from hf_ecosystem.inference.device import get_dtype
    from hf_ecosystem.inference.quantization import quantization_for

    device = _device(cuda)
    compute = get_dtype(device) if cuda else torch.float32
    quantized = quantization_for(spec.quantization, device, compute)
    return {"quantization_config": quantized.config, "dtype": compute, "device_map": device}


def prepare_for_adapters(spec: TrainSpec, model: Any, *, cuda: bool) -> Any:
    """bitsandbytes bases get peft's k-bit preparation (fp32 norms, input gradients)."""
    if spec.quantization is None or not cuda:
        return model
    from peft import prepare_model_for_kbit_training  # pyright: ignore[reportUnknownVariableType]

    prepare: Any = prepare_model_for_kbit_training  # pyright: ignore[reportUnknownVariableType]
    return prepare(model, use_gradient_checkpointing=False)
