"""TrainSpec: everything a fine-tune needs, validated field by field (loadable from YAML)."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any, Literal, cast

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from hf_ecosystem.errors import HfEcoError
from hf_ecosystem.paths import user_path
from hf_ecosystem.tasks import TrainTask, training_task
from hf_ecosystem.training.trackers import Tracker

SPEED_OVERRIDES = ("tf32", "optim", "group_by_length", "dataloader_pin_memory",
                   "dataloader_num_workers", "batch_size")  # fmt: skip

Strategy = Literal["no", "steps", "epoch"]
Scheduler = Literal[
    "linear", "cosine", "cosine_with_restarts", "polynomial", "constant", "constant_with_warmup"
]


class TrainSpecError(HfEcoError):
    """A training config is invalid; the title names the field."""

    default_title = "Invalid training config"
    default_hint = "Fix the named field and start again."


class LoraSpec(BaseModel):
    """LoRA adapters through peft."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    r: int = Field(8, ge=1, le=1024)
    alpha: int = Field(16, ge=1)
    dropout: float = Field(0.05, ge=0.0, lt=1.0)
    target_modules: list[str] | None = None


class TrainSpec(BaseModel):
    """A fine-tuning run. Unknown fields are refused (a typo must not be silently ignored)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    model: str = Field(min_length=1)
    dataset: str = Field(min_length=1)
    task: TrainTask = "text-classification"
    dataset_config: str | None = None
    train_split: str = "train"
    eval_split: str | None = None
    validation_split: float = Field(0.2, gt=0.0, lt=1.0)
    text_column: str = "text"
    text_pair_column: str | None = None
    label_column: str = "label"
    target_column: str | None = None
    max_length: int = Field(128, ge=8, le=32768)
    max_train_samples: int | None = Field(None, ge=1)
    max_eval_samples: int | None = Field(None, ge=1)

    epochs: float | None = Field(None, gt=0.0, le=1000.0)
    max_steps: int | None = Field(None, ge=1)
    batch_size: int = Field(16, ge=1, le=65536)
    eval_batch_size: int | None = Field(None, ge=1, le=65536)
    gradient_accumulation_steps: int = Field(1, ge=1, le=4096)
    learning_rate: float = Field(5e-5, gt=0.0, le=1.0)
    warmup_ratio: float = Field(0.0, ge=0.0, lt=1.0)
    warmup_steps: int = Field(0, ge=0)
    lr_scheduler: Scheduler = "linear"
    weight_decay: float = Field(0.0, ge=0.0, le=1.0)
    max_grad_norm: float = Field(1.0, gt=0.0)
    precision: Literal["auto", "fp32", "fp16", "bf16"] = "auto"

    eval_strategy: Strategy = "epoch"
    eval_steps: int | None = Field(None, ge=1)
    save_strategy: Strategy = "epoch"
    save_steps: int | None = Field(None, ge=1)
    save_total_limit: int | None = Field(2, ge=1)
    logging_steps: int = Field(10, ge=1)
    seed: int = Field(42, ge=0)
    early_stopping_patience: int | None = Field(None, ge=1)
    metric_for_best_model: str | None = None

    loss: Literal["cross-entropy", "weighted-cross-entropy", "focal"] = "cross-entropy"
    focal_gamma: float = Field(2.0, ge=0.0, le=10.0)
    metrics: list[str] | None = None
    threshold: float = Field(0.5, gt=0.0, lt=1.0)
    lora: LoraSpec | None = None
    # Load the base in int8/int4 and train LoRA adapters on it (QLoRA); needs `lora`.
    quantization: Literal["int8", "int4"] | None = None
    # trackio and wandb need their extras; check_trackers (preflight) says so before a job starts.
    report_to: list[Tracker] = ["tensorboard"]
    output_dir: str | None = None
    # Your values for the fast GPU defaults (training.fast_defaults): tf32, optim, group_by_length,
    # dataloader_pin_memory, dataloader_num_workers, batch_size (fixes the per-device batch).
    speed: dict[str, bool | int | str] = Field(default_factory=dict[str, bool | int | str])

    @model_validator(mode="before")
    @classmethod
    def _aliases(cls, data: Any) -> Any:
        if isinstance(data, Mapping):
            data = dict(cast("Mapping[str, Any]", data))
            task = data.get("task")
            if isinstance(task, str):
                data["task"] = training_task(task) or task
        return data

    @model_validator(mode="after")
    def _consistent(self) -> TrainSpec:
        if self.epochs is not None and self.max_steps is not None:
            raise ValueError("give either 'epochs' or 'max_steps', not both")
        if self.eval_strategy == "steps" and self.eval_steps is None:
            raise ValueError("'eval_steps' is required when eval_strategy is 'steps'")
        if self.save_strategy == "steps" and self.save_steps is None:
            raise ValueError("'save_steps' is required when save_strategy is 'steps'")
        if self.early_stopping_patience is not None and self.eval_strategy == "no":
            raise ValueError("'early_stopping_patience' needs an eval_strategy other than 'no'")
        if unknown := sorted(set(self.speed) - set(SPEED_OVERRIDES)):
            raise ValueError(
                f"unknown speed setting {unknown[0]!r} (use {', '.join(SPEED_OVERRIDES)})"
            )
        if self.quantization is not None and self.lora is None:
            raise ValueError(
                f"'quantization' ({self.quantization}) trains LoRA adapters only: "
                "add 'lora' (QLoRA)"
            )
        if self.task == "seq2seq" and not self.target_column:
            raise ValueError("'target_column' is required for a seq2seq task")
        if self.loss != "cross-entropy" and self.task not in (
            "text-classification",
            "token-classification",
        ):
            raise ValueError(f"loss {self.loss!r} applies to single-label classification only")
        return self

    @property
    def total_epochs(self) -> float:
        """Epochs when no max_steps is given (default 3)."""
        return self.epochs if self.epochs is not None else 3.0

    @classmethod
    def parse(cls, data: Mapping[str, Any]) -> TrainSpec:
        """Validate plain data; raises TrainSpecError naming the first bad field."""
        if not isinstance(data, Mapping):  # pyright: ignore[reportUnnecessaryIsInstance]
            raise TrainSpecError("Invalid training config: expected a mapping of fields")
        try:
            return cls.model_validate(dict(data))
        except ValidationError as exc:
            raise _explain(exc) from None

    @classmethod
    def from_yaml(cls, path: str | Path) -> TrainSpec:
        """Read a YAML config file; relative paths in it are taken from the file's folder."""
        import yaml

        from hf_ecosystem.safe_files import read_text_bounded
        from hf_ecosystem.safe_yaml import YamlRefused, load_yaml

        file = user_path(path)
        try:
            text = read_text_bounded(file, max_bytes=1024 * 1024)
        except OSError as exc:
            raise TrainSpecError(
                f"Cannot read training config {file}: {exc.strerror or exc}"
            ) from None
        try:
            data = load_yaml(text)
        except YamlRefused as exc:
            raise TrainSpecError(f"Invalid training config {file.name}: {exc}") from None
        except yaml.YAMLError as exc:
            mark = getattr(exc, "problem_mark", None)
            where = f" line {mark.line + 1}" if mark is not None else ""
            problem = getattr(exc, "problem", None) or "invalid YAML"
            raise TrainSpecError(f"Invalid training config {file.name}{where}: {problem}") from None
        if not isinstance(data, dict):
            raise TrainSpecError(f"Invalid training config {file.name}: expected key: value pairs")
        data = _resolve_paths(data, file.parent)  # pyright: ignore[reportUnknownArgumentType]
        # `on` and `slurm` say where the run goes, not how it trains: see yaml_placement
        return cls.parse({k: v for k, v in data.items() if not _placement_key(k)})

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON data (defaults included, so a run records every hyperparameter)."""
        return self.model_dump(mode="json")

    def to_yaml(self) -> str:
        """The config as YAML: the fields that differ from the defaults, in declaration order."""
        import yaml

        data = self.model_dump(mode="json", exclude_defaults=True)
        for name in ("model", "dataset", "task"):  # always shown, even when default
            data.setdefault(name, getattr(self, name))
        ordered = {k: data[k] for k in type(self).model_fields if k in data}
        return yaml.safe_dump(ordered, sort_keys=False, allow_unicode=True)


def _resolve_paths(data: dict[str, Any], base: Path) -> dict[str, Any]:
    """`./x` or `../x` values of model/dataset/output_dir are relative to the config file."""
    out = dict(data)
    for key in ("model", "dataset", "output_dir"):
        value = out.get(key)
        if isinstance(value, str) and value.startswith(("./", "../", "~")):
            out[key] = str((base / user_path(value)).resolve())
    return out


def _explain(exc: ValidationError) -> TrainSpecError:
    first = exc.errors()[0]
    field = ".".join(str(p) for p in first["loc"])
    message = first["msg"]
    if message.startswith("Value error, "):
        message = message[len("Value error, ") :]
    if first["type"] == "extra_forbidden":
        known = ", ".join(TrainSpec.model_fields)
        return TrainSpecError(
            f"Invalid training config: unknown field {field!r}", f"Known: {known}."
        )
    if field:
        return TrainSpecError(f"Invalid training config: {field!r}: {message}")
    return TrainSpecError(f"Invalid training config: {message}")


PLACEMENT_KEYS = ("on", "slurm")


def _placement_key(key: object) -> bool:
    # YAML 1.1 reads an unquoted `on:` key as the boolean true
    return key is True or key in PLACEMENT_KEYS


def placement_yaml(on: str, options: Mapping[str, Any]) -> str:
    """The `on:` and `slurm:` lines a config file gets for a run placed on Slurm ("" for a local
    run), which `yaml_placement` reads back."""
    if on != "slurm":
        return ""
    import yaml

    data: dict[str, Any] = {"on": "slurm"}
    if options:
        data["slurm"] = dict(options)
    return yaml.safe_dump(data, sort_keys=False, allow_unicode=True)


def yaml_placement(path: str | Path) -> tuple[str | None, dict[str, Any]]:
    """Where a training config file says its run goes: `on` (local or slurm) and its `slurm`
    options (partition, gpus, nodes, time, account, cpus); (None, {}) when it says nothing."""
    import yaml

    try:
        data = yaml.safe_load(user_path(path).read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError, UnicodeDecodeError):
        return None, {}  # from_yaml, which reads it first, reports what is wrong with it
    if not isinstance(data, dict):
        return None, {}
    found = cast("dict[object, Any]", data)
    on = found.get("on", found.get(True))
    options: object = found.get("slurm") or {}
    if not isinstance(options, dict):
        raise TrainSpecError("Invalid training config: 'slurm' must be a mapping of options")
    fields = cast("dict[object, Any]", options)
    return (None if on is None else str(on)), {str(k): v for k, v in fields.items()}
