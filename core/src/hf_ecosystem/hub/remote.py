"""RemoteHub: the Hub (or any HF_ENDPOINT) through huggingface_hub's HfApi and HTTP session."""

from __future__ import annotations

import re
from collections.abc import Iterator
from itertools import islice
from pathlib import Path
from typing import Any, cast

from huggingface_hub import DatasetInfo, HfApi, ModelInfo
from huggingface_hub.utils import (
    build_hf_headers,  # pyright: ignore[reportUnknownVariableType]  (an untyped `dict` parameter)
    get_session,
    hf_raise_for_status,
)

from hf_ecosystem.config import Settings, load_settings
from hf_ecosystem.hub.cache import cached_snapshot
from hf_ecosystem.hub.http_errors import hub_errors
from hf_ecosystem.hub.repo_id import validate_repo_id
from hf_ecosystem.hub.types import (
    DatasetSummary,
    ModelSummary,
    RepoDetails,
    RepoFile,
    RepoKind,
    SearchFilters,
    Sort,
)

# The Hub's own names for our sorts. NAME has no server-side order: the first NAME_SORT_WINDOW
# matches are fetched at once and sorted together (not each page on its own).
NAME_SORT_WINDOW = 1000
_SERVER_SORT: dict[Sort, str] = {
    Sort.DOWNLOADS: "downloads",
    Sort.LIKES: "likes",
    Sort.TRENDING: "trendingScore",
    Sort.UPDATED: "lastModified",
}
_MODEL_EXPAND = [
    "author",
    "downloads",
    "likes",
    "trendingScore",
    "lastModified",
    "pipeline_tag",
    "library_name",
    "tags",
    "safetensors",
    "gated",
    "private",
]
_DATASET_EXPAND = [
    "author",
    "downloads",
    "likes",
    "trendingScore",
    "lastModified",
    "tags",
    "gated",
    "private",
]
_LANGUAGE_TAG = re.compile(r"^(?:language:)?([a-z]{2,3})$")
_NOT_LANGUAGES = {"pt", "jax", "tf", "onnx", "gguf", "mlx", "ggml", "awq", "gptq", "rl", "art"}


def _tag_values(tags: list[str], prefix: str) -> list[str]:
    return [t.removeprefix(prefix) for t in tags if t.startswith(prefix)]


def _languages(tags: list[str], card: dict[str, Any] | None) -> tuple[str, ...]:
    if card and card.get("language"):
        lang = card["language"]
        values = cast("list[Any]", lang) if isinstance(lang, list) else [lang]
        return tuple(str(x) for x in values)
    found: list[str] = []
    for tag in tags:
        match = _LANGUAGE_TAG.match(tag)
        if match and match.group(1) not in _NOT_LANGUAGES and match.group(1) not in found:
            found.append(match.group(1))
    return tuple(found)


def _card_dict(info: ModelInfo | DatasetInfo) -> dict[str, Any] | None:
    data = getattr(info, "card_data", None)
    if data is None:
        return None
    return data.to_dict() if hasattr(data, "to_dict") else dict(data)


def model_summary(info: ModelInfo) -> ModelSummary:
    """A ModelSummary from huggingface_hub's ModelInfo."""
    tags = list(info.tags or [])
    card = _card_dict(info)
    licenses = _tag_values(tags, "license:")
    params = info.safetensors.total if info.safetensors is not None else None
    return ModelSummary(
        id=info.id,
        author=info.author or (info.id.split("/")[0] if "/" in info.id else None),
        task=info.pipeline_tag,
        library=info.library_name,
        license=licenses[0] if licenses else (card or {}).get("license"),
        languages=_languages(tags, card),
        tags=tuple(tags),
        downloads=info.downloads,
        likes=info.likes,
        trending_score=info.trending_score,
        last_modified=info.last_modified,
        parameters=params,
        gated=bool(info.gated),
        private=bool(info.private),
    )


def dataset_summary(info: DatasetInfo) -> DatasetSummary:
    """A DatasetSummary from huggingface_hub's DatasetInfo."""
    tags = list(info.tags or [])
    card = _card_dict(info)
    licenses = _tag_values(tags, "license:")
    tasks = _tag_values(tags, "task_categories:")
    return DatasetSummary(
        id=info.id,
        author=info.author or (info.id.split("/")[0] if "/" in info.id else None),
        task=tasks[0] if tasks else None,
        license=licenses[0] if licenses else (card or {}).get("license"),
        languages=tuple(_tag_values(tags, "language:")) or _languages([], card),
        tags=tuple(tags),
        downloads=info.downloads,
        likes=info.likes,
        trending_score=info.trending_score,
        last_modified=info.last_modified,
        size_bytes=getattr(info, "used_storage", None),
        gated=bool(info.gated),
        private=bool(info.private),
    )


class RemoteHub:
    """The Hub over HTTP: search page by page, repo info, cards and files."""

    def __init__(
        self,
        endpoint: str | None = None,
        token: str | None = None,
        timeout: float = 10.0,
        cache_dir: Path | None = None,
    ) -> None:
        self.endpoint = (endpoint or load_settings().endpoint).rstrip("/")
        self._token = token
        self.timeout = timeout
        self.cache_dir = cache_dir  # where a downloaded repo is found (None: the settings')
        self.api = HfApi(endpoint=self.endpoint, token=token)

    @classmethod
    def from_settings(cls, settings: Settings, token: str | None = None) -> RemoteHub:
        """A RemoteHub for the configured endpoint, timeout and cache."""
        return cls(settings.endpoint, token=token, timeout=settings.timeout,
                   cache_dir=settings.cache_dir)  # fmt: skip

    def _cached(self, repo_id: str, kind: RepoKind, sha: str | None, files: tuple[RepoFile, ...]
                ) -> str | None:  # fmt: skip
        """The snapshot folder when this revision is downloaded in full, else None."""
        cache_dir = self.cache_dir or load_settings().cache_dir
        found = cached_snapshot(repo_id, kind, sha, [f.path for f in files], cache_dir)
        return str(found) if found else None

    def __repr__(self) -> str:
        return f"RemoteHub(endpoint={self.endpoint!r})"

    @property
    def description(self) -> str:
        """One line naming the backend."""
        return f"Hub · {self.endpoint}"

    @property
    def is_offline(self) -> bool:
        """Always False: this backend talks to a server."""
        return False

    # -- search -----------------------------------------------------------------------------

    def _params(
        self, kind: RepoKind, filters: SearchFilters, sort: Sort, page_size: int
    ) -> list[tuple[str, Any]]:
        params: list[tuple[str, Any]] = [("limit", page_size)]
        if filters.query.strip():
            params.append(("search", filters.query.strip()))
        if filters.author:
            params.append(("author", filters.author))
        tags: list[str] = []
        if filters.task:
            if kind == "model":
                params.append(("pipeline_tag", filters.task))
            else:
                tags.append(f"task_categories:{filters.task}")
        if filters.library:
            tags.append(filters.library if kind == "model" else f"library:{filters.library}")
        if filters.language:
            tags.append(filters.language if kind == "model" else f"language:{filters.language}")
        if filters.license:
            tags.append(f"license:{filters.license}")
        tags.extend(filters.tags)
        params.extend(("filter", t) for t in tags)
        if sort in _SERVER_SORT:
            params.extend([("sort", _SERVER_SORT[sort]), ("direction", "-1")])
        expand = _MODEL_EXPAND if kind == "model" else _DATASET_EXPAND
        params.extend(("expand", e) for e in expand)
        return params

    def _pages(
        self, kind: RepoKind, filters: SearchFilters, sort: Sort, page_size: int
    ) -> Iterator[list[dict[str, Any]]]:
        """Raw result pages, following the `Link: rel="next"` header as the Hub paginates."""
        url: str | None = f"{self.endpoint}/api/{kind}s"
        params: list[tuple[str, Any]] | None = self._params(kind, filters, sort, page_size)
        headers = build_hf_headers(token=self._token)
        session = get_session()
        while url:
            with hub_errors():
                response = session.get(url, params=params, headers=headers, timeout=self.timeout)
                hf_raise_for_status(response)
            yield list(response.json())
            url = response.links.get("next", {}).get("url")
            params = None  # the next link carries every parameter

    def _sorted_pages(
        self, kind: RepoKind, filters: SearchFilters, sort: Sort, page_size: int
    ) -> Iterator[list[dict[str, Any]]]:
        """Pages in `sort` order; by name, the first NAME_SORT_WINDOW matches sorted as one list."""
        if sort != Sort.NAME:
            yield from self._pages(kind, filters, sort, page_size)
            return
        empty: list[dict[str, Any]] = []
        window = next(self._pages(kind, filters, sort, NAME_SORT_WINDOW), empty)
        window.sort(key=lambda item: (str(item.get("id", "")).lower(), str(item.get("id", ""))))
        for start in range(0, len(window), page_size):
            yield window[start : start + page_size]

    def iter_model_pages(
        self, filters: SearchFilters, sort: Sort = Sort.DOWNLOADS, page_size: int = 50
    ) -> Iterator[list[ModelSummary]]:
        """Model results page by page, so the first rows show at once."""
        for page in self._sorted_pages("model", filters, sort, page_size):
            yield [model_summary(ModelInfo(**item)) for item in page]

    def iter_dataset_pages(
        self, filters: SearchFilters, sort: Sort = Sort.DOWNLOADS, page_size: int = 50
    ) -> Iterator[list[DatasetSummary]]:
        """Dataset results page by page."""
        for page in self._sorted_pages("dataset", filters, sort, page_size):
            yield [dataset_summary(DatasetInfo(**item)) for item in page]

    def search_models(
        self, filters: SearchFilters, sort: Sort = Sort.DOWNLOADS, limit: int = 50
    ) -> list[ModelSummary]:
        """At most `limit` models matching `filters`."""
        pages = self.iter_model_pages(filters, sort, page_size=min(limit, 1000))
        return list(islice((m for page in pages for m in page), limit))

    def search_datasets(
        self, filters: SearchFilters, sort: Sort = Sort.DOWNLOADS, limit: int = 50
    ) -> list[DatasetSummary]:
        """At most `limit` datasets matching `filters`."""
        pages = self.iter_dataset_pages(filters, sort, page_size=min(limit, 1000))
        return list(islice((d for page in pages for d in page), limit))

    # -- one repo ---------------------------------------------------------------------------

    def model_info(self, repo_id: str) -> RepoDetails:
        """Details of one model, with file sizes and parameter count."""
        repo_id = validate_repo_id(repo_id)
        with hub_errors(repo_id):
            info = self.api.model_info(repo_id, files_metadata=True, timeout=self.timeout)
        files = _files(info)
        return RepoDetails(
            summary=model_summary(info),
            files=files,
            card_data=_card_dict(info) or {},
            sha=info.sha,
            local_path=self._cached(repo_id, "model", info.sha, files),
        )

    def dataset_info(self, repo_id: str) -> RepoDetails:
        """Details of one dataset, with file sizes."""
        repo_id = validate_repo_id(repo_id)
        with hub_errors(repo_id):
            info = self.api.dataset_info(repo_id, files_metadata=True, timeout=self.timeout)
        files = _files(info)
        return RepoDetails(
            summary=dataset_summary(info),
            files=files,
            card_data=_card_dict(info) or {},
            sha=info.sha,
            local_path=self._cached(repo_id, "dataset", info.sha, files),
        )

    def card(self, repo_id: str, kind: RepoKind = "model") -> str:
        """The raw README.md of a repo ('' when it has none)."""
        from huggingface_hub import hf_hub_download  # pyright: ignore[reportUnknownVariableType]
        from huggingface_hub.errors import EntryNotFoundError

        repo_id = validate_repo_id(repo_id)
        with hub_errors(repo_id):
            try:
                path = hf_hub_download(
                    repo_id,
                    "README.md",
                    repo_type=kind,
                    endpoint=self.endpoint,
                    token=self._token,
                    etag_timeout=self.timeout,
                )
            except EntryNotFoundError:
                return ""
            from hf_ecosystem.safe_files import read_text_bounded

            return read_text_bounded(path, errors="replace")

    def files(self, repo_id: str, kind: RepoKind = "model") -> list[RepoFile]:
        """The repo's files with sizes."""
        details = self.model_info(repo_id) if kind == "model" else self.dataset_info(repo_id)
        return list(details.files)


def _files(info: ModelInfo | DatasetInfo) -> tuple[RepoFile, ...]:
    files = [
        RepoFile(path=s.rfilename, size=s.size, lfs=s.lfs is not None) for s in info.siblings or []
    ]
    return tuple(sorted(files, key=lambda f: f.path))
