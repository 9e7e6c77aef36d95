"""hf_ecosystem: a UI-free library for the Hugging Face ecosystem (hub, data, jobs, training)."""

from hf_ecosystem.errors import HfEcoError
from hf_ecosystem.hub.cards import ParsedCard, parse_model_card
from hf_ecosystem.hub.search import search_datasets, search_models
from hf_ecosystem.hub.types import (
    DatasetSummary,
    ModelSummary,
    RepoDetails,
    SearchFilters,
    Sort,
)

__version__ = "0.1.0"

__all__ = [
    "DatasetSummary",
    "HfEcoError",
    "ModelSummary",
    "ParsedCard",
    "RepoDetails",
    "SearchFilters",
    "Sort",
    "__version__",
    "parse_model_card",
    "search_datasets",
    "search_models",
]
