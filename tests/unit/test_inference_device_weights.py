"""Device and dtype choice with real torch on a CPU-only box, and the weight-file rules (pickle
refused, safetensors preferred) on real tiny files."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import huggingface_hub
import pytest
import torch
from huggingface_hub import constants
from huggingface_hub.hf_api import ModelInfo
from safetensors.torch import save_file

from hf_ecosystem.inference import device, weights
from hf_ecosystem.inference.device import (
    dtype_bytes,
    get_device,
    get_device_map,
    get_dtype,
    resolve_dtype,
)
from hf_ecosystem.inference.errors import InferenceError, PickleWeightsError
from hf_ecosystem.inference.weights import (
    check_weights,
    model_files,
    pickle_weights,
    safetensors_weights,
    weights_bytes,
)

COMMIT = "0123456789abcdef0123456789abcdef01234567"


# --- device ------------------------------------------------------------------------------------


def test_this_machine_runs_on_the_cpu_in_fp32() -> None:
    """No CUDA and no MPS here: the CPU, in float32, on one device."""
    assert get_device() == "cpu"
    assert get_dtype(get_device()) is torch.float32
    assert get_device_map(10**12, "cpu") is None


def test_cuda_comes_before_mps(monkeypatch: pytest.MonkeyPatch) -> None:
    """With both available, CUDA wins; without CUDA, MPS."""
    monkeypatch.setattr(torch.backends.mps, "is_available", lambda: True)
    monkeypatch.setattr(torch.cuda, "is_available", lambda: True)
    assert get_device() == "cuda"
    monkeypatch.setattr(torch.cuda, "is_available", lambda: False)
    assert get_device() == "mps"


def test_a_torch_without_mps_backend_means_cpu(monkeypatch: pytest.MonkeyPatch) -> None:
    """Older or stripped torch builds have no torch.backends.mps at all."""
    monkeypatch.setattr(torch.cuda, "is_available", lambda: False)
    monkeypatch.delattr(torch.backends, "mps")
    assert get_device() == "cpu"


def test_mps_runs_in_fp16() -> None:
    """Apple GPUs get float16 (no compute capability to ask)."""
    assert get_dtype("mps") is torch.float16
    assert get_dtype("mps:0") is torch.float16
    assert get_dtype("cpu") is torch.float32


@pytest.mark.parametrize(
    ("device_name", "capability", "asked_index", "dtype"),
    [
        ("cuda", (8, 0), 0, torch.bfloat16),
        ("cuda:1", (9, 0), 1, torch.bfloat16),
        ("cuda:2", (7, 5), 2, torch.float16),
    ],
)
def test_cuda_dtype_follows_the_compute_capability(
    monkeypatch: pytest.MonkeyPatch,
    device_name: str,
    capability: tuple[int, int],
    asked_index: int,
    dtype: torch.dtype,
) -> None:
    """bf16 from capability 8 on, fp16 before; the capability of the named GPU is asked."""
    asked: list[int] = []

    def get_device_capability(index: int) -> tuple[int, int]:
        asked.append(index)
        return capability

    monkeypatch.setattr(torch.cuda, "get_device_capability", get_device_capability)
    assert get_dtype(device_name) is dtype
    assert asked == [asked_index]


def test_device_map_auto_only_when_the_model_does_not_fit(monkeypatch: pytest.MonkeyPatch) -> None:
    """Weights plus 20% headroom above the GPU's free memory: accelerate spreads them."""
    monkeypatch.setattr(torch.cuda, "mem_get_info", lambda index: (12_000, 40_000))
    assert get_device_map(10_000, "cuda:0") is None  # 12 000 is not above 12 000
    assert get_device_map(10_001, "cuda") == "auto"
    assert get_device_map(10_001, "mps") is None


@pytest.mark.parametrize(
    ("given", "dtype"),
    [
        ("bf16", torch.bfloat16),
        ("BFloat16", torch.bfloat16),
        ("torch.bfloat16", torch.bfloat16),
        ("fp16", torch.float16),
        ("half", torch.float16),
        ("float16", torch.float16),
        ("fp32", torch.float32),
        ("float", torch.float32),
        ("torch.float32", torch.float32),
        (torch.float16, torch.float16),
        (torch.int8, torch.int8),  # a torch dtype passes through as given
        (None, torch.float32),  # the device's best: fp32 on the CPU
        ("auto", torch.float32),
    ],
)
def test_resolve_dtype_names(given: Any, dtype: torch.dtype) -> None:
    """Names in any case, with or without 'torch.', and torch dtypes all resolve."""
    assert resolve_dtype(given, "cpu") is dtype


def test_auto_dtype_follows_the_device() -> None:
    """'auto' and None mean the device's own choice."""
    assert resolve_dtype("auto", "mps") is torch.float16
    assert resolve_dtype(None, "mps") is torch.float16


@pytest.mark.parametrize("given", ["int3", "fp8", "", "torch.int4"])
def test_unknown_dtype_names_the_value_and_the_choices(given: str) -> None:
    """An unknown name raises InferenceError quoting it, with the valid names as the hint."""
    with pytest.raises(InferenceError) as caught:
        resolve_dtype(given, "cpu")
    assert caught.value.title == f"Unknown dtype {given!r}"
    assert caught.value.hint == "Use fp32, fp16, bf16, int8 or int4."


def test_quantised_weights_compute_in_the_devices_dtype() -> None:
    """int8/int4 name how the weights are stored; the rest runs in the device's dtype."""
    assert resolve_dtype("int8", "cpu") is torch.float32
    assert resolve_dtype("INT4", "mps") is torch.float16


@pytest.mark.parametrize(
    ("dtype", "size"),
    [(torch.float32, 4), (torch.bfloat16, 2), (torch.float16, 2), (torch.int8, 1)],
)
def test_dtype_bytes(dtype: torch.dtype, size: int) -> None:
    """Bytes per parameter, as torch reports them."""
    assert dtype_bytes(dtype) == size


def test_every_accepted_name_is_a_torch_dtype_of_its_size() -> None:
    """Each name in DTYPE_NAMES resolves to a torch dtype of the width its name says."""
    widths = {"fp32": 4, "fp16": 2, "bf16": 2}
    for name, short in device.DTYPE_NAMES.items():
        assert dtype_bytes(resolve_dtype(name, "cpu")) == widths[short]


# --- weights -----------------------------------------------------------------------------------


def tiny_model(folder: Path, *, safetensors: bool, pickles: tuple[str, ...] = ()) -> Path:
    """A folder with a config and real weight files (a 4x4 float32 tensor in each)."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "config.json").write_text('{"model_type": "bert"}')
    tensors = {"weight": torch.zeros(4, 4)}
    if safetensors:
        save_file(tensors, str(folder / "model.safetensors"))
    for name in pickles:
        torch.save(tensors, folder / name)
    return folder


def test_local_folder_lists_top_level_files_with_sizes(tmp_path: Path) -> None:
    """model_files on a folder: its own files and sizes, not those in subfolders."""
    folder = tiny_model(tmp_path / "m", safetensors=True, pickles=("pytorch_model.bin",))
    (folder / "checkpoint-1").mkdir()
    (folder / "checkpoint-1" / "model.safetensors").write_bytes(b"x" * 10)
    files = model_files(str(folder))
    assert files is not None
    assert sorted(files) == ["config.json", "model.safetensors", "pytorch_model.bin"]
    assert files["model.safetensors"] == (folder / "model.safetensors").stat().st_size
    assert files["model.safetensors"] > 64  # header + 16 floats
    assert safetensors_weights(files) == ["model.safetensors"]
    assert check_weights(str(folder), files, allow_pickle=False) is True
    assert weights_bytes(files, True) == files["model.safetensors"]
    assert weights_bytes(files, False) == files["pytorch_model.bin"]


def test_local_folder_with_tilde_is_expanded(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """'~/model' is read from the home folder, not looked up on the Hub."""
    monkeypatch.setenv("HOME", str(tmp_path))
    tiny_model(tmp_path / "model", safetensors=True)
    files = model_files("~/model")
    assert files is not None and "model.safetensors" in files


def test_pickle_only_model_is_refused_by_default(tmp_path: Path) -> None:
    """Only .bin/.pt weights: PickleWeightsError naming the files, unless pickle is allowed."""
    folder = tiny_model(tmp_path / "m", safetensors=False, pickles=("pytorch_model.bin",))
    files = model_files(str(folder))
    with pytest.raises(PickleWeightsError) as caught:
        check_weights("org/old-model", files, allow_pickle=False)
    assert caught.value.title == (
        "org/old-model has only pickle weights (pytorch_model.bin), no .safetensors"
    )
    assert "execute code" in caught.value.hint
    assert check_weights("org/old-model", files, allow_pickle=True) is False
    assert files is not None
    assert weights_bytes(files, False) == (folder / "pytorch_model.bin").stat().st_size


def test_many_pickles_are_shortened_to_three() -> None:
    """The message lists the first three (sorted) and an ellipsis."""
    files = {f"pytorch_model-0000{i}-of-00004.bin": 10 for i in range(1, 5)}
    with pytest.raises(PickleWeightsError, match=r"00003-of-00004\.bin …\), no \.safetensors"):
        check_weights("m", files, allow_pickle=False)
    three = dict(list(files.items())[:3])
    with pytest.raises(PickleWeightsError) as caught:
        check_weights("m", three, allow_pickle=False)
    assert "…" not in caught.value.title


def test_trainer_pickles_are_not_weights() -> None:
    """training_args.bin, optimizer.pt, scheduler.pt, scaler.pt and rng_state*.pth are ignored."""
    files = {
        "training_args.bin": 5,
        "optimizer.pt": 100,
        "scheduler.pt": 1,
        "scaler.pt": 1,
        "rng_state_0.pth": 14,
        "rng_state.pth": 14,
        "config.json": 3,
    }
    assert pickle_weights(files) == []
    assert check_weights("m", files, allow_pickle=False) is True  # nothing to refuse
    files["model.ckpt"] = 40
    files["extra.pickle"] = 2
    assert pickle_weights(files) == ["extra.pickle", "model.ckpt"]
    assert weights_bytes(files, False) == 42


def test_safetensors_beside_pickles_loads_safetensors() -> None:
    """Both kinds present: safetensors is used and only its bytes count."""
    files = {"model-1.safetensors": 30, "model-2.safetensors": 20, "pytorch_model.bin": 99}
    assert check_weights("m", files, allow_pickle=False) is True
    assert weights_bytes(files, True) == 50


def test_unknown_files_trust_use_safetensors() -> None:
    """No file list: load with use_safetensors=True and size 0 (unknown)."""
    assert check_weights("m", None, allow_pickle=False) is True
    assert weights_bytes(None, True) == 0
    assert weights_bytes(None, False) == 0


def cache_snapshot(repo_id: str, files: dict[str, bytes]) -> Path:
    """Put `files` in the test's HF cache as the 'main' snapshot of `repo_id`."""
    repo = Path(constants.HF_HUB_CACHE) / f"models--{repo_id.replace('/', '--')}"
    (repo / "refs").mkdir(parents=True)
    (repo / "refs" / "main").write_text(COMMIT)
    snapshot = repo / "snapshots" / COMMIT
    for name, data in files.items():
        (snapshot / name).parent.mkdir(parents=True, exist_ok=True)
        (snapshot / name).write_bytes(data)
    return snapshot


def no_hub(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Make HfApi.model_info fail as offline would; returns the repo ids asked for."""
    asked: list[str] = []

    def model_info(self: Any, repo_id: str, **kwargs: Any) -> ModelInfo:
        asked.append(repo_id)
        raise huggingface_hub.errors.OfflineModeIsEnabled("offline")

    monkeypatch.setattr(huggingface_hub.HfApi, "model_info", model_info)
    return asked


def test_cached_repo_is_read_from_the_cache(monkeypatch: pytest.MonkeyPatch) -> None:
    """A cached snapshot answers without the Hub; subfolder files do not count."""
    asked = no_hub(monkeypatch)
    cache_snapshot(
        "org/cached",
        {"config.json": b"{}", "pytorch_model.bin": b"p" * 7, "onnx/model.bin": b"o" * 3},
    )
    files = model_files("org/cached")
    assert files == {"config.json": 2, "pytorch_model.bin": 7}
    assert asked == []
    with pytest.raises(PickleWeightsError, match="org/cached has only pickle weights"):
        check_weights("org/cached", files, allow_pickle=False)


def test_uncached_repo_asks_the_hub_for_top_level_sizes(monkeypatch: pytest.MonkeyPatch) -> None:
    """Not cached: the Hub's file list with sizes; nested files dropped, unknown size 0."""
    calls: list[tuple[str, dict[str, Any]]] = []

    def model_info(self: Any, repo_id: str, **kwargs: Any) -> ModelInfo:
        calls.append((repo_id, kwargs))
        return ModelInfo(
            id=repo_id,
            siblings=[
                {"rfilename": "model.safetensors", "size": 1200},
                {"rfilename": "README.md", "size": None},
                {"rfilename": "onnx/model.onnx", "size": 900},
            ],
        )

    monkeypatch.setattr(huggingface_hub.HfApi, "model_info", model_info)
    files = model_files("org/remote")
    assert files == {"model.safetensors": 1200, "README.md": 0}
    assert calls == [("org/remote", {"files_metadata": True})]
    assert weights_bytes(files, check_weights("org/remote", files, allow_pickle=False)) == 1200


def test_repo_without_siblings_has_no_files(monkeypatch: pytest.MonkeyPatch) -> None:
    """A Hub answer with no file list is an empty dict, not None."""
    monkeypatch.setattr(
        huggingface_hub.HfApi, "model_info", lambda self, repo_id, **kw: ModelInfo(id=repo_id)
    )
    assert model_files("org/empty") == {}


def test_unknown_repo_offline_is_none(monkeypatch: pytest.MonkeyPatch) -> None:
    """Neither the cache nor the Hub answers: None (transformers reports it when loading)."""
    asked = no_hub(monkeypatch)
    assert model_files("org/nowhere") is None
    assert asked == ["org/nowhere"]
    assert weights._remote_files("org/nowhere") is None  # pyright: ignore[reportPrivateUsage]
