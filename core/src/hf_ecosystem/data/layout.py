"""Configs and splits from a file listing: the card's `configs:` or the Hub's naming conventions."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal, cast

from hf_ecosystem.data.errors import DataError
from hf_ecosystem.data.types import ConfigSummary, DataFormat, SplitSummary

_EXTENSIONS: dict[str, DataFormat] = {
    ".parquet": "parquet",
    ".csv": "csv",
    ".tsv": "tsv",
    ".json": "json",
    ".jsonl": "json",
    ".ndjson": "json",
    ".txt": "text",
    ".arrow": "arrow",
}
COMPRESSIONS = {".gz": "gzip", ".bz2": "bz2", ".zst": "zstd", ".lz4": "lz4"}
# Ties between formats in one folder go to the richer one.
_PRIORITY: tuple[DataFormat, ...] = ("parquet", "arrow", "json", "csv", "tsv", "text")
# Metadata files that share a data extension (datasets' save_to_disk, the Hub's own).
_NOT_DATA = {"dataset_info.json", "dataset_infos.json", "state.json", "dataset_dict.json"}
_SPLIT_KEYWORDS = {
    "train": ("train", "training"),
    "validation": ("validation", "valid", "dev", "val"),
    "test": ("test", "testing", "eval", "evaluation"),
}
_SEP = r"[-._ 0-9]"
_SHARDED = re.compile(r"^(?P<split>\w+?)-\d{5}-of-\d{5}")


@dataclass(frozen=True, slots=True)
class DataFile:
    """One data file: a local path, an http(s) URL, or a path in the Hub's file system."""

    path: str
    name: str
    size: int | None
    where: Literal["local", "hub", "url"]
    endpoint: str | None = None

    @property
    def compression(self) -> str | None:
        """The codec named by the file's last suffix, if any."""
        lower = self.path.lower().split("?", 1)[0]
        return next((c for s, c in COMPRESSIONS.items() if lower.endswith(s)), None)


@dataclass(frozen=True, slots=True)
class SplitFiles:
    """The data files of one split, all of one format."""

    name: str
    format: DataFormat
    files: tuple[DataFile, ...]
    num_rows: int | None = None

    def summary(self, *, count_rows: bool) -> SplitSummary:
        """The plain description, counting Parquet rows from local footers when asked."""
        sizes = [f.size for f in self.files]
        rows = self.num_rows
        if rows is None and count_rows and self.format == "parquet" and len(self.files) <= 200:
            rows = _parquet_rows(self.files)
        return SplitSummary(
            name=self.name,
            format=self.format,
            files=tuple(f.name for f in self.files),
            num_bytes=None if None in sizes else sum(s or 0 for s in sizes),
            num_rows=rows,
        )


@dataclass(frozen=True, slots=True)
class ConfigFiles:
    """One config: its splits, and class names of ClassLabel columns when the card has them."""

    name: str
    splits: tuple[SplitFiles, ...]
    default: bool = False
    class_labels: Mapping[str, tuple[str, ...]] = field(default_factory=dict[str, tuple[str, ...]])

    def summary(self, *, count_rows: bool) -> ConfigSummary:
        """The plain description."""
        splits = tuple(s.summary(count_rows=count_rows) for s in self.splits)
        return ConfigSummary(self.name, splits, self.default)


def data_format(name: str) -> DataFormat | None:
    """The data format a file name implies ('x.jsonl.gz' -> 'json'), None when unknown."""
    lower = name.lower()
    for suffix in COMPRESSIONS:
        if lower.endswith(suffix):
            lower = lower[: -len(suffix)]
            break
    dot = lower.rfind(".")
    return _EXTENSIONS.get(lower[dot:]) if dot >= 0 else None


def _parquet_rows(files: Sequence[DataFile]) -> int | None:
    import pyarrow.parquet as pq

    parquet: Any = pq  # pyarrow ships no type information
    try:
        return sum(parquet.read_metadata(f.path).num_rows for f in files if f.where == "local")
    except (OSError, ValueError):  # an unreadable footer is reported when the split is read
        return None


def glob_regex(pattern: str) -> re.Pattern[str]:
    """A glob with `**` (any folders, or none) as a regex over posix paths."""
    out: list[str] = []
    i = 0
    while i < len(pattern):
        if pattern.startswith("**/", i):
            out.append("(?:.*/)?")
            i += 3
        elif pattern.startswith("**", i):
            out.append(".*")
            i += 2
        elif pattern[i] == "*":
            out.append("[^/]*")
            i += 1
        elif pattern[i] == "?":
            out.append("[^/]")
            i += 1
        elif pattern[i] == "[" and "]" in pattern[i + 1 :]:
            end = pattern.index("]", i + 1)
            body = pattern[i + 1 : end].replace("\\", "\\\\")
            out.append(f"[^{body[1:]}]" if body.startswith("!") else f"[{body}]")
            i = end + 1
        else:
            out.append(re.escape(pattern[i]))
            i += 1
    return re.compile("".join(out) + r"\Z")


def _is_data(rel: str) -> bool:
    name = rel.rsplit("/", 1)[-1]
    return name not in _NOT_DATA and data_format(name) is not None


def _pick_format(paths: Iterable[str], where: str) -> tuple[DataFormat, list[str]]:
    by_format: dict[DataFormat, list[str]] = {}
    for rel in paths:
        fmt = data_format(rel)
        if fmt is not None:
            by_format.setdefault(fmt, []).append(rel)
    if not by_format:
        raise DataError(
            f"no data files in {where}",
            hint="Supported: .parquet, .csv, .tsv, .json, .jsonl, .txt, .arrow (optionally .gz).",
        )
    best = max(by_format, key=lambda f: (len(by_format[f]), -_PRIORITY.index(f)))
    return best, by_format[best]


def _keyword_split(part: str, *, whole: bool) -> str | None:
    for split, keywords in _SPLIT_KEYWORDS.items():
        for kw in keywords:
            tail = f"(?:{_SEP}.*)?" if whole else f"{_SEP}.*"
            if re.fullmatch(f"(?:.*{_SEP})?{kw}{tail}", part, flags=re.IGNORECASE):
                return split
    return None


def infer_splits(paths: Sequence[str]) -> dict[str, list[str]]:
    """Group data files into splits the way the Hub does: shards, then folder, then file names."""
    sharded: dict[str, list[str]] = {}
    for rel in paths:
        match = _SHARDED.match(rel.rsplit("/", 1)[-1])
        if rel.startswith("data/") and match:
            sharded.setdefault(match.group("split"), []).append(rel)
    if sharded:
        return sharded
    for by_dir in (True, False):
        found: dict[str, list[str]] = {}
        for rel in paths:
            parts = rel.split("/")
            candidates = parts[:-1] if by_dir else parts[-1:]
            split = next(
                (s for p in candidates if (s := _keyword_split(p, whole=by_dir)) is not None), None
            )
            if split is not None:
                found.setdefault(split, []).append(rel)
        if found:
            return {s: found[s] for s in _SPLIT_KEYWORDS if s in found}
    return {"train": list(paths)}


def _card_data_files(entry: Mapping[str, Any]) -> dict[str, list[str]]:
    data_files = entry.get("data_files")
    prefix = str(entry.get("data_dir") or "").strip("/")
    if data_files is None:
        return {}
    if isinstance(data_files, str):
        data_files = [data_files]
    out: dict[str, list[str]] = {}
    items: list[Any]
    if isinstance(data_files, Mapping):
        items = [{"split": k, "path": v} for k, v in _mapping(data_files).items()]
    else:
        items = list(cast("Iterable[Any]", data_files))
    for item in items:
        if isinstance(item, str):
            split, patterns = "train", [item]
        elif isinstance(item, Mapping):
            fields = _mapping(item)
            split = str(fields.get("split", "train"))
            raw = fields.get("path", [])
            patterns = (
                [raw] if isinstance(raw, str) else [str(p) for p in cast("Iterable[Any]", raw)]
            )
        else:
            continue
        out.setdefault(split, []).extend(f"{prefix}/{p}" if prefix else p for p in patterns)
    return out


def _mapping(value: Any) -> Mapping[str, Any]:
    """Parsed YAML as a mapping: the value itself when it is one, else an empty one."""
    return cast("Mapping[str, Any]", value) if isinstance(value, Mapping) else {}


def _dataset_infos(card: Mapping[str, Any]) -> list[Any]:
    infos = card.get("dataset_info")
    return cast("list[Any]", infos) if isinstance(infos, list) else [infos]


def _card_class_labels(card: Mapping[str, Any], config: str) -> dict[str, tuple[str, ...]]:
    for candidate in _dataset_infos(card):
        info = _mapping(candidate)
        if not isinstance(candidate, Mapping) or info.get("config_name", "default") != config:
            continue
        out: dict[str, tuple[str, ...]] = {}
        for feature in cast("Iterable[Any]", info.get("features") or []):
            dtype = _mapping(feature).get("dtype") if isinstance(feature, Mapping) else None
            names = (
                cast("Any", dtype).get("class_label", {}).get("names")
                if isinstance(dtype, Mapping)
                else None
            )
            if isinstance(names, Mapping):
                ordered = sorted(_mapping(names).items(), key=lambda kv: int(kv[0]))
                out[str(_mapping(feature).get("name"))] = tuple(str(v) for _, v in ordered)
        return out
    return {}


def _card_rows(card: Mapping[str, Any], config: str) -> dict[str, int]:
    for info in _dataset_infos(card):
        if isinstance(info, Mapping) and _mapping(info).get("config_name", "default") == config:
            splits = cast("Iterable[Any]", _mapping(info).get("splits") or [])
            return {
                str(s["name"]): int(s["num_examples"])
                for s in map(_mapping, splits)
                if "name" in s and "num_examples" in s
            }
    return {}


def build_configs(
    listing: Sequence[tuple[str, int | None]],
    card: Mapping[str, Any],
    make: Callable[[str, int | None], DataFile],
    *,
    where: str,
) -> tuple[ConfigFiles, ...]:
    """Configs from the card's `configs:` when it has them, else one inferred `default`."""
    sizes = dict(listing)
    data_paths = [rel for rel, _ in listing if _is_data(rel)]
    listed = card.get("configs")
    entries = cast("list[Any]", listed) if isinstance(listed, list) else []
    if not entries:
        _, files = _pick_format(data_paths, where)
        entries = [{"config_name": "default", "_inferred": infer_splits(files)}]
    configs: list[ConfigFiles] = []
    for listed_entry in entries:
        if not isinstance(listed_entry, Mapping):
            continue
        entry = _mapping(listed_entry)
        name = str(entry.get("config_name", "default"))
        patterns = _card_data_files(entry)
        groups: Mapping[str, Sequence[str]]
        if "_inferred" in entry:
            groups = entry["_inferred"]
        elif patterns:
            groups = {
                split: [rel for rel in data_paths if any(glob_regex(p).match(rel) for p in pats)]
                for split, pats in patterns.items()
            }
        else:
            prefix = str(entry.get("data_dir") or "").strip("/")
            inside = [rel for rel in data_paths if not prefix or rel.startswith(f"{prefix}/")]
            groups = infer_splits(_pick_format(inside, f"{where}/{prefix}")[1])
        rows = _card_rows(card, name)
        splits: list[SplitFiles] = []
        for split, rels in groups.items():
            if not rels:
                raise DataError(
                    f"config {name!r}, split {split!r}: its data_files match no file",
                    file=f"{where}/README.md",
                    hint=f"Patterns: {', '.join(patterns.get(split, []))}.",
                )
            fmt, kept = _pick_format(rels, where)
            files = tuple(make(rel, sizes.get(rel)) for rel in sorted(kept))
            splits.append(SplitFiles(split, fmt, files, rows.get(split)))
        labels = _card_class_labels(card, name)
        configs.append(ConfigFiles(name, tuple(splits), bool(entry.get("default")), labels))
    if not configs:
        raise DataError("the card's `configs:` lists no config", file=f"{where}/README.md")
    if not any(c.default for c in configs):
        first = next((c for c in configs if c.name == "default"), configs[0])
        configs = [
            ConfigFiles(c.name, c.splits, True, c.class_labels) if c is first else c
            for c in configs
        ]
    configs.sort(key=lambda c: not c.default)
    return tuple(configs)
