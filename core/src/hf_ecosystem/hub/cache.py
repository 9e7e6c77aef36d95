"""The local model cache: list repos and revisions, delete a revision, download with progress."""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from hf_ecosystem.config import Settings, load_settings
from hf_ecosystem.errors import CacheError, HfEcoError
from hf_ecosystem.hub.http_errors import hub_errors
from hf_ecosystem.hub.repo_id import validate_repo_id
from hf_ecosystem.hub.types import RepoKind


@dataclass(frozen=True, slots=True)
class CachedRevision:
    """One cached revision (commit) of a repo."""

    commit: str
    refs: tuple[str, ...]
    size_bytes: int
    nb_files: int
    last_modified: datetime


@dataclass(frozen=True, slots=True)
class CachedRepo:
    """One repo in the cache with its revisions."""

    repo_id: str
    kind: str
    size_bytes: int
    nb_files: int
    last_modified: datetime
    path: str
    revisions: tuple[CachedRevision, ...]

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready mapping."""
        return {
            "repo_id": self.repo_id,
            "kind": self.kind,
            "size_bytes": self.size_bytes,
            "nb_files": self.nb_files,
            "last_modified": self.last_modified.isoformat(),
            "path": self.path,
            "revisions": [
                {
                    "commit": r.commit,
                    "refs": list(r.refs),
                    "size_bytes": r.size_bytes,
                    "nb_files": r.nb_files,
                    "last_modified": r.last_modified.isoformat(),
                }
                for r in self.revisions
            ],
        }


def _ts(value: float) -> datetime:
    return datetime.fromtimestamp(value, tz=UTC)


def list_cache(cache_dir: Path | None = None) -> list[CachedRepo]:
    """Every cached repo, largest first; an absent cache is empty, not an error."""
    from huggingface_hub import scan_cache_dir
    from huggingface_hub.errors import CacheNotFound

    cache_dir = cache_dir or load_settings().cache_dir
    try:
        info = scan_cache_dir(cache_dir)
    except CacheNotFound:
        return []
    repos = [
        CachedRepo(
            repo_id=repo.repo_id,
            kind=repo.repo_type,
            size_bytes=repo.size_on_disk,
            nb_files=repo.nb_files,
            last_modified=_ts(repo.last_modified),
            path=str(repo.repo_path),
            revisions=tuple(
                sorted(
                    (
                        CachedRevision(
                            commit=rev.commit_hash,
                            refs=tuple(sorted(rev.refs)),
                            size_bytes=rev.size_on_disk,
                            nb_files=rev.nb_files,
                            last_modified=_ts(rev.last_modified),
                        )
                        for rev in repo.revisions
                    ),
                    key=lambda r: r.last_modified,
                    reverse=True,
                )
            ),
        )
        for repo in info.repos
    ]
    return sorted(repos, key=lambda r: (-r.size_bytes, r.repo_id))


def delete_from_cache(
    repo_id: str,
    revision: str | None = None,
    *,
    kind: str | None = None,
    cache_dir: Path | None = None,
) -> int:
    """Delete one revision (commit, prefix or ref) or, without one, the whole repo; bytes freed."""
    from huggingface_hub import scan_cache_dir
    from huggingface_hub.errors import CacheNotFound

    repo_id = validate_repo_id(repo_id)
    cache_dir = cache_dir or load_settings().cache_dir
    try:
        info = scan_cache_dir(cache_dir)
    except CacheNotFound as exc:
        raise CacheError(f"{repo_id} is not in the cache", "The cache is empty.") from exc
    repos = [
        r for r in info.repos if r.repo_id == repo_id and (kind is None or r.repo_type == kind)
    ]
    if not repos:
        raise CacheError(f"{repo_id} is not in the cache")
    hashes: list[str] = []
    for repo in repos:
        for rev in repo.revisions:
            if revision is None or rev.commit_hash.startswith(revision) or revision in rev.refs:
                hashes.append(rev.commit_hash)
    if not hashes:
        known = ", ".join(
            sorted(
                {r.commit_hash[:8] for repo in repos for r in repo.revisions}
                | {ref for repo in repos for r in repo.revisions for ref in r.refs}
            )
        )
        raise CacheError(f"Revision {revision!r} of {repo_id} is not cached", f"Cached: {known}.")
    strategy = info.delete_revisions(*hashes)
    freed = strategy.expected_freed_size
    strategy.execute()
    return freed


@dataclass(frozen=True, slots=True)
class DownloadProgress:
    """Bytes done out of the total, and the file being fetched."""

    done: int
    total: int
    filename: str
    files_done: int
    files_total: int


ProgressCallback = Callable[[DownloadProgress], None]


class DownloadCancelled(HfEcoError):
    """The user cancelled a download; partial files stay and resume next time."""

    default_title = "Download cancelled"
    default_hint = "Start it again to resume where it stopped."


class _Counter:
    """Aggregates byte progress over files and checks for cancellation on every update."""

    def __init__(
        self,
        total: int,
        files_total: int,
        callback: ProgressCallback | None,
        cancel: threading.Event | None,
    ) -> None:
        self.done = 0
        self.total = total
        self.files_done = 0
        self.files_total = files_total
        self.filename = ""
        self.callback = callback
        self.cancel = cancel
        self.lock = threading.Lock()

    def add(self, n: int) -> None:
        if self.cancel is not None and self.cancel.is_set():
            raise DownloadCancelled()
        with self.lock:
            self.done += n
            progress = DownloadProgress(
                self.done, self.total, self.filename, self.files_done, self.files_total
            )
        if self.callback is not None:
            self.callback(progress)


def _tqdm_class(counter: _Counter) -> type:
    from tqdm.auto import tqdm

    class ProgressTqdm(tqdm):  # type: ignore[misc]
        """A silent tqdm that reports bytes to our counter."""

        def __init__(self, *args: Any, **kwargs: Any) -> None:
            kwargs["disable"] = True
            kwargs.pop("name", None)
            super().__init__(*args, **kwargs)  # pyright: ignore[reportUnknownMemberType]  (untyped **kwargs)
            initial = int(kwargs.get("initial") or 0)
            if initial:
                counter.add(initial)  # bytes already on disk from an earlier, resumed attempt

        def update(self, n: float | None = 1) -> bool | None:
            counter.add(int(n or 0))
            return None

    return ProgressTqdm


def cached_snapshot(
    repo_id: str, kind: RepoKind, sha: str | None, files: Sequence[str], cache_dir: Path
) -> Path | None:
    """The cache's snapshot folder of `repo_id` at commit `sha` when it holds every one of
    `files` (a full download of that revision); None otherwise."""
    from huggingface_hub.file_download import repo_folder_name

    if not sha:
        return None
    folder = cache_dir / repo_folder_name(repo_id=repo_id, repo_type=kind) / "snapshots" / sha
    if folder.is_dir() and all((folder / name).exists() for name in files):
        return folder
    return None


def download(
    repo_id: str,
    *,
    kind: RepoKind = "model",
    files: Sequence[str] | None = None,
    revision: str | None = None,
    progress: ProgressCallback | None = None,
    cancel: threading.Event | None = None,
    settings: Settings | None = None,
    token: str | None = None,
) -> Path:
    """Download a repo (or some of its files) into the cache; returns the snapshot folder."""
    from huggingface_hub import HfApi, hf_hub_download  # pyright: ignore[reportUnknownVariableType]

    from hf_ecosystem.hub.auth import current_token

    repo_id = validate_repo_id(repo_id)
    settings = settings or load_settings()
    token = token or current_token()
    api = HfApi(endpoint=settings.endpoint, token=token)
    with hub_errors(repo_id):
        get_info = api.model_info if kind == "model" else api.dataset_info
        info = get_info(repo_id, revision=revision, files_metadata=True, timeout=settings.timeout)
    sizes = {s.rfilename: s.size or 0 for s in info.siblings or []}
    wanted = list(files) if files else sorted(sizes)
    missing = [f for f in wanted if f not in sizes]
    if missing:
        raise CacheError(f"{missing[0]} is not a file of {repo_id}", "List its files first.")
    counter = _Counter(sum(sizes[f] for f in wanted), len(wanted), progress, cancel)
    tqdm_class = _tqdm_class(counter)
    last: Path | None = None
    for name in wanted:
        counter.filename = name
        with hub_errors(repo_id):
            path = hf_hub_download(
                repo_id,
                name,
                repo_type=kind,
                revision=revision,  # resolving the ref writes refs/<ref> like the hf CLI
                cache_dir=settings.cache_dir,
                endpoint=settings.endpoint,
                token=token,
                etag_timeout=settings.timeout,
                tqdm_class=tqdm_class,
            )
        counter.files_done += 1
        counter.add(0)
        last = Path(path)
    if last is None:
        raise CacheError(f"{repo_id} has no files to download")
    # The snapshot folder is the file's path minus the file's own relative path.
    return last.parents[len(Path(wanted[-1]).parts) - 1]
