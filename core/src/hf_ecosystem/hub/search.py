"""The course's search functions: one call, a backend chosen from settings unless one is given."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from hf_ecosystem.hub.backend import HubBackend
from hf_ecosystem.hub.types import DatasetSummary, ModelSummary, SearchFilters, Sort


def _filters(query: str, filters: SearchFilters | None, **fields: Any) -> SearchFilters:
    base = filters or SearchFilters()
    changes = {k: v for k, v in fields.items() if v is not None}
    if "tags" in changes:
        changes["tags"] = tuple(changes["tags"])
    return replace(base, query=query or base.query, **changes)


def _backend(backend: HubBackend | None, offline: bool | None) -> HubBackend:
    if backend is not None:
        return backend
    from hf_ecosystem.hub.selection import select_backend

    return select_backend(offline=offline).backend


def search_models(
    query: str = "",
    *,
    task: str | None = None,
    library: str | None = None,
    language: str | None = None,
    license: str | None = None,
    author: str | None = None,
    tags: list[str] | tuple[str, ...] | None = None,
    sort: Sort | str = Sort.DOWNLOADS,
    limit: int = 20,
    filters: SearchFilters | None = None,
    backend: HubBackend | None = None,
    offline: bool | None = None,
) -> list[ModelSummary]:
    """Search models on the Hub, or on the local hub when offline."""
    f = _filters(
        query, filters, task=task, library=library, language=language, license=license,
        author=author, tags=tags,
    )  # fmt: skip
    return _backend(backend, offline).search_models(f, Sort(sort), limit)


def search_datasets(
    query: str = "",
    *,
    task: str | None = None,
    library: str | None = None,
    language: str | None = None,
    license: str | None = None,
    author: str | None = None,
    tags: list[str] | tuple[str, ...] | None = None,
    sort: Sort | str = Sort.DOWNLOADS,
    limit: int = 20,
    filters: SearchFilters | None = None,
    backend: HubBackend | None = None,
    offline: bool | None = None,
) -> list[DatasetSummary]:
    """Search datasets on the Hub, or on the local hub when offline."""
    f = _filters(
        query, filters, task=task, library=library, language=language, license=license,
        author=author, tags=tags,
    )  # fmt: skip
    return _backend(backend, offline).search_datasets(f, Sort(sort), limit)
