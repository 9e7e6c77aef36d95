"""Model and dataset card parsing: YAML metadata, model-index results and the markdown body."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

import yaml

from hf_ecosystem.errors import CardError
from hf_ecosystem.hub.types import RepoKind
from hf_ecosystem.safe_yaml import YamlRefused, load_yaml

# Same shape as huggingface_hub's REGEX_YAML_BLOCK: front matter between two `---` lines.
_FRONT_MATTER = re.compile(r"^(\s*---(?:\r\n|\r|\n))([\S\s]*?)((?:\r\n|\r|\n)---[ \t]*(\r\n|\n|$))")
MAX_FRONT_MATTER_BYTES = 256 * 1024  # the Hub's largest real cards carry a few tens of KiB


@dataclass(frozen=True, slots=True)
class EvalRow:
    """One model-index result: a metric on a dataset for a task."""

    task: str
    dataset: str
    metric: str
    value: Any
    split: str | None = None
    verified: bool | None = None

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready mapping."""
        return {
            "task": self.task,
            "dataset": self.dataset,
            "metric": self.metric,
            "value": self.value,
            "split": self.split,
            "verified": self.verified,
        }


@dataclass(frozen=True, slots=True)
class ParsedCard:
    """A parsed card: metadata fields, model-index results, and the markdown body."""

    metadata: dict[str, Any] = field(default_factory=dict[str, Any])
    body: str = ""
    license: str | None = None
    tags: tuple[str, ...] = ()
    datasets: tuple[str, ...] = ()
    languages: tuple[str, ...] = ()
    base_models: tuple[str, ...] = ()
    pipeline_tag: str | None = None
    library_name: str | None = None
    model_name: str | None = None
    results: tuple[EvalRow, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready mapping."""
        return {
            "license": self.license,
            "tags": list(self.tags),
            "datasets": list(self.datasets),
            "language": list(self.languages),
            "base_model": list(self.base_models),
            "pipeline_tag": self.pipeline_tag,
            "library_name": self.library_name,
            "model_name": self.model_name,
            "results": [r.to_dict() for r in self.results],
            "metadata": _jsonable(self.metadata),
        }


def _jsonable(value: Any) -> Any:
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}  # type: ignore[reportUnknownVariableType]
    if isinstance(value, list | tuple):
        return [_jsonable(v) for v in value]  # type: ignore[reportUnknownVariableType]
    if value is None or isinstance(value, str | int | float | bool):
        return value
    return str(value)


def _str_tuple(value: Any) -> tuple[str, ...]:
    if value is None:
        return ()
    if isinstance(value, str | int | float):
        return (str(value),)
    if isinstance(value, list | tuple):
        return tuple(str(v) for v in value if v is not None and not isinstance(v, dict | list))  # type: ignore[reportUnknownVariableType]
    return ()


def _opt_str(value: Any) -> str | None:
    if value is None or isinstance(value, dict | list):
        return None
    return str(value)


def split_front_matter(text: str) -> tuple[dict[str, Any], str]:
    """Split card text into its YAML metadata and body; CardError names the problem and line."""
    match = _FRONT_MATTER.search(text)
    if match is None:
        if text.lstrip().startswith("---"):
            first = text[: len(text) - len(text.lstrip())].count("\n") + 1
            raise CardError(
                "front matter starts with '---' but is never closed",
                line=first,
                raw=text,
                hint="Close the metadata block with a line containing only `---`.",
            )
        return {}, text
    offset = match.group(1).count("\n") + match.group(1).count("\r") - match.group(1).count("\r\n")
    yaml_text = match.group(2)
    try:
        data = load_yaml(yaml_text, max_bytes=MAX_FRONT_MATTER_BYTES)
    except YamlRefused as exc:
        raise CardError(
            f"front matter refused: {exc}",
            line=offset + 1,
            raw=text[:4096],
            hint="The card's metadata is unsafe to read; fix or remove it at its source.",
        ) from None
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 + offset if mark is not None else None
        problem = exc.problem or exc.context or "invalid YAML"
        raise CardError(f"invalid YAML: {problem}", line=line, raw=text) from exc
    except yaml.YAMLError as exc:
        raise CardError(f"invalid YAML: {exc}", raw=text) from exc
    if data is None:
        data = {}
    if not isinstance(data, dict):
        raise CardError(
            f"front matter is a {type(data).__name__}, not a mapping", line=offset + 1, raw=text
        )
    return {str(k): v for k, v in data.items()}, text[match.end() :]  # type: ignore[reportUnknownVariableType]


def _front_matter_line(text: str, key: str) -> int | None:
    for number, line in enumerate(text.splitlines(), start=1):
        if line.startswith(f"{key}:"):
            return number
    return None


def parse_card_text(text: str, kind: RepoKind = "model") -> ParsedCard:
    """Parse card text with huggingface_hub's card-data classes; only CardError escapes."""
    try:
        return _parse_card_text(text, kind)
    except CardError:
        raise
    except Exception as exc:  # a fuzzed or hostile card must never crash the caller
        raise CardError(f"cannot parse card: {type(exc).__name__}: {exc}", raw=text) from exc


def _parse_card_text(text: str, kind: RepoKind) -> ParsedCard:
    from huggingface_hub import DatasetCardData, EvalResult, ModelCardData

    metadata, body = split_front_matter(text)
    # The card-data classes ModelCard/DatasetCard build, fed our parse (YAML read once, in C).
    data_cls = ModelCardData if kind == "model" else DatasetCardData
    try:
        data = data_cls(ignore_metadata_errors=False, **metadata)
    except ValueError as exc:
        line = _front_matter_line(text, "model-index")
        raise CardError(
            f"broken model-index: {exc}".split(". Pass")[0],
            line=line,
            raw=text,
            hint="Each model-index entry needs `name` and `results` (task, dataset, metrics).",
        ) from exc
    results: list[EvalRow] = []
    eval_results: list[EvalResult] = getattr(data, "eval_results", None) or []
    for result in eval_results:
        results.append(
            EvalRow(
                task=str(result.task_name or result.task_type),
                dataset=str(result.dataset_name or result.dataset_type),
                metric=str(result.metric_name or result.metric_type),
                value=result.metric_value,
                split=_opt_str(result.dataset_split),
                verified=result.verified,
            )
        )
    return ParsedCard(
        metadata=metadata,
        body=body,
        license=_opt_str(metadata.get("license")),
        tags=_str_tuple(metadata.get("tags")),
        datasets=_str_tuple(metadata.get("datasets")),
        languages=_str_tuple(metadata.get("language")),
        base_models=_str_tuple(metadata.get("base_model")),
        pipeline_tag=_opt_str(metadata.get("pipeline_tag")),
        library_name=_opt_str(metadata.get("library_name")),
        model_name=_opt_str(getattr(data, "model_name", None)),
        results=tuple(results),
    )
