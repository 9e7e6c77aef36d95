"""Reading files the project did not write: regular files only, inside their folder, size-bounded.

A repo folder, a cache snapshot or a folder being published can hold a FIFO (opening it blocks
for ever), a link to /dev/zero (reading it never ends) or a link to a file outside the folder
(~/.ssh/id_rsa, /etc/passwd). Everything that reads such folders asks here first: `file_problem`
says why a path must not be read (None when it may), `read_text_bounded` reads one without ever
blocking, and `inside` tells whether a path stays within its root once links are followed.
"""

from __future__ import annotations

import errno
import os
import re
import stat
from pathlib import Path

MAX_CARD_BYTES = 4 * 1024 * 1024  # README.md; the Hub's largest real cards are a few hundred KiB


class UnsafeFileError(OSError):
    """A path that is not a regular file inside its folder, or is over a size limit.

    An OSError, so that callers already handling unreadable files handle these the same way."""

    def __init__(self, message: str, path: Path | str) -> None:
        super().__init__(errno.EINVAL, message)
        self.filename = str(path)

    def __str__(self) -> str:
        return f"{self.strerror}: {self.filename}"


def inside(path: Path | str, root: Path | str) -> bool:
    """True when `path`, links followed, is `root` or lies under it (links followed too)."""
    real = os.path.realpath(path)
    base = os.path.realpath(root)
    return real == base or real.startswith(base.rstrip(os.sep) + os.sep)


def file_problem(path: Path | str, *, root: Path | str | None = None) -> str | None:
    """Why `path` must not be read (a short phrase), or None when it is a regular file that
    stays inside `root` once links are followed."""
    if root is not None and not inside(path, root):
        return "a link to outside its folder"
    try:
        mode = Path(path).stat().st_mode
    except OSError as exc:
        return f"unreadable ({exc.strerror or exc})"
    if not stat.S_ISREG(mode):
        return "not a regular file"
    return None


def read_bytes_bounded(
    path: Path | str, *, max_bytes: int, root: Path | str | None = None
) -> bytes:
    """The bytes of a regular file; UnsafeFileError for a special file, a link out of `root` or
    a file over `max_bytes`. Never blocks: the file is opened non-blocking and checked first."""
    if root is not None and not inside(path, root):
        raise UnsafeFileError("refused, a link to outside its folder", path)
    fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0))
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            raise UnsafeFileError("refused, not a regular file", path)
        if info.st_size > max_bytes:
            raise UnsafeFileError(
                f"refused, {info.st_size:,} bytes is over the {max_bytes:,}-byte limit", path
            )
        chunks: list[bytes] = []
        remaining = max_bytes + 1
        while remaining > 0:
            chunk = os.read(fd, min(remaining, 1 << 20))
            if not chunk:
                break
            chunks.append(chunk)
            remaining -= len(chunk)
        data = b"".join(chunks)
        if len(data) > max_bytes:  # it grew while being read
            raise UnsafeFileError(f"refused, over the {max_bytes:,}-byte limit", path)
        return data
    finally:
        os.close(fd)


def read_text_bounded(
    path: Path | str,
    *,
    max_bytes: int = MAX_CARD_BYTES,
    root: Path | str | None = None,
    errors: str = "strict",
) -> str:
    """`read_bytes_bounded` decoded as UTF-8 (UnicodeDecodeError with errors='strict')."""
    return read_bytes_bounded(path, max_bytes=max_bytes, root=root).decode("utf-8", errors)


MAX_JSON_DEPTH = 256  # real records nest a few levels; Arrow's JSON reader recurses per level
_JSON_OPENER = rb'[\[{]\s*(?:"(?:[^"\\]|\\.)*"\s*:\s*)?'
_DEEP_JSON = re.compile(rb"(?:%s){%d}" % (_JSON_OPENER, MAX_JSON_DEPTH))
_SCAN_CHUNK = 8 << 20


def json_too_deep(path: Path | str) -> bool:
    """True when a JSON or JSON Lines file opens more than MAX_JSON_DEPTH arrays or objects in a
    row: Arrow's reader (pyarrow, datasets) recurses once per level and a deep enough file kills
    the process with a stack overflow, not an exception. A regex over the bytes, in chunks that
    overlap, so the scan costs about as much as reading the file."""
    overlap = MAX_JSON_DEPTH * 64
    tail = b""
    try:
        with open(path, "rb") as handle:  # noqa: PTH123 - a path or a str
            while chunk := handle.read(_SCAN_CHUNK):
                if _DEEP_JSON.search(tail + chunk):
                    return True
                tail = chunk[-overlap:]
    except OSError:
        return False  # the reader reports what is wrong with the file
    return False
