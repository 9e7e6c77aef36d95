"""LocalHub: the offline HubBackend over local repo folders and the huggingface_hub cache."""

from __future__ import annotations

import hashlib
import os
import stat
import threading
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from hf_ecosystem.errors import CardError, HfEcoError, RepoNotFoundError
from hf_ecosystem.hub.index_fields import card_fields
from hf_ecosystem.hub.local_index import IndexRecord, LocalIndex, StoredRepo
from hf_ecosystem.hub.repo_id import validate_repo_id
from hf_ecosystem.hub.safetensors_meta import total_parameters, weight_files
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
from hf_ecosystem.paths import user_path
from hf_ecosystem.safe_files import inside, read_text_bounded

if TYPE_CHECKING:
    from hf_ecosystem.config import Settings

_KIND_DIRS: tuple[tuple[RepoKind, str], ...] = (("model", "models"), ("dataset", "datasets"))
_CACHE_PREFIXES = ("models--", "datasets--")
_META_CACHE_SIG = "cache_signature"
Key = tuple[str, str, str]  # (kind, repo id, source)


@dataclass(frozen=True, slots=True)
class RefreshStats:
    """What one index refresh did: repos added, re-parsed, removed and left alone."""

    added: int = 0
    updated: int = 0
    removed: int = 0
    unchanged: int = 0
    seconds: float = 0.0
    warnings: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class _Candidate:
    """A repo found on disk, with what is needed to (re)build its index record."""

    kind: RepoKind
    id: str
    source: str
    path: Path
    stamp: str
    files: tuple[tuple[str, int | None, float | None], ...] | None = None  # None: walk `path`
    sha: str | None = None


def _mtime_ns(path: Path | str) -> int:
    try:
        return Path(path).stat().st_mtime_ns
    except OSError:
        return -1


class LocalHub:
    """The embedded offline hub: repo folders and the HF cache in SQLite, refreshed on first use."""

    def __init__(
        self, roots: Sequence[Path], index_path: Path, cache_dir: Path | None = None
    ) -> None:
        self.roots = [user_path(r) for r in roots]
        self.cache_dir = user_path(cache_dir) if cache_dir is not None else None
        self.index = LocalIndex(user_path(index_path))
        self._refresh_lock = threading.Lock()
        self._refreshed = False

    @classmethod
    def from_settings(cls, settings: Settings) -> LocalHub:
        """A LocalHub over the configured roots, index file and HF cache."""
        return cls(settings.local_hub_roots, settings.index_path, settings.cache_dir)

    @property
    def description(self) -> str:
        """One line for the header; reads the index as it is, without a refresh."""
        try:
            return f"offline · local hub · {self.index.count()} repos"
        except HfEcoError:  # the header must render even when the index cannot be opened
            return "offline · local hub"

    @property
    def is_offline(self) -> bool:
        """Always True: the local hub never touches the network."""
        return True

    def refresh(self) -> RefreshStats:
        """Bring the index up to date, re-parsing only repos whose mtimes changed."""
        with self._refresh_lock:
            stats = self._refresh()
            self._refreshed = True
            return stats

    def _ensure_fresh(self) -> None:
        if not self._refreshed:
            with self._refresh_lock:
                if not self._refreshed:
                    self._refresh()
                    self._refreshed = True

    def _refresh(self) -> RefreshStats:
        start = time.perf_counter()
        stored = self.index.stamps()
        warnings: list[str] = []
        found = self._scan_roots()
        meta: dict[str, str] = {}
        signature = self._cache_signature()
        old_signature = self.index.get_meta(_META_CACHE_SIG) or ""
        if signature is not None and signature == old_signature:
            # Nothing in the cache moved: keep its rows without paying for scan_cache_dir.
            found.update({k: None for k in stored if k[2] == "cache"})
        elif signature is not None:
            try:
                found.update(self._scan_cache(warnings))
                meta[_META_CACHE_SIG] = signature
            except Exception as exc:  # a broken cache must not take the folder repos down
                warnings.append(f"cannot scan the cache {self.cache_dir}: {exc}")
                found.update({k: None for k in stored if k[2] == "cache"})
        elif old_signature:
            meta[_META_CACHE_SIG] = ""
        removed = [k for k in stored if k not in found]
        todo = [c for k, c in found.items() if c is not None and stored.get(k) != c.stamp]
        records = [self._record(c, warnings) for c in todo]
        if removed or records or meta:
            self.index.apply(removed, records, meta)
        added = sum(1 for c in todo if (c.kind, c.id, c.source) not in stored)
        return RefreshStats(
            added=added,
            updated=len(todo) - added,
            removed=len(removed),
            unchanged=len(found) - len(todo),
            seconds=time.perf_counter() - start,
            warnings=tuple(warnings),
        )

    def _scan_roots(self) -> dict[Key, _Candidate | None]:
        found: dict[Key, _Candidate | None] = {}
        for root in self.roots:
            for kind, sub in _KIND_DIRS:
                for repo_id, path in _walk_kind_dir(root / sub):
                    key = (kind, repo_id, "local")
                    if key in found:
                        continue  # an earlier root wins
                    readme = path / "README.md"
                    try:
                        st = readme.stat()
                        card = f"{st.st_mtime_ns}:{st.st_size}"
                    except OSError:
                        card = "-"
                    stamp = f"{_mtime_ns(path)}:{card}"
                    found[key] = _Candidate(kind, repo_id, "local", path, stamp)
        return found

    def _cache_signature(self) -> str | None:
        """A digest of the cache's repo, refs and snapshot folders; None without a cache."""
        cache = self.cache_dir
        if cache is None or not cache.is_dir():
            return None
        digest = hashlib.blake2b(str(cache).encode(), digest_size=16)
        with os.scandir(cache) as it:
            names = sorted(e.name for e in it if e.name.startswith(_CACHE_PREFIXES))
        for name in names:
            repo = cache / name
            parts: list[Any] = [name, _mtime_ns(repo), _mtime_ns(repo / "refs")]
            parts.append(_mtime_ns(repo / "snapshots"))
            # Revision folders too: a later download into an existing revision only touches them.
            try:
                with os.scandir(repo / "snapshots") as it:
                    parts += sorted((e.name, e.stat().st_mtime_ns) for e in it)
            except OSError:
                pass
            digest.update(repr(parts).encode())
        return digest.hexdigest()

    def _scan_cache(self, warnings: list[str]) -> dict[Key, _Candidate | None]:
        import huggingface_hub

        assert self.cache_dir is not None
        info = huggingface_hub.scan_cache_dir(self.cache_dir)
        warnings += [str(w) for w in info.warnings]
        found: dict[Key, _Candidate | None] = {}
        for repo in info.repos:
            kind = repo.repo_type
            if kind not in ("model", "dataset") or not repo.revisions:
                continue
            try:
                repo_id = validate_repo_id(repo.repo_id)
            except HfEcoError:
                continue
            rev = max(repo.revisions, key=lambda r: (r.last_modified, "main" in r.refs))
            snap = rev.snapshot_path
            files = tuple(
                sorted(
                    (f.file_path.relative_to(snap).as_posix(), f.size_on_disk, f.blob_last_modified)
                    for f in rev.files
                )
            )
            stamp = f"{rev.commit_hash}:{rev.last_modified}:{len(files)}:{rev.size_on_disk}"
            stamp += f":{_mtime_ns(snap)}:{_mtime_ns(snap / 'README.md')}"
            key = (kind, repo_id, "cache")
            found[key] = _Candidate(kind, repo_id, "cache", snap, stamp, files, rev.commit_hash)
        return found

    def _record(self, c: _Candidate, warnings: list[str]) -> IndexRecord:
        files = c.files if c.files is not None else _walk_files(c.path)
        card_path = c.path / "README.md"
        has_card = any(rel == "README.md" for rel, _, _ in files)
        fields: dict[str, Any] = {}
        card_data: dict[str, Any] = {}
        card_error = None
        if has_card:
            try:
                text = read_text_bounded(card_path, root=_repo_root(c.path))
                fields, card_data = card_fields(c.kind, text)
            except (OSError, UnicodeDecodeError, CardError) as exc:
                # A bad card still leaves a browsable repo: index what the files tell us.
                card_error = str(exc)
                warnings.append(f"{c.kind} {c.id}: {card_error}")
        parameters = None
        weights = weight_files(rel for rel, _, _ in files) if c.kind == "model" else []
        if weights:
            try:
                parameters = total_parameters(c.path / rel for rel in weights)
            except HfEcoError as exc:
                warnings.append(f"{c.kind} {c.id}: {exc}")
        mtimes = [m for _, _, m in files if m is not None]
        sizes = [s for _, s, _ in files if s is not None]
        return IndexRecord(
            kind=c.kind,
            id=c.id,
            source=c.source,
            path=str(c.path),
            stamp=c.stamp,
            card_path=str(card_path) if has_card else None,
            sha=c.sha,
            author=c.id.partition("/")[0] if "/" in c.id else None,
            last_modified=max(mtimes) if mtimes else None,
            parameters=parameters,
            size_bytes=sum(sizes),
            card_error=card_error,
            files=tuple((rel, size) for rel, size, _ in files),
            card_data=card_data,
            **fields,
        )

    def count(self, kind: RepoKind | None = None) -> int:
        """How many repos the index holds (of one kind, or all)."""
        self._ensure_fresh()
        return self.index.count(kind)

    def search_models(
        self, filters: SearchFilters, sort: Sort = Sort.DOWNLOADS, limit: int = 50
    ) -> list[ModelSummary]:
        """At most `limit` local models matching `filters`, in `sort` order."""
        self._ensure_fresh()
        found = self.index.search("model", filters, sort, limit)
        return [s for s in found if isinstance(s, ModelSummary)]

    def search_datasets(
        self, filters: SearchFilters, sort: Sort = Sort.DOWNLOADS, limit: int = 50
    ) -> list[DatasetSummary]:
        """At most `limit` local datasets matching `filters`, in `sort` order."""
        self._ensure_fresh()
        found = self.index.search("dataset", filters, sort, limit)
        return [s for s in found if isinstance(s, DatasetSummary)]

    def iter_model_pages(
        self, filters: SearchFilters, sort: Sort = Sort.DOWNLOADS, page_size: int = 50
    ) -> Iterator[list[ModelSummary]]:
        """Local model results page by page."""
        for page in self._pages("model", filters, sort, page_size):
            yield [s for s in page if isinstance(s, ModelSummary)]

    def iter_dataset_pages(
        self, filters: SearchFilters, sort: Sort = Sort.DOWNLOADS, page_size: int = 50
    ) -> Iterator[list[DatasetSummary]]:
        """Local dataset results page by page."""
        for page in self._pages("dataset", filters, sort, page_size):
            yield [s for s in page if isinstance(s, DatasetSummary)]

    def _pages(
        self, kind: RepoKind, filters: SearchFilters, sort: Sort, size: int
    ) -> Iterator[list[RepoSummary]]:
        self._ensure_fresh()
        size = max(size, 1)
        offset = 0
        while True:
            page = self.index.search(kind, filters, sort, size, offset)
            if page:
                yield page
            if len(page) < size:
                return
            offset += size

    def _get(self, repo_id: str, kind: RepoKind) -> StoredRepo:
        repo_id = validate_repo_id(repo_id)
        self._ensure_fresh()
        stored = self.index.get(kind, repo_id)
        if stored is None:
            roots = ", ".join(str(r) for r in self.roots) or "none"
            cache = f"; cache: {self.cache_dir}" if self.cache_dir else ""
            raise RepoNotFoundError(
                f"No {kind} {repo_id!r} in the local hub",
                f"Local hub roots: {roots}{cache}. Put it under <root>/{kind}s/{repo_id}/ "
                "or go online.",
            )
        return stored

    def model_info(self, repo_id: str) -> RepoDetails:
        """Details of one local model."""
        return self._details(repo_id, "model")

    def dataset_info(self, repo_id: str) -> RepoDetails:
        """Details of one local dataset."""
        return self._details(repo_id, "dataset")

    def _details(self, repo_id: str, kind: RepoKind) -> RepoDetails:
        s = self._get(repo_id, kind)
        card_data = dict(s.card_data)
        if s.card_error:
            card_data["card_error"] = s.card_error
        return RepoDetails(s.summary, s.files, card_data, sha=s.sha, local_path=s.path)

    def card(self, repo_id: str, kind: RepoKind = "model") -> str:
        """The raw README.md card text ('' when the repo has none)."""
        s = self._get(repo_id, kind)
        if s.card_path is None:
            return ""
        try:
            return read_text_bounded(s.card_path, root=_repo_root(Path(s.path)), errors="replace")
        except FileNotFoundError:
            return ""
        except OSError as exc:
            raise HfEcoError(f"Cannot read {s.card_path}", exc.strerror or str(exc)) from exc

    def files(self, repo_id: str, kind: RepoKind = "model") -> list[RepoFile]:
        """The repo's files (paths relative to the repo) with sizes."""
        return list(self._get(repo_id, kind).files)

    def local_path(self, repo_id: str, kind: RepoKind = "model") -> Path:
        """The folder (or cache snapshot) holding the repo's files."""
        return Path(self._get(repo_id, kind).path)


def _repo_root(path: Path) -> Path:
    """The folder a repo's files may link into: the repo folder, or for a cache snapshot
    (`models--org--name/snapshots/<sha>`, whose files link to `../../blobs`) the cache repo."""
    return path.parent.parent if path.parent.name == "snapshots" else path


def _walk_kind_dir(base: Path) -> Iterator[tuple[str, Path]]:
    """(repo id, folder) under `<root>/models` or `<root>/datasets`: `org/name` or bare `name`."""
    for top in _subdirs(base):
        try:
            with os.scandir(top) as it:
                entries = [e for e in it if not e.name.startswith(".")]
        except OSError:
            continue
        # A folder holding files is a repo without an org (like `gpt2`); one of folders is an org.
        if any(e.is_file() for e in entries):
            candidates = [(top.name, top)]
        else:
            candidates = [
                (f"{top.name}/{e.name}", Path(e.path))
                for e in entries
                if e.is_dir() and (not e.is_symlink() or inside(e.path, base.parent))
            ]
        for repo_id, path in candidates:
            try:
                yield validate_repo_id(repo_id), path
            except HfEcoError:
                continue


def _subdirs(base: Path) -> list[Path]:
    """Folders under `base`; a link to a folder outside the hub root is not followed."""
    try:
        with os.scandir(base) as it:
            dirs = [e for e in it if e.is_dir() and not e.name.startswith(".")]
    except OSError:
        return []
    hub_root = base.parent
    return sorted(Path(e.path) for e in dirs if not e.is_symlink() or inside(e.path, hub_root))


def _walk_files(path: Path) -> tuple[tuple[str, int | None, float | None], ...]:
    """(relative path, size, mtime) of every regular file in a repo folder, skipping .git and
    .cache, special files (FIFOs, devices) and links that lead out of the folder."""
    out: list[tuple[str, int | None, float | None]] = []
    for dirpath, dirnames, filenames in os.walk(path):  # never descends into linked folders
        dirnames[:] = sorted(d for d in dirnames if not d.startswith("."))
        rel_dir = Path(dirpath).relative_to(path).as_posix()
        for name in sorted(filenames):
            full = os.path.join(dirpath, name)  # noqa: PTH118 - hot loop
            try:
                st = os.lstat(full)
                if stat.S_ISLNK(st.st_mode):
                    if not inside(full, path):
                        continue  # a link out of the repo is not a file of the repo
                    st = os.stat(full)  # noqa: PTH116
            except OSError:
                continue  # a broken symlink is not a file of the repo
            if not stat.S_ISREG(st.st_mode):
                continue  # a FIFO or a device: reading it would block or never end
            rel = name if rel_dir == "." else f"{rel_dir}/{name}"
            out.append((rel, st.st_size, st.st_mtime))
    return tuple(out)
