"""How the Hub names file contents: git blob ids, sha256, git-LFS pointers and which files are LFS.

The client checks what it downloads against these (ETag, X-Linked-Etag, tree `oid`s) and skips
uploading a file whose id is unchanged, so they must be the real git and LFS ids.
"""

from __future__ import annotations

import functools
import hashlib
from dataclasses import dataclass

# Files stored with git-lfs on the real Hub (by extension) or because they are big.
LFS_SUFFIXES = (
    ".safetensors", ".bin", ".pt", ".pth", ".ckpt", ".h5", ".onnx", ".gguf", ".msgpack",
    ".parquet", ".arrow", ".npy", ".npz", ".pkl", ".zip", ".gz", ".tar", ".model", ".tflite",
)  # fmt: skip
LFS_MIN_SIZE = 10 * 1024 * 1024
GITATTRIBUTES = b"".join(
    b"*%s filter=lfs diff=lfs merge=lfs -text\n" % suffix.encode() for suffix in LFS_SUFFIXES
)


@dataclass(frozen=True, slots=True)
class Digests:
    """A content's git blob sha1 and its sha256."""

    git_sha1: str
    sha256: str


class Hasher:
    """Both digests of a content fed in pieces (its size must be known up front for git's)."""

    def __init__(self, size: int) -> None:
        self._git = hashlib.sha1(b"blob %d\0" % size, usedforsecurity=False)
        self._sha256 = hashlib.sha256()

    def update(self, chunk: bytes) -> None:
        """Feed the next piece."""
        self._git.update(chunk)
        self._sha256.update(chunk)

    def digests(self) -> Digests:
        """The digests of everything fed."""
        return Digests(self._git.hexdigest(), self._sha256.hexdigest())


@functools.lru_cache(maxsize=1024)
def content_digests(content: bytes) -> Digests:
    """The digests of a content held in memory."""
    hasher = Hasher(len(content))
    hasher.update(content)
    return hasher.digests()


def is_lfs(path: str, size: int) -> bool:
    """Whether the Hub keeps this file in git-LFS: an LFS suffix, or 10 MiB and more."""
    return path.lower().endswith(LFS_SUFFIXES) or size >= LFS_MIN_SIZE


@dataclass(frozen=True, slots=True)
class BlobInfo:
    """A file as the Hub describes it: size, git object id (of the LFS pointer for LFS files)."""

    path: str
    size: int
    oid: str
    sha256: str
    lfs: bool
    pointer_size: int

    @property
    def etag(self) -> str:
        """The ETag the Hub sends for it: sha256 for LFS files, the git blob id otherwise."""
        return self.sha256 if self.lfs else self.oid

    def tree_entry(self) -> dict[str, object]:
        """Its entry in a `/tree` or `/paths-info` answer."""
        entry: dict[str, object] = {"type": "file", "oid": self.oid, "size": self.size}
        entry["path"] = self.path
        if self.lfs:
            entry["lfs"] = {"oid": self.sha256, "size": self.size, "pointerSize": self.pointer_size}
        return entry

    def sibling(self) -> dict[str, object]:
        """Its entry in a repo info's `siblings` with `blobs=true`."""
        entry: dict[str, object] = {"rfilename": self.path, "size": self.size, "blobId": self.oid}
        if self.lfs:
            entry["lfs"] = {
                "sha256": self.sha256,
                "size": self.size,
                "pointerSize": self.pointer_size,
            }
        return entry


def blob_info(path: str, size: int, digests: Digests, *, lfs: bool = False) -> BlobInfo:
    """How the Hub describes a file of this size and content."""
    if not (lfs or is_lfs(path, size)):
        return BlobInfo(path, size, digests.git_sha1, digests.sha256, False, 0)
    pointer = (
        f"version https://git-lfs.github.com/spec/v1\noid sha256:{digests.sha256}\nsize {size}\n"
    ).encode()
    return BlobInfo(
        path, size, content_digests(pointer).git_sha1, digests.sha256, True, len(pointer)
    )


def commit_id(kind: str, repo_id: str, files: dict[str, str]) -> str:
    """A deterministic 40-hex commit id from the repo and its files' git blob ids."""
    h = hashlib.sha1(usedforsecurity=False)
    h.update(f"{kind}:{repo_id}\0".encode())
    for path, git_sha1 in sorted(files.items()):
        h.update(path.encode() + b"\0" + git_sha1.encode() + b"\0")
    return h.hexdigest()
