"""Plain, typed results of the hub layer: what crosses from core to UI."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any, Literal

RepoKind = Literal["model", "dataset"]


class Sort(StrEnum):
    """Result orders a user can pick."""

    DOWNLOADS = "downloads"
    LIKES = "likes"
    TRENDING = "trending"
    UPDATED = "updated"
    NAME = "name"


@dataclass(frozen=True, slots=True)
class SearchFilters:
    """Search criteria shared by every backend; empty fields do not filter."""

    query: str = ""
    task: str | None = None
    library: str | None = None
    language: str | None = None
    license: str | None = None
    author: str | None = None
    tags: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        from hf_ecosystem.errors import HfEcoError

        texts = [self.query, self.task, self.library, self.language, self.license, self.author]
        for text in [*texts, *self.tags]:
            if not text:
                continue
            if "\0" in text:
                raise HfEcoError("The search text holds a NUL character", "Retype it without it.")
            try:
                text.encode("utf-8")
            except UnicodeEncodeError:
                raise HfEcoError(
                    f"The search text {text.encode('utf-8', 'replace').decode()!r} is not UTF-8",
                    "Retype it, or use a UTF-8 terminal locale (e.g. LANG=C.UTF-8).",
                ) from None

    def is_empty(self) -> bool:
        """True when nothing narrows the search."""
        return not (
            self.query.strip()
            or self.task
            or self.library
            or self.language
            or self.license
            or self.author
            or self.tags
        )


@dataclass(frozen=True, slots=True)
class RepoSummary:
    """One search result: a model or a dataset."""

    id: str
    kind: RepoKind
    author: str | None = None
    task: str | None = None
    library: str | None = None
    license: str | None = None
    languages: tuple[str, ...] = ()
    tags: tuple[str, ...] = ()
    downloads: int | None = None
    likes: int | None = None
    trending_score: float | None = None
    last_modified: datetime | None = None
    parameters: int | None = None
    size_bytes: int | None = None
    gated: bool = False
    private: bool = False
    source: str = "hub"

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready mapping."""
        return {
            "id": self.id,
            "kind": self.kind,
            "author": self.author,
            "task": self.task,
            "library": self.library,
            "license": self.license,
            "languages": list(self.languages),
            "tags": list(self.tags),
            "downloads": self.downloads,
            "likes": self.likes,
            "trending_score": self.trending_score,
            "last_modified": self.last_modified.isoformat() if self.last_modified else None,
            "parameters": self.parameters,
            "size_bytes": self.size_bytes,
            "gated": self.gated,
            "private": self.private,
            "source": self.source,
        }


@dataclass(frozen=True, slots=True)
class ModelSummary(RepoSummary):
    """A model search result."""

    kind: RepoKind = "model"


@dataclass(frozen=True, slots=True)
class DatasetSummary(RepoSummary):
    """A dataset search result."""

    kind: RepoKind = "dataset"


@dataclass(frozen=True, slots=True)
class RepoFile:
    """One file of a repo, with its size when known."""

    path: str
    size: int | None = None
    lfs: bool = False


@dataclass(frozen=True, slots=True)
class RepoDetails:
    """Everything the detail view needs about one repo."""

    summary: RepoSummary
    files: tuple[RepoFile, ...] = ()
    card_data: dict[str, Any] = field(default_factory=dict[str, Any])
    sha: str | None = None
    local_path: str | None = None

    @property
    def id(self) -> str:
        """The repo id."""
        return self.summary.id

    @property
    def total_size(self) -> int | None:
        """Sum of the known file sizes."""
        sizes = [f.size for f in self.files if f.size is not None]
        return sum(sizes) if sizes else None

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready mapping."""
        return {
            **self.summary.to_dict(),
            "sha": self.sha,
            "local_path": self.local_path,
            "total_size": self.total_size,
            "files": [{"path": f.path, "size": f.size, "lfs": f.lfs} for f in self.files],
            "card_data": self.card_data,
        }
