"""The tokenizer that counts tokens for dataset statistics: a tokenizer.json, a folder holding one,
or a model's repo id found by the reference resolver (local hub, HF cache, or the Hub)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from hf_ecosystem.data.errors import DataError
from hf_ecosystem.errors import HfEcoError, InvalidRepoIdError
from hf_ecosystem.paths import user_path


def fast_tokenizer(ref: str, *, offline: bool | None = None) -> Any:
    """A `tokenizers.Tokenizer`, limits off, from a tokenizer.json, a folder holding one, or a
    model's repo id (the local hub, the HF cache, or the Hub unless `offline`)."""

    from tokenizers import Tokenizer

    file = tokenizer_file(ref, offline=offline)
    try:
        tokenizer = Tokenizer.from_file(str(file))
    except Exception as exc:  # tokenizers raises a bare Exception on a bad file
        raise DataError(f"cannot read the tokenizer: {exc}", file=str(file)) from exc
    # Token counts must not be capped or padded by the file's training settings.
    tokenizer.no_truncation()
    tokenizer.no_padding()
    return tokenizer


def tokenizer_file(ref: str, *, offline: bool | None = None) -> Path:
    """Where the tokenizer.json of `ref` is: the file, in the folder, or in the model repo the
    reference resolver finds (downloaded into the HF cache when it is the Hub's)."""
    from hf_ecosystem.config import load_settings
    from hf_ecosystem.hub.reference import resolve_reference

    given = user_path(ref)
    if given.is_file():
        return given
    settings = load_settings()
    offline = settings.offline if offline is None else offline
    if given.is_dir():
        folder: Path | None = given
    else:
        try:
            found = resolve_reference(ref, "model", settings, offline=offline)
        except InvalidRepoIdError as exc:
            raise DataError(
                f"no tokenizer at {ref}: neither a file, a folder nor a repo id",
                hint="Give a tokenizer.json, a model folder or a model's repo id.",
            ) from exc
        folder = found.path
        if folder is None:
            return _download_tokenizer(found.repo_id or ref, found.revision, offline)
    file = folder / "tokenizer.json"
    if not file.is_file():
        raise DataError(
            f"no tokenizer.json in {folder}",
            hint="Point at a model with a fast tokenizer (tokenizer.json), or at the file.",
        )
    return file


def _download_tokenizer(repo_id: str, revision: str | None, offline: bool) -> Path:
    """A Hub model's tokenizer.json through the HF cache (only the cache when `offline`)."""
    from huggingface_hub import hf_hub_download  # pyright: ignore[reportUnknownVariableType]
    from huggingface_hub.errors import (
        EntryNotFoundError,
        LocalEntryNotFoundError,
        RemoteEntryNotFoundError,
    )

    from hf_ecosystem.hub.auth import current_token
    from hf_ecosystem.hub.http_errors import hub_errors

    try:
        with hub_errors(repo_id):
            return Path(
                hf_hub_download(
                    repo_id,
                    "tokenizer.json",
                    revision=revision,
                    token=current_token(),
                    local_files_only=offline,
                )
            )
    except HfEcoError as exc:
        cause = exc.__cause__
        if isinstance(cause, RemoteEntryNotFoundError) or (
            isinstance(cause, EntryNotFoundError) and not isinstance(cause, LocalEntryNotFoundError)
        ):
            raise DataError(
                f"{repo_id} has no tokenizer.json",
                hint="Pick a model with a fast tokenizer (tokenizer.json).",
            ) from exc
        raise
