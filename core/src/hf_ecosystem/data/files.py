"""Open data files wherever they live: a local path, the Hub's file system, or an http(s) URL."""

from __future__ import annotations

import contextlib
from collections.abc import Generator
from functools import lru_cache
from typing import TYPE_CHECKING, Any

import pyarrow as pa

from hf_ecosystem.data.errors import DataError
from hf_ecosystem.data.layout import DataFile

if TYPE_CHECKING:
    from fsspec.spec import AbstractFileSystem

# pyarrow ships no type information: its file classes are Any here, on purpose.
_arrow: Any = pa
BLOCK = 1 << 20
# A cell bigger than this (in CSV/JSON) is refused; smaller ones just cost a re-read.
MAX_BLOCK = 256 << 20


@lru_cache(maxsize=4)
def _hub_fs(endpoint: str | None, token: str | None) -> AbstractFileSystem:
    from huggingface_hub import HfFileSystem

    return HfFileSystem(endpoint=endpoint, token=token)


@lru_cache(maxsize=1)
def _http_fs() -> AbstractFileSystem:
    import fsspec

    return fsspec.filesystem("http")  # pyright: ignore[reportUnknownMemberType]  (untyped **kwargs)


@contextlib.contextmanager
def open_source(file: DataFile, *, block_size: int = 8 << 20) -> Generator[Any]:
    """What pyarrow reads: a local path, or a seekable remote file (decompressed when needed)."""
    from hf_ecosystem.hub.http_errors import hub_errors

    if file.where == "local" and file.compression is None:
        yield file.path
        return
    with contextlib.ExitStack() as stack:
        if file.where == "local":
            raw: Any = stack.enter_context(_arrow.OSFile(file.path, "rb"))
        elif file.where == "hub":
            from hf_ecosystem.hub.auth import current_token

            with hub_errors(file.name):
                fs = _hub_fs(file.endpoint, current_token())
                # fsspec's open() has untyped **kwargs
                raw = stack.enter_context(fs.open(file.path, "rb", block_size=block_size))  # pyright: ignore[reportUnknownMemberType]
        else:
            try:
                http = _http_fs()
                raw = stack.enter_context(http.open(file.path, "rb", block_size=block_size))  # pyright: ignore[reportUnknownMemberType]
            except (OSError, ValueError) as exc:
                raise DataError(f"cannot open the URL: {exc}", file=file.name) from exc
        if file.compression is not None:
            raw = _arrow.CompressedInputStream(raw, file.compression)
        yield raw
