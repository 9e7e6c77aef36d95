"""hf_ecosystem: a UI-free library for the Hugging Face ecosystem (hub, data, jobs, training)."""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from hf_ecosystem.data.load import stream_dataset
    from hf_ecosystem.data.preprocess import preprocess_text, tokenize_batch
    from hf_ecosystem.errors import HfEcoError
    from hf_ecosystem.hub.cards import ParsedCard
    from hf_ecosystem.hub.search import parse_model_card, search_datasets, search_models
    from hf_ecosystem.hub.types import (
        DatasetSummary,
        ModelSummary,
        RepoDetails,
        SearchFilters,
        Sort,
    )
    from hf_ecosystem.inference.pipelines import create_pipeline
    from hf_ecosystem.metrics.compute import compute_metrics
    from hf_ecosystem.training.spec import TrainSpec
    from hf_ecosystem.training.trainer import create_trainer

__version__ = "0.1.0"

# Public name -> module; resolved on first use so `import hf_ecosystem.x` stays cheap.
_EXPORTS = {
    "HfEcoError": "hf_ecosystem.errors",
    "ParsedCard": "hf_ecosystem.hub.cards",
    "parse_model_card": "hf_ecosystem.hub.search",
    "search_models": "hf_ecosystem.hub.search",
    "search_datasets": "hf_ecosystem.hub.search",
    "DatasetSummary": "hf_ecosystem.hub.types",
    "ModelSummary": "hf_ecosystem.hub.types",
    "RepoDetails": "hf_ecosystem.hub.types",
    "SearchFilters": "hf_ecosystem.hub.types",
    "Sort": "hf_ecosystem.hub.types",
    "create_pipeline": "hf_ecosystem.inference.pipelines",
    "stream_dataset": "hf_ecosystem.data.load",
    "preprocess_text": "hf_ecosystem.data.preprocess",
    "tokenize_batch": "hf_ecosystem.data.preprocess",
    "TrainSpec": "hf_ecosystem.training.spec",
    "create_trainer": "hf_ecosystem.training.trainer",
    "compute_metrics": "hf_ecosystem.metrics.compute",
}

__all__ = [
    "DatasetSummary",
    "HfEcoError",
    "ModelSummary",
    "ParsedCard",
    "RepoDetails",
    "SearchFilters",
    "Sort",
    "TrainSpec",
    "__version__",
    "compute_metrics",
    "create_pipeline",
    "create_trainer",
    "parse_model_card",
    "preprocess_text",
    "search_datasets",
    "search_models",
    "stream_dataset",
    "tokenize_batch",
]


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'hf_ecosystem' has no attribute {name!r}")
    return getattr(importlib.import_module(module), name)
