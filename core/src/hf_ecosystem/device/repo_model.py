"""Read a model for a memory estimate: its config.json and parameter count, from a folder, the
local hub or the Hub."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from hf_ecosystem.device.model_shape import ModelConfigError, read_config
from hf_ecosystem.paths import user_path

if TYPE_CHECKING:
    from hf_ecosystem.hub.backend import HubBackend


@dataclass(frozen=True, slots=True)
class RepoModel:
    """What an estimate reads from a repo: its config.json and, when known, its parameters."""

    name: str
    config: dict[str, Any] | None
    parameters: int | None
    source: str


def load_repo_model(repo_id_or_path: str | Path, backend: HubBackend | None = None) -> RepoModel:
    """A model folder, a local-hub repo or a Hub repo, read for a memory estimate."""
    from hf_ecosystem.hub.repo_id import validate_repo_id

    text = str(repo_id_or_path)
    path = user_path(text)
    if path.is_dir():
        return _from_folder(path, text)
    if looks_like_path(text):
        raise ModelConfigError(
            f"No model folder at {text}", "Give a folder holding config.json, or a repo id."
        )
    repo_id = validate_repo_id(text)
    if backend is None:
        from hf_ecosystem.hub.selection import select_backend

        backend = select_backend().backend
    local_path = getattr(backend, "local_path", None)
    if callable(local_path):  # LocalHub: the repo is a folder on this machine
        return _from_folder(Path(local_path(repo_id)), repo_id)  # type: ignore[arg-type]
    return _from_hub(backend, repo_id)


def looks_like_path(text: str) -> bool:
    """True for an existing path or one written as a path (./x, /x, ~/x), not a repo id."""
    return user_path(text).exists() or text.startswith((".", "/", "~"))


def _from_folder(folder: Path, name: str) -> RepoModel:
    from hf_ecosystem.hub.safetensors_meta import total_parameters, weight_files

    config = read_config(folder)
    files = weight_files(sorted(p.name for p in folder.iterdir() if p.is_file()))
    params = total_parameters(folder / f for f in files) if files else None
    if params:
        return RepoModel(name, config, params, "parameters: exact, from the safetensors headers")
    return RepoModel(name, config, None, "no safetensors weights: parameters from config.json")


def _from_hub(backend: HubBackend, repo_id: str) -> RepoModel:
    from huggingface_hub import hf_hub_download  # pyright: ignore[reportUnknownVariableType]
    from huggingface_hub.errors import EntryNotFoundError

    from hf_ecosystem.hub.auth import current_token
    from hf_ecosystem.hub.http_errors import hub_errors

    params = backend.model_info(repo_id).summary.parameters
    with hub_errors(repo_id):
        try:
            path = hf_hub_download(
                repo_id,
                "config.json",
                endpoint=getattr(backend, "endpoint", None),
                token=current_token(),
                etag_timeout=float(getattr(backend, "timeout", 10.0)),
            )
        except EntryNotFoundError:
            path = None
    config = read_config(Path(path).parent) if path else None
    if params:
        source = "parameters: the Hub's safetensors metadata"
        return RepoModel(repo_id, config, params, source)
    return RepoModel(repo_id, config, None, "the Hub has no parameter count: from config.json")
