"""Inference: the task registry (plain data), device placement, Predictors and chains.

Importing this package is cheap: torch and transformers load only when a model does.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from hf_ecosystem.inference.chain import ChainStep, run_chain
    from hf_ecosystem.inference.errors import InferenceError, PickleWeightsError
    from hf_ecosystem.inference.pipelines import create_pipeline, with_cpu_fallback
    from hf_ecosystem.inference.predictor import Predictor
    from hf_ecosystem.inference.registry import TASKS, TaskSpec, get_task, list_tasks

_EXPORTS = {
    "ChainStep": "hf_ecosystem.inference.chain",
    "run_chain": "hf_ecosystem.inference.chain",
    "InferenceError": "hf_ecosystem.inference.errors",
    "PickleWeightsError": "hf_ecosystem.inference.errors",
    "create_pipeline": "hf_ecosystem.inference.pipelines",
    "with_cpu_fallback": "hf_ecosystem.inference.pipelines",
    "Predictor": "hf_ecosystem.inference.predictor",
    "TASKS": "hf_ecosystem.inference.registry",
    "TaskSpec": "hf_ecosystem.inference.registry",
    "get_task": "hf_ecosystem.inference.registry",
    "list_tasks": "hf_ecosystem.inference.registry",
}

__all__ = [
    "TASKS",
    "ChainStep",
    "InferenceError",
    "PickleWeightsError",
    "Predictor",
    "TaskSpec",
    "create_pipeline",
    "get_task",
    "list_tasks",
    "run_chain",
    "with_cpu_fallback",
]


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'hf_ecosystem.inference' has no attribute {name!r}")
    return getattr(importlib.import_module(module), name)
