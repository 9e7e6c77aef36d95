"""The hub's public front: search models and datasets, read a card from text, file or repo."""

from __future__ import annotations

import re
from dataclasses import replace
from pathlib import Path
from typing import Any

from hf_ecosystem.errors import CardError, HfEcoError
from hf_ecosystem.hub.backend import HubBackend
from hf_ecosystem.hub.cards import ParsedCard, parse_card_text
from hf_ecosystem.hub.types import DatasetSummary, ModelSummary, RepoKind, SearchFilters, Sort
from hf_ecosystem.paths import user_path
from hf_ecosystem.safe_files import read_text_bounded

_REPO_ID_SHAPE = re.compile(r"^[A-Za-z0-9][\w.\-]*/[\w.\-]+$|^[A-Za-z0-9][\w.\-]*$")


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


def parse_model_card(
    source: str | Path,
    *,
    kind: RepoKind = "model",
    backend: HubBackend | None = None,
) -> ParsedCard:
    """Parse a card given as text, a file path, or a repo id (read through `backend`)."""
    if isinstance(source, Path):
        return parse_card_text(_read_card_file(source), kind)
    if "\n" in source or source.lstrip().startswith("---"):
        return parse_card_text(source, kind)
    path = user_path(source)
    if source.endswith(".md") or path.is_file():
        return parse_card_text(_read_card_file(path), kind)
    if _REPO_ID_SHAPE.match(source.strip()) and "/" in source:
        return parse_card_text(_backend(backend, None).card(source.strip(), kind), kind)
    return parse_card_text(source, kind)


def _read_card_file(path: Path) -> str:
    try:
        return read_text_bounded(path)
    except UnicodeDecodeError as exc:
        raise CardError(f"{path} is not UTF-8 text", raw="") from exc
    except OSError as exc:
        raise HfEcoError(f"Cannot read card file {path}", exc.strerror or str(exc)) from exc
