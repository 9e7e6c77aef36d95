"""Which weight files a model has: refuse pickle-only models, and size the model for placement."""

from __future__ import annotations

import re
from pathlib import Path

from hf_ecosystem.inference.errors import PickleWeightsError
from hf_ecosystem.paths import user_path

PICKLE_SUFFIXES = (".bin", ".pt", ".pth", ".ckpt", ".pkl", ".pickle")
# Trainer checkpoints keep these pickles beside the weights; they are not the model.
_NOT_WEIGHTS = re.compile(
    r"^(training_args\.bin|optimizer\.pt|scheduler\.pt|scaler\.pt|rng_state.*\.pth)$"
)


def _local_files(folder: Path) -> dict[str, int]:
    # transformers loads top-level files only (unless told a subfolder), so that is what counts.
    return {p.name: p.stat().st_size for p in folder.iterdir() if p.is_file()}


def _remote_files(repo_id: str) -> dict[str, int] | None:
    """Top-level files of a Hub repo with sizes: the cached snapshot, else the Hub; None if
    neither answers."""
    from huggingface_hub import HfApi, snapshot_download  # pyright: ignore[reportUnknownVariableType]

    try:
        return _local_files(Path(snapshot_download(repo_id, local_files_only=True)))
    except Exception:  # not cached (or a partial cache): ask the Hub below
        pass
    try:
        info = HfApi().model_info(repo_id, files_metadata=True)
    except Exception:  # offline or unknown repo: transformers reports it when loading
        return None
    return {s.rfilename: int(s.size or 0) for s in info.siblings or [] if "/" not in s.rfilename}


def model_files(model: str) -> dict[str, int] | None:
    """The model's top-level files and their sizes (local folder or Hub repo), or None."""
    path = user_path(model)
    if path.is_dir():
        return _local_files(path)
    return _remote_files(model)


def pickle_weights(files: dict[str, int]) -> list[str]:
    """The pickle weight files among `files`, sorted."""
    return sorted(n for n in files if n.endswith(PICKLE_SUFFIXES) and not _NOT_WEIGHTS.match(n))


def safetensors_weights(files: dict[str, int]) -> list[str]:
    """The safetensors weight files among `files`, sorted."""
    return sorted(n for n in files if n.endswith(".safetensors"))


def check_weights(model: str, files: dict[str, int] | None, *, allow_pickle: bool) -> bool:
    """Whether to load with `use_safetensors=True`; raises PickleWeightsError when the model has
    only pickle weights and `allow_pickle` is False."""
    if files is None or safetensors_weights(files):
        # Unknown files: use_safetensors=True makes transformers refuse pickle on its own.
        return True
    pickles = pickle_weights(files)
    if not pickles:
        return True
    if not allow_pickle:
        shown = ", ".join(pickles[:3]) + (" …" if len(pickles) > 3 else "")
        raise PickleWeightsError(f"{model} has only pickle weights ({shown}), no .safetensors")
    return False


def load_kwargs(model: str, *, allow_pickle: bool = False) -> dict[str, bool]:
    """The safety arguments every `from_pretrained` of a model's weights takes, decided once:
    pickle-only weights refused (PickleWeightsError) unless allowed, safetensors required
    otherwise, and no code from the repo."""
    use_safetensors = check_weights(model, model_files(model), allow_pickle=allow_pickle)
    return {"use_safetensors": use_safetensors, "trust_remote_code": False}


def weights_bytes(files: dict[str, int] | None, use_safetensors: bool) -> int:
    """Bytes of the weight files that will be loaded (0 when unknown)."""
    if files is None:
        return 0
    names = safetensors_weights(files) if use_safetensors else pickle_weights(files)
    return sum(files[n] for n in names)
