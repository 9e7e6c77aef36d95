"""What a DATASET_OR_PATH is: a local file or folder, a URL, a local-hub repo or a Hub repo."""

from __future__ import annotations

import os
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from hf_ecosystem.data.errors import DataError
from hf_ecosystem.data.layout import ConfigFiles, DataFile, SplitFiles, build_configs, data_format
from hf_ecosystem.data.types import DatasetInfoSummary, SourceKind
from hf_ecosystem.paths import user_path

if TYPE_CHECKING:
    from hf_ecosystem.config import Settings

__all__ = ["DataFile", "DataSource", "inspect_dataset", "list_configs", "list_splits", "resolve"]

_URL = re.compile(r"^(https?)://", re.IGNORECASE)
_SKIP_DIRS = {".git", ".cache", ".huggingface", "__pycache__"}


@dataclass(frozen=True, slots=True)
class DataSource:
    """A resolved dataset: where it lives and the data files of each config and split."""

    spec: str
    kind: SourceKind
    location: str
    configs: tuple[ConfigFiles, ...]
    repo_id: str | None = None
    revision: str | None = None

    def config(self, name: str | None = None) -> ConfigFiles:
        """One config by name (the default one when `name` is None); DataError when unknown."""
        if name is None:
            return next((c for c in self.configs if c.default), self.configs[0])
        for config in self.configs:
            if config.name == name:
                return config
        known = ", ".join(c.name for c in self.configs)
        raise DataError(
            f"no config {name!r} in {self.spec}",
            hint=f"Configs of this dataset: {known}.",
        )

    def split(
        self, split: str | None = None, config: str | None = None
    ) -> tuple[ConfigFiles, SplitFiles]:
        """One split of one config ('train', else the first, when `split` is None)."""
        chosen = self.config(config)
        if split is None:
            names = [s.name for s in chosen.splits]
            split = "train" if "train" in names else names[0]
        for candidate in chosen.splits:
            if candidate.name == split:
                return chosen, candidate
        known = ", ".join(s.name for s in chosen.splits)
        raise DataError(
            f"no split {split!r} in {self.spec} (config {chosen.name!r})",
            hint=f"Splits of this config: {known}.",
        )

    def summary(self, *, count_rows: bool = True) -> DatasetInfoSummary:
        """The plain description; local Parquet files get row counts from their footers."""
        rows = count_rows and self.kind in ("file", "folder", "local-hub")
        return DatasetInfoSummary(
            spec=self.spec,
            kind=self.kind,
            location=self.location,
            configs=tuple(c.summary(count_rows=rows) for c in self.configs),
        )


def resolve(
    spec: str,
    *,
    offline: bool | None = None,
    settings: Settings | None = None,
) -> DataSource:
    """Resolve DATASET_OR_PATH (a path, an http(s) URL or a repo id with an optional @revision)."""
    from hf_ecosystem.config import load_settings

    text = spec.strip()
    if not text:
        raise DataError("no dataset given", hint="Pass a repo id (org/name), a file or a folder.")
    if _URL.match(text):
        return _url_source(text)
    path = user_path(text)
    if path.is_file():
        return _file_source(text, path)
    if not path.is_dir() and _looks_like_path(text):
        raise DataError(
            f"no such file or folder: {text}",
            hint="Check the path, or pass a repo id like org/name.",
        )
    from hf_ecosystem.hub.reference import resolve_reference

    settings = settings or load_settings()
    offline = settings.offline if offline is None else offline
    ref = resolve_reference(text, "dataset", settings, offline=offline)
    if ref.kind != "hub" and ref.path is not None:
        return _folder_source(text, ref.path, ref.kind, repo_id=ref.repo_id)
    return _hub_source(text, ref.repo_id or text, ref.revision, settings)


def inspect_dataset(
    spec: str, *, offline: bool | None = None, settings: Settings | None = None
) -> DatasetInfoSummary:
    """Configs and splits of a dataset, with files, sizes and (local Parquet) row counts."""
    return resolve(spec, offline=offline, settings=settings).summary()


def list_configs(spec: str, *, offline: bool | None = None) -> list[str]:
    """The config names of a dataset, default first."""
    source = resolve(spec, offline=offline)
    default = source.config().name
    return [default] + [c.name for c in source.configs if c.name != default]


def list_splits(spec: str, config: str | None = None, *, offline: bool | None = None) -> list[str]:
    """The split names of one config of a dataset."""
    return [s.name for s in resolve(spec, offline=offline).config(config).splits]


def _looks_like_path(text: str) -> bool:
    """True for what cannot be a repo id: a path start, a backslash, a data file name, a/b/c."""
    if text.startswith(("/", "./", "../", "~")) or "\\" in text:
        return True
    return data_format(text) is not None or text.count("/") > 1


def _url_source(url: str) -> DataSource:
    path = url.split("?", 1)[0].split("#", 1)[0]
    fmt = data_format(path)
    if fmt is None:
        raise DataError(
            f"cannot tell the format of {url}",
            hint="Use a URL ending in .parquet, .csv, .tsv, .json, .jsonl, .txt or .arrow.",
        )
    data_file = DataFile(path=url, name=url, size=None, where="url")
    split = SplitFiles("train", fmt, (data_file,))
    return DataSource(url, "url", url, (ConfigFiles("default", (split,), default=True),))


def _file_source(spec: str, path: Path) -> DataSource:
    fmt = data_format(path.name)
    if fmt is None:
        raise DataError(
            f"unknown data format of {path.name!r}",
            file=str(path),
            hint="Supported: .parquet, .csv, .tsv, .json, .jsonl, .txt, .arrow (optionally .gz).",
        )
    size = path.stat().st_size
    data_file = DataFile(path=str(path), name=str(path), size=size, where="local")
    split = SplitFiles("train", fmt, (data_file,))
    config = ConfigFiles("default", (split,), default=True)
    return DataSource(spec, "file", str(path), (config,))


def _walk(folder: Path) -> Iterable[tuple[str, int | None]]:
    for dirpath, dirnames, filenames in os.walk(folder):
        dirnames[:] = sorted(d for d in dirnames if d not in _SKIP_DIRS and not d.startswith("."))
        rel_dir = Path(dirpath).relative_to(folder).as_posix()
        for name in sorted(filenames):
            if name.startswith("."):
                continue
            full = Path(dirpath) / name
            try:
                size = full.stat().st_size
            except OSError:
                continue  # a broken symlink is not data
            yield (name if rel_dir == "." else f"{rel_dir}/{name}"), size


def _read_card(readme: Path) -> Mapping[str, Any]:
    from hf_ecosystem.errors import CardError
    from hf_ecosystem.hub.cards import split_front_matter
    from hf_ecosystem.safe_files import read_text_bounded

    try:
        metadata, _ = split_front_matter(read_text_bounded(readme))
    except (OSError, UnicodeDecodeError, CardError) as exc:
        raise DataError(f"cannot read the dataset card: {exc}", file=str(readme)) from exc
    return metadata


def _folder_source(
    spec: str,
    folder: Path,
    kind: Literal["folder", "local-hub"],
    repo_id: str | None = None,
) -> DataSource:
    listing = list(_walk(folder))
    card: Mapping[str, Any] = {}
    if (folder / "README.md").is_file():
        card = _read_card(folder / "README.md")

    def make(rel: str, size: int | None) -> DataFile:
        return DataFile(path=str(folder / rel), name=str(folder / rel), size=size, where="local")

    configs = build_configs(listing, card, make, where=str(folder))
    return DataSource(spec, kind, str(folder), configs, repo_id=repo_id)


def _hub_source(spec: str, repo_id: str, revision: str | None, settings: Settings) -> DataSource:
    from huggingface_hub import HfApi

    from hf_ecosystem.hub.auth import current_token
    from hf_ecosystem.hub.http_errors import hub_errors

    api = HfApi(endpoint=settings.endpoint, token=current_token())
    with hub_errors(repo_id):
        info = api.dataset_info(repo_id, revision=revision, files_metadata=True)
    sha = info.sha or revision or "main"
    listing = [(s.rfilename, s.size) for s in info.siblings or []]
    card = dict(info.card_data.to_dict()) if info.card_data is not None else {}

    def make(rel: str, size: int | None) -> DataFile:
        return DataFile(
            path=f"datasets/{repo_id}@{sha}/{rel}",
            name=f"{repo_id}/{rel}",
            size=size,
            where="hub",
            endpoint=settings.endpoint,
        )

    configs = build_configs(listing, card, make, where=repo_id)
    return DataSource(
        spec, "hub", f"{settings.endpoint}/datasets/{repo_id}", configs, repo_id, revision
    )
