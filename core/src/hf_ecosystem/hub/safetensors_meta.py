"""Read safetensors headers without torch to count a checkpoint's parameters by dtype."""

from __future__ import annotations

import json
import math
import struct
from collections.abc import Iterable
from pathlib import Path
from typing import Any, cast

from hf_ecosystem.errors import HfEcoError

# A real header is a few hundred KB at most; a bigger length means a corrupt or hostile file,
# and trusting it would make us allocate gigabytes just to find out.
MAX_HEADER_BYTES = 100 * 1024 * 1024
INDEX_SUFFIX = ".safetensors.index.json"


class SafetensorsHeaderError(HfEcoError):
    """A safetensors file or shard index is corrupt or truncated."""

    default_title = "Corrupt safetensors file"
    default_hint = "Download the file again; its header cannot be read."


def _fail(path: Path, problem: str) -> SafetensorsHeaderError:
    return SafetensorsHeaderError(f"Corrupt safetensors file {path}: {problem}")


def read_safetensors_header(path: str | Path) -> dict[str, dict[str, Any]]:
    """Return the tensor entries (name -> dtype, shape, data_offsets) of a .safetensors file."""
    path = Path(path)
    try:
        with path.open("rb") as fh:
            prefix = fh.read(8)
            if len(prefix) < 8:
                raise _fail(path, f"file is {len(prefix)} bytes, too short for a header")
            (length,) = struct.unpack("<Q", prefix)
            if length > MAX_HEADER_BYTES:
                raise _fail(path, f"header length {length} bytes is absurd")
            raw = fh.read(length)
            file_size = fh.seek(0, 2)
    except OSError as exc:
        raise HfEcoError(f"Cannot read {path}", exc.strerror or str(exc)) from exc
    if len(raw) < length:
        raise _fail(path, f"header truncated ({len(raw)} of {length} bytes)")
    try:
        header = json.loads(raw)
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise _fail(path, f"header is not JSON ({exc})") from exc
    if not isinstance(header, dict):
        raise _fail(path, "header is not a JSON object")
    tensors: dict[str, dict[str, Any]] = {}
    data_end = 0
    for name, entry in cast("dict[str, Any]", header).items():
        if name == "__metadata__":
            continue
        tensors[str(name)] = _check_entry(path, str(name), entry)
        data_end = max(data_end, tensors[str(name)]["data_offsets"][1])
    if 8 + length + data_end > file_size:
        raise _fail(
            path, f"data truncated ({file_size} bytes, header needs {8 + length + data_end})"
        )
    return tensors


def _check_entry(path: Path, name: str, entry: Any) -> dict[str, Any]:
    if not isinstance(entry, dict):
        raise _fail(path, f"tensor {name!r} is not an object")
    dtype, shape, offsets = entry.get("dtype"), entry.get("shape"), entry.get("data_offsets")  # type: ignore[reportUnknownMemberType]
    if not isinstance(dtype, str):
        raise _fail(path, f"tensor {name!r} has no dtype")
    if not isinstance(shape, list) or not all(isinstance(d, int) and d >= 0 for d in shape):  # type: ignore[reportUnknownVariableType]
        raise _fail(path, f"tensor {name!r} has an invalid shape")
    if (
        not isinstance(offsets, list)
        or len(offsets) != 2  # type: ignore[reportUnknownArgumentType]
        or not all(isinstance(o, int) and o >= 0 for o in offsets)  # type: ignore[reportUnknownVariableType]
        or offsets[0] > offsets[1]
    ):
        raise _fail(path, f"tensor {name!r} has invalid data_offsets")
    return {"dtype": dtype, "shape": list(shape), "data_offsets": list(offsets)}  # type: ignore[reportUnknownArgumentType]


def read_shard_index(path: str | Path) -> list[Path]:
    """Return the shard files named by a `*.safetensors.index.json` that exist next to it."""
    path = Path(path)
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise HfEcoError(f"Cannot read {path}", exc.strerror or str(exc)) from exc
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise SafetensorsHeaderError(f"Corrupt shard index {path}: not JSON ({exc})") from exc
    weight_map = data.get("weight_map") if isinstance(data, dict) else None  # type: ignore[reportUnknownMemberType]
    if not isinstance(weight_map, dict):
        raise SafetensorsHeaderError(f"Corrupt shard index {path}: no weight_map object")
    names = sorted({str(v) for v in weight_map.values()})  # type: ignore[reportUnknownVariableType]
    # Missing shards are normal for a partial download; count what is actually there.
    return [path.parent / n for n in names if (path.parent / n).is_file()]


def _expand(paths: Iterable[str | Path]) -> list[Path]:
    seen: dict[Path, None] = {}
    for item in paths:
        path = Path(item)
        files = read_shard_index(path) if path.name.endswith(INDEX_SUFFIX) else [path]
        for file in files:
            seen.setdefault(file.resolve(), None)
    return list(seen)


def count_parameters(paths: Iterable[str | Path]) -> dict[str, int]:
    """Parameter count per dtype over safetensors files and shard indexes (each file once)."""
    counts: dict[str, int] = {}
    for path in _expand(paths):
        for entry in read_safetensors_header(path).values():
            counts[entry["dtype"]] = counts.get(entry["dtype"], 0) + math.prod(entry["shape"])
    return counts


def total_parameters(paths: Iterable[str | Path]) -> int:
    """Total parameter count over safetensors files and shard indexes."""
    return sum(count_parameters(paths).values())


def weight_files(rel_paths: Iterable[str]) -> list[str]:
    """Pick the weight files that describe a repo, so duplicate exports are not summed twice."""
    by_dir: dict[str, list[str]] = {}
    for rel in rel_paths:
        if rel.endswith((".safetensors", INDEX_SUFFIX)):
            by_dir.setdefault(rel.rpartition("/")[0], []).append(rel)
    chosen: list[str] = []
    # Top-level weights are the model; nested folders (diffusers parts) only count without them.
    dirs = [""] if "" in by_dir else sorted(by_dir)
    for folder in dirs:
        files = sorted(by_dir[folder])
        indexes = [f for f in files if f.endswith(INDEX_SUFFIX)]
        # An index names the real shards; other files beside it are usually alternative exports.
        chosen += indexes or files
    return chosen
