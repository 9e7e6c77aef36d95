"""Safetensors header reading and parameter counting on files written by safetensors.numpy."""

from __future__ import annotations

import json
import math
import struct
from pathlib import Path

import numpy as np
import pytest
from safetensors.numpy import save_file

from hf_ecosystem.errors import HfEcoError
from hf_ecosystem.hub.safetensors_meta import (
    MAX_HEADER_BYTES,
    count_parameters,
    read_safetensors_header,
    read_shard_index,
    total_parameters,
    weight_files,
)

TENSORS = {
    "embed.weight": ((32, 16), np.float32),
    "layer.0.weight": ((16, 16), np.float16),
    "layer.0.bias": ((16,), np.float16),
    "step": ((), np.int64),
    "empty": ((0, 4), np.float32),
    "mask": ((3, 5, 2), np.uint8),
}
EXPECTED = {"F32": 32 * 16, "F16": 16 * 16 + 16, "I64": 1, "U8": 30}


def _write(path: Path, tensors: dict[str, tuple[tuple[int, ...], type]], **meta: str) -> Path:
    arrays = {name: np.zeros(shape, dtype=dtype) for name, (shape, dtype) in tensors.items()}
    save_file(arrays, str(path), metadata=meta or None)
    return path


def _write_index(path: Path, shards: dict[str, list[str]]) -> Path:
    weight_map = {tensor: shard for shard, names in shards.items() for tensor in names}
    path.write_text(json.dumps({"metadata": {"total_size": 0}, "weight_map": weight_map}))
    return path


def test_header_lists_tensors_and_skips_metadata(tmp_path: Path) -> None:
    path = _write(tmp_path / "model.safetensors", TENSORS, format="pt")
    header = read_safetensors_header(path)
    assert set(header) == set(TENSORS)
    assert "__metadata__" not in header
    assert header["embed.weight"]["dtype"] == "F32"
    assert header["embed.weight"]["shape"] == [32, 16]
    assert header["step"]["shape"] == []


def test_count_parameters_by_dtype(tmp_path: Path) -> None:
    path = _write(tmp_path / "model.safetensors", TENSORS)
    assert count_parameters([path]) == EXPECTED
    assert total_parameters([path]) == sum(EXPECTED.values())
    assert total_parameters([str(path)]) == sum(EXPECTED.values())


def test_same_file_counted_once(tmp_path: Path) -> None:
    path = _write(tmp_path / "model.safetensors", TENSORS)
    link = tmp_path / "alias.safetensors"
    link.symlink_to(path)
    assert total_parameters([path, path, link]) == sum(EXPECTED.values())


def test_several_files_add_up(tmp_path: Path) -> None:
    a = _write(tmp_path / "a.safetensors", {"w": ((10, 10), np.float32)})
    b = _write(tmp_path / "b.safetensors", {"w": ((7,), np.float32), "v": ((2, 3), np.int32)})
    assert count_parameters([a, b]) == {"F32": 107, "I32": 6}


def test_sharded_index_sums_present_shards(tmp_path: Path) -> None:
    shard_tensors = {
        "model-00001-of-00003.safetensors": {"a": ((100, 10), np.float32)},
        "model-00002-of-00003.safetensors": {"b": ((50,), np.float16), "c": ((5, 5), np.float16)},
        "model-00003-of-00003.safetensors": {"d": ((999,), np.float32)},
    }
    for name, tensors in list(shard_tensors.items())[:2]:  # the third shard is not downloaded
        _write(tmp_path / name, tensors)
    index = _write_index(
        tmp_path / "model.safetensors.index.json",
        {name: list(tensors) for name, tensors in shard_tensors.items()},
    )
    assert [p.name for p in read_shard_index(index)] == list(shard_tensors)[:2]
    assert count_parameters([index]) == {"F32": 1000, "F16": 75}
    # Naming a shard as well as the index does not count it twice.
    assert total_parameters([index, tmp_path / "model-00001-of-00003.safetensors"]) == 1075


def test_weight_files_prefers_index_and_top_level() -> None:
    files = [
        "README.md",
        "model.safetensors.index.json",
        "model-00001-of-00002.safetensors",
        "model-00002-of-00002.safetensors",
        "consolidated.safetensors",
        "onnx/model.onnx",
        "extra/adapter.safetensors",
    ]
    assert weight_files(files) == ["model.safetensors.index.json"]
    assert weight_files(["model.safetensors", "sub/x.safetensors"]) == ["model.safetensors"]
    nested = ["unet/diffusion_pytorch_model.safetensors", "text_encoder/model.safetensors"]
    assert weight_files(nested) == sorted(nested, key=lambda p: p.rpartition("/")[0])
    assert weight_files(["config.json"]) == []


def test_truncated_header_names_the_file(tmp_path: Path) -> None:
    path = _write(tmp_path / "model.safetensors", TENSORS)
    data = path.read_bytes()
    (length,) = struct.unpack("<Q", data[:8])
    cut = tmp_path / "cut-header.safetensors"
    cut.write_bytes(data[: 8 + length // 2])
    with pytest.raises(HfEcoError, match=r"cut-header\.safetensors") as info:
        read_safetensors_header(cut)
    assert "truncated" in str(info.value)


def test_truncated_data_is_detected(tmp_path: Path) -> None:
    path = _write(tmp_path / "model.safetensors", TENSORS)
    data = path.read_bytes()
    cut = tmp_path / "cut-data.safetensors"
    cut.write_bytes(data[:-10])
    with pytest.raises(HfEcoError, match=r"cut-data\.safetensors.*truncated"):
        count_parameters([cut])


def _raw(header: bytes) -> bytes:
    return struct.pack("<Q", len(header)) + header


@pytest.mark.parametrize(
    ("content", "problem"),
    [
        pytest.param(b"", "too short", id="empty"),
        pytest.param(b"\x01\x02\x03", "too short", id="short"),
        pytest.param(struct.pack("<Q", MAX_HEADER_BYTES + 1) + b"{}", "absurd", id="huge"),
        pytest.param(struct.pack("<Q", 2**63) + b"{}", "absurd", id="2**63"),
        pytest.param(_raw(b"not json"), "not JSON", id="not-json"),
        pytest.param(_raw(b"\xff\xfe{}"), "not JSON", id="not-utf8"),
        pytest.param(_raw(b"[]"), "not a JSON object", id="list"),
        pytest.param(_raw(b'{"w": true}'), "not an object", id="entry"),
        pytest.param(_raw(b'{"w": {"shape": [1, 2]}}'), "no dtype", id="dtype"),
        pytest.param(
            _raw(b'{"w": {"dtype": "F32", "shape": [-1], "data_offsets": [0, 0]}}'),
            "invalid shape",
            id="shape",
        ),
        pytest.param(
            _raw(b'{"w": {"dtype": "F32", "shape": [1], "data_offsets": [4]}}'),
            "invalid data_offsets",
            id="offsets",
        ),
    ],
)
def test_corrupt_headers_raise(tmp_path: Path, content: bytes, problem: str) -> None:
    path = tmp_path / "bad.safetensors"
    path.write_bytes(content)
    with pytest.raises(HfEcoError, match=problem) as info:
        read_safetensors_header(path)
    assert str(path) in info.value.title
    assert info.value.hint


def test_corrupt_index_raises(tmp_path: Path) -> None:
    index = tmp_path / "model.safetensors.index.json"
    index.write_text("{not json")
    with pytest.raises(HfEcoError, match=r"model\.safetensors\.index\.json"):
        count_parameters([index])
    index.write_text(json.dumps({"metadata": {}}))
    with pytest.raises(HfEcoError, match="weight_map"):
        count_parameters([index])


def test_missing_file_is_an_hf_error(tmp_path: Path) -> None:
    with pytest.raises(HfEcoError, match=r"nope\.safetensors"):
        read_safetensors_header(tmp_path / "nope.safetensors")


def test_large_shapes_do_not_need_data(tmp_path: Path) -> None:
    # Counting reads only the header: a declared 7B-parameter tensor costs nothing to count.
    shape = [4096, 1_708_984]
    size = math.prod(shape) * 2
    header = json.dumps({"w": {"dtype": "BF16", "shape": shape, "data_offsets": [0, size]}})
    path = tmp_path / "big.safetensors"
    with path.open("wb") as fh:
        fh.write(struct.pack("<Q", len(header)) + header.encode())
        fh.truncate(8 + len(header) + size)  # sparse file, no real data written
    assert count_parameters([path]) == {"BF16": math.prod(shape)}
