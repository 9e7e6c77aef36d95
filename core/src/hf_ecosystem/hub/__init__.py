"""The hub layer: backends (remote and local), search, cards, licenses, auth and cache."""

from hf_ecosystem.hub.backend import HubBackend
from hf_ecosystem.hub.types import (
    DatasetSummary,
    ModelSummary,
    RepoDetails,
    RepoFile,
    RepoKind,
    RepoSummary,
    SearchFilters,
    Sort,
)

__all__ = [
    "DatasetSummary",
    "HubBackend",
    "ModelSummary",
    "RepoDetails",
    "RepoFile",
    "RepoKind",
    "RepoSummary",
    "SearchFilters",
    "Sort",
]
