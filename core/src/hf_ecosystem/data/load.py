"""Load and stream with the `datasets` library (imported inside each function: job side only)."""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping, Sequence
from typing import TYPE_CHECKING, Any, cast

from hf_ecosystem.data.errors import DataError, check_json_depth
from hf_ecosystem.data.layout import SplitFiles
from hf_ecosystem.data.readers import read_batches
from hf_ecosystem.data.sources import DataSource, resolve

if TYPE_CHECKING:
    from datasets import Dataset, DatasetDict, Features, IterableDataset, IterableDatasetDict

_BUILDERS = {
    "parquet": "parquet",
    "csv": "csv",
    "tsv": "csv",
    "json": "json",
    "text": "text",
    "arrow": "arrow",
}


def _data_file_path(path: str, where: str) -> str:
    return f"hf://{path}" if where == "hub" else path


def _explain(split: SplitFiles, exc: BaseException) -> DataError:
    """The precise DataError our readers find in the split's files, else datasets' message."""
    for file in split.files:
        try:
            for _ in read_batches(file, split.format):
                pass
        except DataError as found:
            return found
        except Exception:
            break
    text = str(exc).strip()
    return DataError(
        f"cannot build the dataset: {text.splitlines()[0][:300] if text else repr(exc)}",
        file=split.files[0].name if split.files else None,
    )


def load_data(  # over 60 lines: each datasets error mapped to a message, in one place
    spec: str | DataSource,
    *,
    split: str | None = None,
    config: str | None = None,
    streaming: bool = False,
    offline: bool | None = None,
    **kwargs: Any,
) -> Dataset | DatasetDict | IterableDataset | IterableDatasetDict:
    """A Hub repo, local file or folder, or URL as a `datasets` object (all splits if no split).

    Hub and local-hub repos go through `load_dataset(repo)` so their card's configs and features
    apply; a file or URL goes through the format's builder. Extra kwargs go to `load_dataset`.
    """
    import datasets
    from datasets import config as datasets_config
    from datasets.exceptions import DatasetGenerationError, DatasetNotFoundError

    from hf_ecosystem.errors import RepoNotFoundError

    if "HF_UPDATE_DOWNLOAD_COUNTS" not in os.environ:
        # Packaged builders otherwise ping s3.amazonaws.com (3 s timeout) on each load, offline too.
        datasets_config.HF_UPDATE_DOWNLOAD_COUNTS = False

    # load_dataset's signature has untyped parts; the declared return type above is what we read.
    load = cast("Callable[..., Any]", datasets.load_dataset)  # pyright: ignore[reportUnknownMemberType]
    source = spec if isinstance(spec, DataSource) else resolve(spec, offline=offline)
    chosen = source.config(config)
    split_files = source.split(split, config)[1] if split is not None else chosen.splits[0]
    # datasets builds every config of a repo with one builder: mixed formats go file by file.
    one_format = len({s.format for c in source.configs for s in c.splits}) == 1
    for part in chosen.splits:  # Arrow's JSON reader dies (not raises) on very deep nesting
        for file in part.files:
            if part.format == "json" and file.where == "local":
                check_json_depth(file.path, file.name)
    try:
        if source.kind == "hub" and one_format:
            return load(
                source.repo_id or source.location,
                chosen.name,
                split=split,
                revision=source.revision,
                streaming=streaming,
                **kwargs,
            )
        if source.kind in ("folder", "local-hub") and one_format:
            return load(source.location, chosen.name, split=split, streaming=streaming, **kwargs)
        if split_files.format == "tsv":
            kwargs.setdefault("sep", "\t")
        data_files = {
            s.name: [_data_file_path(f.path, f.where) for f in s.files] for s in chosen.splits
        }
        return load(
            _BUILDERS[split_files.format],
            data_files=data_files,
            split=split,
            streaming=streaming,
            **kwargs,
        )
    except DatasetNotFoundError as exc:
        raise RepoNotFoundError(f"Dataset not found: {source.spec}") from exc
    except DatasetGenerationError as exc:
        raise _explain(split_files, exc.__cause__ or exc) from exc
    except (ValueError, TypeError, OSError) as exc:
        raise _explain(split_files, exc) from exc


def stream_dataset(
    spec: str | DataSource,
    *,
    split: str | None = None,
    config: str | None = None,
    columns: Sequence[str] | None = None,
    offline: bool | None = None,
) -> IterableDataset:
    """One split as an IterableDataset: rows are read as they are asked for, never all at once."""
    source = spec if isinstance(spec, DataSource) else resolve(spec, offline=offline)
    _, split_files = source.split(split, config)
    stream = load_data(source, split=split_files.name, config=config, streaming=True)
    if columns:
        stream = stream.select_columns(list(columns))  # type: ignore[union-attr]
    return stream  # type: ignore[return-value]


def _kind(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, bool):
        return "bool"
    if isinstance(value, int | float):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, Mapping):
        return "mapping"
    if isinstance(value, list | tuple):
        return "list"
    return type(value).__name__


def check_columns_data(mapping: Mapping[str, Sequence[Any]]) -> int:
    """The common length of the columns; DataError naming a ragged or mixed-type column."""
    # Callers outside the type checker (CLI, JSON) can pass anything: check the shapes.
    if not isinstance(mapping, Mapping) or not mapping:  # pyright: ignore[reportUnnecessaryIsInstance]
        raise DataError("no columns given", hint="Pass a dict of column name -> list of values.")
    length: int | None = None
    first_name = ""
    for name, values in mapping.items():
        if isinstance(values, str | bytes) or not isinstance(values, Sequence):  # pyright: ignore[reportUnnecessaryIsInstance]
            raise DataError(
                f"a column must be a list of values, not {type(values).__name__}", column=name
            )
        if length is None:
            length, first_name = len(values), name
        elif len(values) != length:
            raise DataError(
                f"{len(values)} values, but column {first_name!r} has {length}", column=name
            )
        seen: str | None = None
        for index, value in enumerate(values):
            kind = _kind(value)
            if kind is None:
                continue
            if seen is None:
                seen = kind
            elif kind != seen:
                raise DataError(
                    f"mixed types: {seen} in earlier rows, then {kind} ({value!r:.60})",
                    row=index,
                    column=name,
                    hint="Give every value of a column the same type (None is fine).",
                )
    return length or 0


def dataset_from_dict(
    mapping: Mapping[str, Sequence[Any]], *, features: Features | None = None
) -> Dataset:
    """A Dataset from columns of plain values, checked first so errors name the column and row."""
    from datasets import Dataset

    check_columns_data(mapping)
    try:
        return Dataset.from_dict(dict(mapping), features=features)  # pyright: ignore[reportUnknownMemberType]
    except (ValueError, TypeError) as exc:
        raise DataError(f"cannot build the dataset: {exc}") from exc
