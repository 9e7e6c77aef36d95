"""Publishing into the offline local hub: each version a revision under `.revisions/<name>/`.

The repo's top level (`$HFTUI_HOME/hub/models/<org>/<name>/`, what LocalHub indexes and
transformers loads) always holds the newest version; LocalHub's file walk skips dot folders.
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from hf_ecosystem.config import Settings, load_settings
from hf_ecosystem.hub.repo_id import REVISION_NAME_HINT, is_revision_name, validate_repo_id
from hf_ecosystem.publishing.plan import PublishError, PublishPlan, PublishResult

REVISIONS_DIR = ".revisions"
REVISION_META = ".publish.json"
Progress = Callable[[int, int], None]


@dataclass(frozen=True, slots=True)
class LocalRevision:
    """One published version of a local-hub model, kept under `.revisions/<name>/`."""

    name: str
    path: str
    created_at: float
    message: str = ""
    files: tuple[str, ...] = ()
    total_bytes: int = 0
    current: bool = False  # the newest: the repo's top level holds the same files

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready."""
        return {
            "name": self.name,
            "path": self.path,
            "created_at": self.created_at,
            "message": self.message,
            "files": list(self.files),
            "total_bytes": self.total_bytes,
            "current": self.current,
        }


def local_repo_path(repo_id: str, settings: Settings | None = None) -> Path:
    """Where a model lives in the local hub: `$HFTUI_HOME/hub/models/<org>/<name>/`."""
    settings = settings or load_settings()
    return settings.local_hub_roots[0] / "models" / validate_repo_id(repo_id)


def list_local_revisions(repo_id: str, settings: Settings | None = None) -> list[LocalRevision]:
    """Published versions of a local-hub model, oldest first (the last one is current)."""
    base = local_repo_path(repo_id, settings) / REVISIONS_DIR
    found: list[LocalRevision] = []
    try:
        entries = [p for p in base.iterdir() if p.is_dir() and not p.name.startswith(".")]
    except OSError:
        return []
    for path in entries:
        try:
            meta: dict[str, Any] = json.loads((path / REVISION_META).read_text(encoding="utf-8"))
        except (OSError, ValueError):
            meta = {}
        found.append(
            LocalRevision(
                name=path.name,
                path=str(path),
                created_at=float(meta.get("created_at") or path.stat().st_mtime),
                message=str(meta.get("message") or ""),
                files=tuple(meta.get("files") or ()),
                total_bytes=int(meta.get("total_bytes") or 0),
            )
        )
    found.sort(key=lambda r: (r.created_at, r.name))
    if found:
        last = found[-1]
        found[-1] = LocalRevision(
            last.name, last.path, last.created_at, last.message, last.files, last.total_bytes, True
        )
    return found


def _revision_name(tag: str | None, taken: Sequence[str]) -> str:
    if tag:
        if not is_revision_name(tag):
            raise PublishError(f"Invalid tag {tag!r}", REVISION_NAME_HINT)
        if tag in taken:
            raise PublishError(f"Version {tag!r} already exists", "Pick another tag.")
        return tag
    name = time.strftime("%Y%m%d-%H%M%S")
    number = 1
    candidate = name
    while candidate in taken:
        number += 1
        candidate = f"{name}-{number}"
    return candidate


def _link_or_copy(src: Path, dst: Path) -> None:
    dst.parent.mkdir(parents=True, exist_ok=True)
    try:
        os.link(src, dst)
    except OSError:
        shutil.copy2(src, dst)


def _clear_top_level(repo: Path) -> list[Path]:
    """The repo's current version (everything but dot folders), to be replaced."""
    return [p for p in repo.iterdir() if not (p.is_dir() and p.name.startswith("."))]


def publish_to_local_hub(
    plan: PublishPlan,
    repo_id: str,
    *,
    card_text: str,
    tag: str | None = None,
    commit_message: str | None = None,
    settings: Settings | None = None,
    progress: Progress | None = None,
    cancel: threading.Event | None = None,
) -> PublishResult:
    """Copy the plan into the local hub as a new revision and make it the repo's top level."""
    settings = settings or load_settings()
    repo = local_repo_path(repo_id, settings)
    revisions = repo / REVISIONS_DIR
    taken = [r.name for r in list_local_revisions(repo_id, settings)]
    if repo.is_dir() and not taken and _clear_top_level(repo):
        # A repo that was there before (seeded, copied by hand) is kept as a revision too.
        _keep_unversioned(repo, revisions)
        taken = [r.name for r in list_local_revisions(repo_id, settings)]
    name = _revision_name(tag, taken)
    revisions.mkdir(parents=True, exist_ok=True)
    partial = Path(tempfile.mkdtemp(prefix=f".partial-{name}-", dir=revisions))
    try:
        files = _write_revision(plan, partial, name, card_text, commit_message, progress, cancel)
        final = revisions / name
        partial.rename(final)
    except BaseException:
        shutil.rmtree(partial, ignore_errors=True)
        raise
    for old in _clear_top_level(repo):
        shutil.rmtree(old) if old.is_dir() else old.unlink()
    for rel in files:
        _link_or_copy(final / rel, repo / rel)
    os.utime(repo)  # the local index re-reads a repo whose folder mtime moved
    names = tuple(r.name for r in list_local_revisions(repo_id, settings))
    return PublishResult(
        repo_id, True, str(repo), tuple(files), plan.total_bytes, commit=name, tags=names
    )


def _write_revision(
    plan: PublishPlan,
    folder: Path,
    name: str,
    card_text: str,
    commit_message: str | None,
    progress: Progress | None,
    cancel: threading.Event | None,
) -> list[str]:
    """Copy the plan's files, the card and the revision's metadata into `folder`."""
    total, done = plan.total_bytes, 0
    for planned in plan.files:
        if cancel is not None and cancel.is_set():
            from hf_ecosystem.jobs.context import JobCancelled

            raise JobCancelled()
        target = folder / planned.path
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(plan.source / planned.path, target)
        done += planned.size
        if progress is not None:
            progress(done, total)
    (folder / "README.md").write_text(card_text, encoding="utf-8")
    files = sorted({f.path for f in plan.files} | {"README.md"})
    meta = {
        "name": name,
        "created_at": time.time(),
        "message": commit_message or "",
        "source": str(plan.source),
        "files": files,
        "total_bytes": plan.total_bytes,
    }
    (folder / REVISION_META).write_text(json.dumps(meta, indent=2), encoding="utf-8")
    return files


def _keep_unversioned(repo: Path, revisions: Path) -> None:
    stamp = time.strftime("%Y%m%d-%H%M%S", time.localtime(repo.stat().st_mtime))
    dest = revisions / f"before-{stamp}"
    dest.mkdir(parents=True, exist_ok=True)
    for entry in _clear_top_level(repo):
        if entry.is_dir():
            shutil.copytree(entry, dest / entry.name, copy_function=_copy_file)
        else:
            _copy_file(entry, dest / entry.name)
    meta = {"name": dest.name, "created_at": repo.stat().st_mtime, "message": "kept from before"}
    (dest / REVISION_META).write_text(json.dumps(meta), encoding="utf-8")


def _copy_file(src: str | Path, dst: str | Path) -> None:
    _link_or_copy(Path(src), Path(dst))
