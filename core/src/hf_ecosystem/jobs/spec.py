"""JobSpec: what a job does, validated before launch with a message naming the bad field."""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from hf_ecosystem.errors import HfEcoError
from hf_ecosystem.hub.repo_id import validate_repo_id


class JobSpecError(HfEcoError):
    """A job spec is invalid; the title names the field."""

    default_title = "Invalid job"
    default_hint = "Fix the named field and launch again."


def _str(name: str, value: Any) -> str:
    if not isinstance(value, str) or not value.strip():
        raise JobSpecError(f"Invalid job: {name!r} must be a non-empty string")
    return value.strip()


def _repo(name: str, value: Any) -> str:
    try:
        return validate_repo_id(_str(name, value))
    except HfEcoError as exc:
        raise JobSpecError(f"Invalid job: {name!r} is not a repo id ({value!r})", exc.hint) from exc


def _model(name: str, value: Any) -> str:
    """A repo id or an existing local folder."""
    text = _str(name, value)
    if Path(text).expanduser().is_dir():
        return str(Path(text).expanduser().resolve())
    return _repo(name, text)


def _existing_path(name: str, value: Any) -> str:
    text = _str(name, value)
    path = Path(text).expanduser()
    if not path.exists():
        raise JobSpecError(f"Invalid job: {name!r} does not exist: {text}")
    return str(path.resolve())


def _int(name: str, value: Any, low: int = 1, high: int = 1 << 20) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise JobSpecError(f"Invalid job: {name!r} must be an integer from {low} to {high}")
    return value


def _bool(name: str, value: Any) -> bool:
    if not isinstance(value, bool):
        raise JobSpecError(f"Invalid job: {name!r} must be true or false")
    return value


def _kind(name: str, value: Any) -> str:
    if value not in ("model", "dataset"):
        raise JobSpecError(f"Invalid job: {name!r} must be 'model' or 'dataset'")
    return str(value)


def _str_list(name: str, value: Any) -> list[str]:
    if not isinstance(value, list) or not all(isinstance(v, str) and v for v in value):
        raise JobSpecError(f"Invalid job: {name!r} must be a list of file names")
    return list(value)


def _train_config(name: str, value: Any) -> dict[str, Any]:
    """A TrainSpec as plain data (pydantic is imported only when a train job is built)."""
    from hf_ecosystem.training.spec import TrainSpec

    if not isinstance(value, dict):
        raise JobSpecError(f"Invalid job: {name!r} must be a mapping of training fields")
    return TrainSpec.parse(value).to_dict()  # pyright: ignore[reportUnknownArgumentType]


def _job_id(name: str, value: Any) -> str:
    text = _str(name, value)
    if not text.replace("-", "").isalnum():
        raise JobSpecError(f"Invalid job: {name!r} is not a job id ({value!r})")
    return text


def _float01(name: str, value: Any) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float) or not 0 < value < 1:
        raise JobSpecError(f"Invalid job: {name!r} must be a number between 0 and 1")
    return float(value)


Check = Callable[[str, Any], Any]
# kind -> field -> (required, check)
_SCHEMAS: dict[str, dict[str, tuple[bool, Check]]] = {
    "demo-seed": {},
    "download": {
        "repo_id": (True, _repo),
        "repo_type": (False, _kind),
        "revision": (False, _str),
        "files": (False, _str_list),
    },
    "inference": {
        "task": (True, _str),
        "model": (True, _model),
        "input": (True, _str),
        "device": (False, _str),
        "dtype": (False, _str),
        "allow_pickle": (False, _bool),
        "trust_remote_code": (False, _bool),
    },
    "batch-inference": {
        "task": (True, _str),
        "model": (True, _model),
        "input": (True, _existing_path),
        "output": (True, _str),
        "batch_size": (False, lambda n, v: _int(n, v, 1, 4096)),
        "column": (False, _str),
        "device": (False, _str),
        "dtype": (False, _str),
    },
    "train": {
        "config": (True, _train_config),
        "resume_from": (False, _job_id),  # the run whose last checkpoint this job continues
    },
    "evaluate": {
        "model": (True, _model),
        "dataset": (True, _str),
        "task": (True, _str),  # text-classification, token-classification, seq2seq, causal-lm
        "dataset_config": (False, _str),
        "split": (False, _str),
        "text_column": (False, _str),
        "label_column": (False, _str),
        "target_column": (False, _str),
        "max_samples": (False, lambda n, v: _int(n, v, 1, 10_000_000)),
        "batch_size": (False, lambda n, v: _int(n, v, 1, 4096)),
        "max_length": (False, lambda n, v: _int(n, v, 8, 32768)),
        "stride": (False, lambda n, v: _int(n, v, 1, 32768)),
        "confidence": (False, _float01),  # bootstrap confidence level
        "run": (False, _job_id),  # the train job whose run the results are stored with
        "device": (False, _str),
        "src_lang": (False, _str),  # seq2seq translation: evaluates as translation src → tgt
        "tgt_lang": (False, _str),
    },
    "publish": {
        "source": (True, _existing_path),  # a model folder (a run's checkpoint)
        "repo_id": (True, _repo),
        "local": (False, _bool),
        "private": (False, _bool),
        "tag": (False, _str),
        "commit_message": (False, _str),
        "license": (False, _str),
        "card": (False, _existing_path),  # an edited README.md to push instead of the generated one
        "run": (False, _job_id),
    },
}


def known_kinds() -> list[str]:
    """Job kinds this version can run."""
    return sorted(_SCHEMAS)


@dataclass(frozen=True, slots=True)
class JobSpec:
    """A validated job: its kind and parameters (plain JSON data)."""

    kind: str
    params: Mapping[str, Any] = field(default_factory=dict)

    @classmethod
    def create(cls, kind: str, **params: Any) -> JobSpec:
        """Validate and build; raises JobSpecError naming the first bad field."""
        schema = _SCHEMAS.get(kind)
        if schema is None:
            raise JobSpecError(
                f"Invalid job: unknown kind {kind!r}", f"Known kinds: {', '.join(known_kinds())}."
            )
        unknown = sorted(set(params) - set(schema))
        if unknown:
            raise JobSpecError(
                f"Invalid job: unknown field {unknown[0]!r} for {kind}",
                f"Fields of {kind}: {', '.join(schema)}.",
            )
        clean: dict[str, Any] = {}
        for name, (required, check) in schema.items():
            value = params.get(name)
            if value is None:
                if required:
                    raise JobSpecError(f"Invalid job: {name!r} is required for {kind}")
                continue
            clean[name] = check(name, value)
        return cls(kind, clean)

    def to_json(self) -> str:
        """The spec as JSON text."""
        return json.dumps({"kind": self.kind, "params": dict(self.params)}, sort_keys=True)

    @classmethod
    def from_json(cls, text: str) -> JobSpec:
        """Read a stored spec as it was validated at launch (files may have moved since)."""
        data = json.loads(text)
        return cls(str(data["kind"]), dict(data.get("params", {})))

    def describe(self) -> str:
        """A one-line human summary."""
        p = self.params
        if self.kind == "download":
            return f"download {p['repo_id']}"
        if self.kind == "demo-seed":
            return "seed the demo hub"
        if self.kind == "inference":
            return f"{p['task']} · {p['model']}"
        if self.kind == "train":
            config = p["config"]
            resumed = f" (resumes {p['resume_from']})" if p.get("resume_from") else ""
            return f"train {config['task']} · {Path(str(config['model'])).name}{resumed}"
        if self.kind == "evaluate":
            return f"evaluate {p['task']} · {Path(str(p['model'])).name}"
        if self.kind == "publish":
            where = "local hub" if p.get("local") else "Hub"
            return f"publish {p['repo_id']} → {where}"
        return f"batch {p['task']} · {p['model']} · {Path(str(p['input'])).name}"
