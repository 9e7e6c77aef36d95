"""Paths a client names inside a repo, checked before anything touches the disk.

A client (or anyone on the port) may send `../../etc/passwd`, `/etc/passwd`, `a\\..\\b` or
`.hftui/tags.json`: such a path is refused with 400, and a file that is a link out of its repo
is not a file of the repo (404).
"""

from __future__ import annotations

import os
import stat
from collections.abc import Iterator
from pathlib import Path

from hf_ecosystem.hub.serve.http import HubHttpError
from hf_ecosystem.safe_files import inside

# Our own bookkeeping inside a repo folder: the demo marker and the tags' snapshots.
PRIVATE_PREFIX = ".hftui"
_RESERVED_DIRS = (PRIVATE_PREFIX, ".git")


def checked_path(text: str) -> str:
    """`text` as a relative path inside a repo; HubHttpError 400 when it could leave it."""
    if not text or "\\" in text or "\0" in text or text.startswith("/"):
        raise HubHttpError(400, f"Invalid path in repo: {text!r}", "InvalidPath")
    parts = text.split("/")
    if any(part in ("", ".", "..") for part in parts):
        raise HubHttpError(400, f"Invalid path in repo: {text!r}", "InvalidPath")
    if parts[0].startswith(_RESERVED_DIRS):
        raise HubHttpError(400, f"Reserved path in repo: {text!r}", "InvalidPath")
    return text


def is_private_name(name: str) -> bool:
    """Whether a file or folder name is our bookkeeping, not part of the repo."""
    return name.startswith(PRIVATE_PREFIX)


def walk_repo(folder: Path, root: Path) -> Iterator[tuple[str, Path, os.stat_result]]:
    """(relative path, path, stat) of each regular file of a repo folder, sorted; hidden
    folders, our bookkeeping, special files and links leading out of `root` are left out."""
    for dirpath, dirnames, filenames in os.walk(folder):  # never descends into linked folders
        dirnames[:] = sorted(d for d in dirnames if not d.startswith("."))
        rel_dir = Path(dirpath).relative_to(folder).as_posix()
        for name in sorted(filenames):
            if is_private_name(name):
                continue
            full = Path(dirpath) / name
            try:
                info = full.lstat()
                if stat.S_ISLNK(info.st_mode):
                    if not inside(full, root):
                        continue  # a link out of the repo is not a file of the repo
                    info = full.stat()
            except OSError:
                continue  # a broken link
            if stat.S_ISREG(info.st_mode):
                yield (name if rel_dir == "." else f"{rel_dir}/{name}"), full, info


def target_in(folder: Path, rel: str) -> Path:
    """Where a committed file `rel` goes in `folder`; 400 when a linked folder on the way
    leads out of it (the file itself, if a link, is replaced, not followed)."""
    target = folder / checked_path(rel)
    probe = target.parent
    while probe != folder and not probe.exists():
        probe = probe.parent
    if not inside(probe, folder):
        raise HubHttpError(400, f"Invalid path in repo: {rel!r} leads out of it", "InvalidPath")
    if probe != target and not probe.is_dir():
        name = probe.relative_to(folder).as_posix()
        raise HubHttpError(
            400, f"Invalid path in repo: {name} is a file, not a folder", "InvalidPath"
        )
    return target
