"""The HubBackend protocol every backend implements, with one set of typed results."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Protocol, runtime_checkable

from hf_ecosystem.hub.types import (
    DatasetSummary,
    ModelSummary,
    RepoDetails,
    RepoFile,
    RepoKind,
    SearchFilters,
    Sort,
)


@runtime_checkable
class HubBackend(Protocol):
    """Search and read repos; RemoteHub and LocalHub both implement it."""

    @property
    def description(self) -> str:
        """One line naming the backend, shown in the CLI and the TUI header."""
        ...

    @property
    def is_offline(self) -> bool:
        """True for the local hub."""
        ...

    def search_models(
        self, filters: SearchFilters, sort: Sort = Sort.DOWNLOADS, limit: int = 50
    ) -> list[ModelSummary]:
        """At most `limit` models matching `filters`, in `sort` order."""
        ...

    def search_datasets(
        self, filters: SearchFilters, sort: Sort = Sort.DOWNLOADS, limit: int = 50
    ) -> list[DatasetSummary]:
        """At most `limit` datasets matching `filters`, in `sort` order."""
        ...

    def iter_model_pages(
        self, filters: SearchFilters, sort: Sort = Sort.DOWNLOADS, page_size: int = 50
    ) -> Iterator[list[ModelSummary]]:
        """Model results page by page, so the first rows show at once."""
        ...

    def iter_dataset_pages(
        self, filters: SearchFilters, sort: Sort = Sort.DOWNLOADS, page_size: int = 50
    ) -> Iterator[list[DatasetSummary]]:
        """Dataset results page by page."""
        ...

    def model_info(self, repo_id: str) -> RepoDetails:
        """Details of one model."""
        ...

    def dataset_info(self, repo_id: str) -> RepoDetails:
        """Details of one dataset."""
        ...

    def card(self, repo_id: str, kind: RepoKind = "model") -> str:
        """The raw README.md card text ('' when the repo has none)."""
        ...

    def files(self, repo_id: str, kind: RepoKind = "model") -> list[RepoFile]:
        """The repo's files with sizes."""
        ...
