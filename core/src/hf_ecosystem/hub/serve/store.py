"""The repos `hf-tui hub serve` serves: the local hub's folders (and HF cache snapshots), read
through LocalHub, and new commits and tags written into the local hub's first root.

A repo's `main` is its folder as it is now; its commit id is derived from its files' git ids.
A tag keeps a copy of the files it names (`.hftui/objects/<sha256>`, listed in
`.hftui/tags.json`), so a tagged revision stays downloadable after later commits.
"""

from __future__ import annotations

import json
import os
import secrets
import shutil
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from hf_ecosystem.errors import HfEcoError, RepoNotFoundError
from hf_ecosystem.hub.local import LocalHub
from hf_ecosystem.hub.repo_id import validate_repo_id
from hf_ecosystem.hub.serve.blobs import (
    GITATTRIBUTES,
    BlobInfo,
    Digests,
    Hasher,
    blob_info,
    commit_id,
)
from hf_ecosystem.hub.serve.http import HubHttpError
from hf_ecosystem.hub.serve.repo_paths import PRIVATE_PREFIX, checked_path, target_in, walk_repo
from hf_ecosystem.hub.types import RepoDetails, RepoKind

if TYPE_CHECKING:
    from hf_ecosystem.config import Settings

_REFRESH_EVERY = 2.0  # seconds: other processes (a demo seed, the app) change the hub too
_MAIN = ("main", "refs/heads/main")


@dataclass(frozen=True, slots=True)
class ServedRepo:
    """A repo found in the local hub: where its files are and whether commits may go there."""

    kind: RepoKind
    repo_id: str
    folder: Path
    root: Path  # links inside the repo may lead anywhere under this (a cache repo's blobs)
    writable: bool
    details: RepoDetails


@dataclass(frozen=True, slots=True)
class ServedFile:
    """One file of a revision: where its bytes are and how the Hub describes it."""

    location: Path
    info: BlobInfo


@dataclass(frozen=True, slots=True)
class Snapshot:
    """A revision of a repo: its commit id and files by path."""

    sha: str
    files: dict[str, ServedFile]


class RepoStore:
    """Finds, reads and writes the served repos; safe to use from many request threads."""

    def __init__(self, settings: Settings) -> None:
        self.hub = LocalHub.from_settings(settings)
        self.write_root = settings.local_hub_roots[0]
        self._lock = threading.RLock()
        self._digests: dict[tuple[str, int, int, int], Digests] = {}
        self._refreshed_at = -_REFRESH_EVERY

    def refresh(self, *, force: bool = False) -> None:
        """Bring the local hub index up to date (at most every few seconds unless forced)."""
        now = time.monotonic()
        if force or now - self._refreshed_at >= _REFRESH_EVERY:
            self.hub.refresh()
            self._refreshed_at = now

    def get(self, kind: RepoKind, repo_id: str) -> ServedRepo:
        """The repo, or HubHttpError 404 RepoNotFound (400 for an id that is not one)."""
        try:
            repo_id = validate_repo_id(repo_id)
        except HfEcoError as exc:
            raise HubHttpError(400, exc.title, "InvalidRepoId") from exc
        self.refresh()
        try:
            details = (self.hub.model_info if kind == "model" else self.hub.dataset_info)(repo_id)
        except RepoNotFoundError:
            raise HubHttpError(404, "Repository not found", "RepoNotFound") from None
        folder = Path(details.local_path or "")
        cached = folder.parent.name == "snapshots"
        root = folder.parent.parent if cached else folder
        writable = details.summary.source == "local" and folder.is_dir()
        return ServedRepo(kind, repo_id, folder, root, writable, details)

    def snapshot(self, repo: ServedRepo, revision: str) -> Snapshot:
        """The files at `revision`: main, the current commit id, a tag or a tagged commit id."""
        current = self._current(repo)
        if revision in (*_MAIN, current.sha):
            return current
        name = revision.removeprefix("refs/tags/")
        tags = _read_tags(repo.folder)
        entry = tags.get(name) or next((t for t in tags.values() if t["sha"] == revision), None)
        if entry is None:
            raise HubHttpError(404, f"Invalid rev id: {revision}", "RevisionNotFound")
        objects = repo.folder / PRIVATE_PREFIX / "objects"
        files = {
            path: ServedFile(objects / f["sha256"], blob_info(path, f["size"], _digests_of(f)))
            for path, f in entry["files"].items()
        }
        return Snapshot(entry["sha"], files)

    def tags(self, repo: ServedRepo) -> dict[str, str]:
        """Tag name -> commit id."""
        return {name: t["sha"] for name, t in sorted(_read_tags(repo.folder).items())}

    def _current(self, repo: ServedRepo) -> Snapshot:
        files: dict[str, ServedFile] = {}
        for rel, path, info in walk_repo(repo.folder, repo.root):
            files[rel] = ServedFile(path, blob_info(rel, info.st_size, self._file_digests(path)))
        sha = repo.details.sha or commit_id(
            repo.kind, repo.repo_id, {p: f.info.oid for p, f in files.items()}
        )
        return Snapshot(sha, files)

    def _file_digests(self, path: Path) -> Digests:
        info = path.stat()
        key = (str(path), info.st_size, info.st_mtime_ns, info.st_ino)
        found = self._digests.get(key)
        if found is None:
            hasher = Hasher(info.st_size)
            with path.open("rb") as handle:
                while chunk := handle.read(1 << 20):
                    hasher.update(chunk)
            found = self._digests[key] = hasher.digests()
        return found

    # -- writing ----------------------------------------------------------------------------

    def folder_for(self, kind: RepoKind, repo_id: str) -> Path:
        """Where a new repo of this id goes."""
        return self.write_root / f"{kind}s" / repo_id

    def create(self, kind: RepoKind, repo_id: str) -> bool:
        """Make an empty repo (with the Hub's .gitattributes); False when it already exists."""
        with self._lock:
            try:
                self.get(kind, repo_id)
                return False
            except HubHttpError as exc:
                if exc.status != 404:
                    raise
            folder = self.folder_for(kind, repo_id)
            if folder.exists():
                return False
            folder.mkdir(parents=True)
            (folder / ".gitattributes").write_bytes(GITATTRIBUTES)
            self.refresh(force=True)
            return True

    def commit(
        self,
        repo: ServedRepo,
        adds: dict[str, bytes],
        deletes: list[str],
        deleted_folders: list[str],
        parent: str | None = None,
    ) -> str:
        """Apply one commit to the repo's folder; its new commit id."""
        _check_writable(repo)
        with self._lock:
            current = self._current(repo)
            if parent and parent != current.sha:
                raise HubHttpError(412, "A commit has happened since. Please refresh and retry.")
            targets = {rel: target_in(repo.folder, rel) for rel in adds}
            for rel in deletes:
                if checked_path(rel) not in current.files:
                    raise HubHttpError(404, f"A file with this name doesn't exist: {rel}")
            gone = [target_in(repo.folder, rel) for rel in deleted_folders]
            for rel, target in targets.items():
                _write_atomically(target, adds[rel])
            for rel in deletes:
                (repo.folder / rel).unlink(missing_ok=True)
            for folder in gone:
                if folder.is_dir() and not folder.is_symlink():
                    shutil.rmtree(folder)
            os.utime(repo.folder)  # the local hub re-reads a repo whose folder mtime moved
            self.refresh(force=True)
            return self._current(repo).sha

    def tag(self, repo: ServedRepo, revision: str, name: str) -> None:
        """Tag `revision` as `name`, keeping a copy of its files; 409 when the tag exists."""
        _check_writable(repo)
        with self._lock:
            tags = _read_tags(repo.folder)
            if name in tags:
                raise HubHttpError(409, f"Tag {name} already exists")
            snap = self.snapshot(repo, revision)
            objects = repo.folder / PRIVATE_PREFIX / "objects"
            objects.mkdir(parents=True, exist_ok=True)
            files: dict[str, Any] = {}
            for path, served in snap.files.items():
                stored = objects / served.info.sha256
                if not stored.exists():
                    _copy_atomically(served.location, stored)
                info = served.info
                git = "" if info.lfs else info.oid  # an LFS file's id comes from its pointer
                files[path] = {"sha256": info.sha256, "size": info.size, "git": git}
            tags[name] = {"sha": snap.sha, "files": files}
            _write_atomically(repo.folder / PRIVATE_PREFIX / "tags.json", json.dumps(tags).encode())


def _check_writable(repo: ServedRepo) -> None:
    if not repo.writable:
        raise HubHttpError(
            403, f"{repo.repo_id} is read-only here: it is in the HF cache, not a local hub folder"
        )


def _read_tags(folder: Path) -> dict[str, Any]:
    try:
        data = json.loads((folder / PRIVATE_PREFIX / "tags.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}  # pyright: ignore[reportUnknownVariableType]


def _digests_of(entry: dict[str, Any]) -> Digests:
    """A tagged file's digests (blob_info derives an LFS file's id from its pointer)."""
    return Digests(str(entry.get("git") or ""), str(entry["sha256"]))


def _write_atomically(target: Path, content: bytes) -> None:
    target.parent.mkdir(parents=True, exist_ok=True)
    if target.is_dir() and not target.is_symlink():
        raise HubHttpError(400, f"{target.name} is a folder in the repo")
    temp = target.with_name(f"{PRIVATE_PREFIX}-tmp-{secrets.token_hex(6)}")
    try:
        temp.write_bytes(content)
        temp.replace(target)
    finally:
        temp.unlink(missing_ok=True)


def _copy_atomically(source: Path, target: Path) -> None:
    temp = target.with_name(f"{PRIVATE_PREFIX}-tmp-{secrets.token_hex(6)}")
    try:
        shutil.copyfile(source, temp)
        temp.replace(target)
    finally:
        temp.unlink(missing_ok=True)
