"""Model cards for fine-tuned models: metadata, results, hyperparameters and sections to edit.

Built with huggingface_hub's `ModelCard`/`ModelCardData`, so the YAML is what the Hub expects;
every card built here parses with `hf_ecosystem.hub.cards.parse_card_text`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from importlib import metadata
from typing import TYPE_CHECKING, Any, cast

from hf_ecosystem.errors import CardError
from hf_ecosystem.hub.cards import parse_card_text
from hf_ecosystem.hub.licenses import LicenseInfo, Permission, lookup_license

if TYPE_CHECKING:
    from huggingface_hub import EvalResult

PLACEHOLDER = "More information needed"
DEFAULT_ENDPOINT = "https://huggingface.co"

# Training task (TrainSpec.task) -> Hub pipeline tag.
PIPELINE_TAGS = {
    "text-classification": "text-classification",
    "multi-label-classification": "text-classification",
    "token-classification": "token-classification",
    "causal-lm": "text-generation",
    "seq2seq": "text2text-generation",
}
_SEQ2SEQ_TAGS = ("summarization", "translation", "text2text-generation")
# Numbers a Trainer reports that are speeds or counters, not results.
_NOT_RESULTS = ("runtime", "samples_per_second", "steps_per_second", "epoch")
# TrainSpec fields shown in the hyperparameters table, in this order, with their card names.
_HYPERPARAMETERS = (
    ("learning_rate", "learning_rate"),
    ("batch_size", "train_batch_size"),
    ("eval_batch_size", "eval_batch_size"),
    ("gradient_accumulation_steps", "gradient_accumulation_steps"),
    ("seed", "seed"),
    ("lr_scheduler", "lr_scheduler_type"),
    ("warmup_ratio", "lr_scheduler_warmup_ratio"),
    ("warmup_steps", "lr_scheduler_warmup_steps"),
    ("weight_decay", "weight_decay"),
    ("max_grad_norm", "max_grad_norm"),
    ("epochs", "num_epochs"),
    ("max_steps", "training_steps"),
    ("max_length", "max_length"),
    ("precision", "mixed_precision"),
    ("loss", "loss"),
)


@dataclass(frozen=True, slots=True)
class LicenseChoice:
    """The license a card declares, whether it came from the base model, and what to heed."""

    license: str | None
    inherited: bool = False
    warnings: tuple[str, ...] = ()


def license_conflicts(chosen: LicenseInfo, base: LicenseInfo) -> list[str]:
    """Why publishing under `chosen` may break the terms of a base model under `base`."""
    if chosen.id == base.id:
        return []
    out: list[str] = []
    for action, base_value, chosen_value in (
        ("commercial use", base.commercial_use, chosen.commercial_use),
        ("modification", base.modification, chosen.modification),
        ("redistribution", base.redistribution, chosen.redistribution),
    ):
        if base_value is Permission.NO and chosen_value is not Permission.NO:
            out.append(
                f"the base model's license {base.id} forbids {action}, "
                f"which {chosen.id} would allow"
            )
    if base.share_alike:
        out.append(f"{base.id} requires adaptations to be shared under the same license")
    if base.use_restrictions and not chosen.use_restrictions:
        out.append(f"{base.id} has use restrictions that must be passed on to users")
    if not base.known or base.id in ("other", "unknown"):
        out.append(f"the base model's license ({base.id}) is not one this catalog can check")
    return out


def resolve_license(chosen: str | None, base_license: str | None) -> LicenseChoice:
    """The license to declare: the chosen one, else the base model's; with warnings."""
    if not chosen:
        if base_license:
            return LicenseChoice(lookup_license(base_license).id, inherited=True)
        return LicenseChoice(
            None, warnings=("No license: pick one with --license (the card declares none).",)
        )
    info = lookup_license(chosen)
    if not base_license:
        return LicenseChoice(info.id)
    problems = license_conflicts(info, lookup_license(base_license))
    warnings = tuple(f"License {info.id}: {problem}." for problem in problems)
    return LicenseChoice(info.id, warnings=warnings)


def pipeline_tag_for(task: str | None, base_pipeline_tag: str | None = None) -> str | None:
    """The Hub pipeline tag of a model fine-tuned for `task` (seq2seq keeps the base's flavour)."""
    if task == "seq2seq" and base_pipeline_tag in _SEQ2SEQ_TAGS:
        return base_pipeline_tag
    return PIPELINE_TAGS.get(task or "", base_pipeline_tag)


def eval_results(metrics: Mapping[str, Any]) -> dict[str, float]:
    """Evaluation results by metric name (`eval_accuracy` → `accuracy`), without speeds."""
    out: dict[str, float] = {}
    for name, value in metrics.items():
        if isinstance(value, bool) or not isinstance(value, int | float):
            continue
        if not name.startswith("eval_") or name.endswith(_NOT_RESULTS):
            continue
        out[name.removeprefix("eval_")] = float(value)
    return out


def hyperparameters(config: Mapping[str, Any]) -> dict[str, Any]:
    """The hyperparameters table of a TrainSpec config (unset fields left out)."""
    out: dict[str, Any] = {}
    for field, label in _HYPERPARAMETERS:
        value = config.get(field)
        if value is None or (field == "warmup_steps" and value == 0):
            continue
        out[label] = value
    batch, accumulation = config.get("batch_size"), config.get("gradient_accumulation_steps")
    if isinstance(batch, int) and isinstance(accumulation, int) and accumulation > 1:
        out["total_train_batch_size"] = batch * accumulation
    lora = config.get("lora")
    if isinstance(lora, Mapping):
        for key in ("r", "alpha", "dropout", "target_modules"):
            if lora.get(key) is not None:  # pyright: ignore[reportUnknownMemberType]
                out[f"lora_{key}"] = lora[key]
    return out


def _title(metric: str) -> str:
    return " ".join(part.capitalize() if part.islower() else part for part in metric.split("_"))


def _show(value: Any) -> str:
    if isinstance(value, float):
        return f"{value:.4g}"
    if isinstance(value, list | tuple):
        return ", ".join(str(v) for v in cast("Sequence[Any]", value))
    return str(value)


def _framework_versions(library_name: str) -> list[str]:
    names = [("transformers", "Transformers"), ("torch", "PyTorch"), ("datasets", "Datasets")]
    if library_name == "peft":
        names.insert(0, ("peft", "PEFT"))
    names.append(("huggingface_hub", "huggingface_hub"))
    out: list[str] = []
    for dist, label in names:
        try:
            out.append(f"- {label} {metadata.version(dist)}")
        except metadata.PackageNotFoundError:
            continue
    return out


def _base_card_fields(base_card: str | None) -> tuple[str | None, list[str], str | None, list[str]]:
    """(license, languages, pipeline tag, warnings) read from the base model's card text."""
    if not base_card:
        return None, [], None, []
    try:
        parsed = parse_card_text(base_card)
    except CardError as exc:
        return None, [], None, [f"The base model's card could not be read: {exc.problem}."]
    return parsed.license, list(parsed.languages), parsed.pipeline_tag, []


def _model_index(
    results: Mapping[str, float],
    pipeline: str | None,
    dataset_type: str,
    dataset_label: str | None,
    split: str | None,
) -> list[EvalResult]:
    """A run's final numbers as the card's model-index results."""
    from huggingface_hub import EvalResult

    return [
        EvalResult(
            task_type=pipeline or "other",
            dataset_type=dataset_type,
            dataset_name=dataset_label or "unknown",
            dataset_split=split,
            metric_type=metric,
            metric_name=_title(metric),
            metric_value=round(value, 6),
        )
        for metric, value in results.items()
    ]


def build_model_card(  # over 60 lines for its 16 keyword fields; the body is ~30
    repo_id: str,
    *,
    base_model: str | None = None,
    base_card: str | None = None,
    base_model_path: str | None = None,
    datasets: Sequence[str] = (),
    dataset_name: str | None = None,
    eval_split: str | None = None,
    license: str | None = None,
    language: Sequence[str] = (),
    pipeline_tag: str | None = None,
    task: str | None = None,
    library_name: str = "transformers",
    tags: Sequence[str] = (),
    metrics: Mapping[str, Any] | None = None,
    hyperparameters: Mapping[str, Any] | None = None,
    endpoint: str = DEFAULT_ENDPOINT,
) -> str:
    """A model card (README.md text) for a fine-tuned model.

    `base_card` is the base model's card text: its license is inherited when `license` is not
    given (with a warning in the card when the chosen license conflicts with it), and its
    language and pipeline tag fill in what is not given. `metrics` are a run's final numbers
    (`eval_*`); they become the model-index results on `dataset_name`.
    """
    from huggingface_hub import ModelCard, ModelCardData

    base_license, base_languages, base_pipeline, notes = _base_card_fields(base_card)
    choice = resolve_license(license, base_license)
    notes = [*notes, *choice.warnings]
    pipeline = pipeline_tag or pipeline_tag_for(task, base_pipeline)
    name = repo_id.rsplit("/", 1)[-1]
    results = eval_results(metrics or {})
    dataset_label = dataset_name or (datasets[0] if datasets else None)
    dataset_type = datasets[0] if datasets else (dataset_label or "unknown")
    evals = _model_index(results, pipeline, dataset_type, dataset_label, eval_split)
    all_tags = [*dict.fromkeys(["hf-tui", "fine-tuned", *tags])]
    data = ModelCardData(
        base_model=base_model,
        datasets=list(datasets) or None,
        language=list(language) or base_languages or None,
        library_name=library_name,
        license=choice.license,
        model_name=name,
        pipeline_tag=pipeline,
        tags=all_tags,
        eval_results=evals or None,
    )
    body = _body(
        name,
        base_model=base_model,
        base_model_path=base_model_path,
        dataset=dataset_label,
        results=results,
        hyperparameters=hyperparameters or {},
        choice=choice,
        notes=notes,
        library_name=library_name,
        endpoint=endpoint.rstrip("/"),
    )
    card = ModelCard(f"---\n{data.to_yaml()}\n---\n{body}")  # pyright: ignore[reportUnknownMemberType]
    return str(card)


def _body(
    name: str,
    *,
    base_model: str | None,
    base_model_path: str | None,
    dataset: str | None,
    results: Mapping[str, float],
    hyperparameters: Mapping[str, Any],
    choice: LicenseChoice,
    notes: Sequence[str],
    library_name: str,
    endpoint: str,
) -> str:
    lines = [f"# {name}", ""]
    if base_model:
        origin = f"a fine-tuned version of [{base_model}]({endpoint}/{base_model})"
    elif base_model_path:
        origin = f"a fine-tuned version of the local model `{base_model_path}`"
    else:
        origin = "a fine-tuned model"
    on = f" on the {dataset} dataset" if dataset else ""
    lines.append(f"This model is {origin}{on}, trained with hf-tui.")
    if results:
        lines += ["It achieves the following results on the evaluation set:", ""]
        lines += [f"- {_title(k)}: {v:.4f}" for k, v in results.items()]
    lines += ["", "## Model description", "", PLACEHOLDER, ""]
    lines += [
        "## Intended uses & limitations",
        "",
        "<!-- Edit this: what the model is for, and what it must not be used for. -->",
        PLACEHOLDER,
        "",
        "## Training and evaluation data",
        "",
        "<!-- Edit this: where the data comes from, its license, and how it was split. -->",
        PLACEHOLDER,
        "",
        "## Training procedure",
        "",
    ]
    if hyperparameters:
        lines += ["### Training hyperparameters", "", "| Hyperparameter | Value |", "|---|---|"]
        lines += [f"| {k} | {_show(v)} |" for k, v in hyperparameters.items()]
        lines.append("")
    versions = _framework_versions(library_name)
    if versions:
        lines += ["### Framework versions", "", *versions, ""]
    lines += ["## License", ""]
    if choice.license:
        inherited = " (inherited from the base model)" if choice.inherited else ""
        lines.append(f"{lookup_license(choice.license).name}: `{choice.license}`{inherited}.")
    else:
        lines.append("No license was declared.")
    for note in notes:
        lines += ["", f"> **Warning:** {note}"]
    return "\n".join(lines) + "\n"
