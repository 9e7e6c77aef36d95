"""create_trainer(): a transformers Trainer from a TrainSpec (model, data, metrics, loss, LoRA).

Runs in job processes; torch/transformers are imported inside the functions.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Generator, Mapping, Sequence
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, cast

from hf_ecosystem.config import Settings
from hf_ecosystem.paths import user_path
from hf_ecosystem.training.data import PreparedData, prepare
from hf_ecosystem.training.errors import TrainingError
from hf_ecosystem.training.fast_defaults import for_run
from hf_ecosystem.training.spec import TrainSpec
from hf_ecosystem.training.trackers import (
    PROJECT,
    check_trackers,
    tracker_environment,
    tracker_notes,
)


@dataclass
class TrainerBundle:
    """What create_trainer built: the Trainer and the pieces a job reports on."""

    trainer: Any  # transformers.Trainer
    spec: TrainSpec
    data: PreparedData
    model_path: str
    precision: str  # "fp32", "fp16" or "bf16"
    lora: bool


def resolve_model_path(model: str, settings: Settings | None = None) -> str:
    """What from_pretrained takes for `model`: a folder, a local-hub repo's folder, else the id."""
    from hf_ecosystem.hub.reference import resolve_reference

    return resolve_reference(model, "model", settings).location


def pick_precision(requested: str) -> str:
    """auto: bf16 on GPUs that support it, fp16 on older CUDA GPUs, fp32 on CPU/MPS."""
    if requested != "auto":
        return requested
    import torch

    if torch.cuda.is_available():
        return "bf16" if torch.cuda.is_bf16_supported() else "fp16"
    return "fp32"


def _environ(name: str, value: str) -> AbstractContextManager[None]:
    """`name=value` in the environment for the block only (a library must not leave it set)."""
    return _environ_all({name: value})


@contextmanager
def _environ_all(values: Mapping[str, str]) -> Generator[None]:
    """`values` in the environment for the block only."""
    before = {name: os.environ.get(name) for name in values}
    os.environ.update(values)
    try:
        yield
    finally:
        for name, value in before.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value


def cuda_available() -> bool:
    """Whether this process can train on a GPU."""
    import torch

    return torch.cuda.is_available()


def model_class(task: str) -> Any:
    import transformers

    return {
        "text-classification": transformers.AutoModelForSequenceClassification,
        "multi-label-classification": transformers.AutoModelForSequenceClassification,
        "token-classification": transformers.AutoModelForTokenClassification,
        "causal-lm": transformers.AutoModelForCausalLM,
        "seq2seq": transformers.AutoModelForSeq2SeqLM,
    }[task]


def load_tokenizer(model_path: str) -> Any:
    """The model's tokenizer, with a pad token for causal LMs that lack one."""
    from transformers import AutoTokenizer

    try:
        # Any: from_pretrained's signature is partly untyped.
        load = AutoTokenizer.from_pretrained  # pyright: ignore[reportUnknownMemberType, reportUnknownVariableType]
        tokenizer = cast("Any", load(model_path))
    except (OSError, ValueError) as exc:
        raise TrainingError(f"Cannot load the tokenizer of {model_path}: {exc}") from exc
    if tokenizer.pad_token is None and tokenizer.eos_token is not None:
        tokenizer.pad_token = tokenizer.eos_token
    return tokenizer


def head_kwargs(spec: TrainSpec, data: PreparedData) -> dict[str, Any]:
    """from_pretrained keywords that size the head for the data's classes."""
    if not data.labels:
        return {}
    kwargs: dict[str, Any] = {
        "num_labels": data.num_labels,
        "id2label": dict(enumerate(data.labels)),
        "label2id": {name: i for i, name in enumerate(data.labels)},
        "ignore_mismatched_sizes": True,  # a new head replaces any old one
    }
    if spec.task == "multi-label-classification":
        kwargs["problem_type"] = "multi_label_classification"
    return kwargs


def load_model(spec: TrainSpec, model_path: str, data: PreparedData, tokenizer: Any) -> Any:
    """The base model with a head sized for the data's classes (quantised when asked)."""
    from hf_ecosystem.inference.weights import load_kwargs
    from hf_ecosystem.training.quantized import quantized_load_kwargs

    kwargs = head_kwargs(spec, data)
    kwargs.update(load_kwargs(model_path))  # pickle-only weights are refused, never unpickled
    kwargs.update(quantized_load_kwargs(spec, cuda=cuda_available()))
    try:
        model = model_class(spec.task).from_pretrained(model_path, **kwargs)
    except (OSError, ValueError) as exc:
        raise TrainingError(
            f"Cannot load {model_path} for {spec.task}: {str(exc).splitlines()[0]}",
            "Check that the model fits the task (e.g. a decoder for causal-lm).",
        ) from exc
    if getattr(model.config, "pad_token_id", None) is None and tokenizer.pad_token_id is not None:
        model.config.pad_token_id = tokenizer.pad_token_id
    return model


def apply_lora(spec: TrainSpec, model: Any) -> Any:
    """Wrap the model with LoRA adapters (peft)."""
    from peft import LoraConfig, TaskType, get_peft_model

    assert spec.lora is not None
    task_type = {
        "text-classification": TaskType.SEQ_CLS,
        "multi-label-classification": TaskType.SEQ_CLS,
        "token-classification": TaskType.TOKEN_CLS,
        "causal-lm": TaskType.CAUSAL_LM,
        "seq2seq": TaskType.SEQ_2_SEQ_LM,
    }[spec.task]
    config = LoraConfig(
        task_type=task_type,
        r=spec.lora.r,
        lora_alpha=spec.lora.alpha,
        lora_dropout=spec.lora.dropout,
        target_modules=spec.lora.target_modules,
    )
    try:
        return get_peft_model(model, config)
    except ValueError as exc:
        raise TrainingError(
            f"Cannot add LoRA adapters: {exc}",
            "Name the layers with lora.target_modules (e.g. [query, value]).",
        ) from exc


def training_arguments(
    spec: TrainSpec, output_dir: Path, precision: str, *, has_eval: bool,
    fast: Mapping[str, Any] | None = None,
) -> Any:  # fmt: skip
    """TrainingArguments for the spec (transformers 5 names); `fast`: the GPU defaults on top."""
    from transformers import TrainingArguments

    eval_strategy = spec.eval_strategy if has_eval else "no"
    best = spec.early_stopping_patience is not None and eval_strategy != "no"
    warmup: float = spec.warmup_steps if spec.warmup_steps else spec.warmup_ratio
    kwargs: dict[str, Any] = {
        "output_dir": str(output_dir),
        "per_device_train_batch_size": spec.batch_size,
        "per_device_eval_batch_size": spec.eval_batch_size or spec.batch_size,
        "gradient_accumulation_steps": spec.gradient_accumulation_steps,
        "learning_rate": spec.learning_rate,
        "warmup_steps": warmup,
        "lr_scheduler_type": spec.lr_scheduler,
        "weight_decay": spec.weight_decay,
        "max_grad_norm": spec.max_grad_norm,
        "bf16": precision == "bf16",
        "fp16": precision == "fp16",
        "eval_strategy": eval_strategy,
        "eval_steps": spec.eval_steps,
        "save_strategy": spec.save_strategy if not best else eval_strategy,
        "save_steps": spec.save_steps if not best else spec.eval_steps,
        "save_total_limit": spec.save_total_limit,
        "logging_strategy": "steps",
        "logging_steps": spec.logging_steps,
        "seed": spec.seed,
        "data_seed": spec.seed,
        "report_to": [r for r in spec.report_to if r != "none"] or "none",
        "project": PROJECT,  # trackio's project (wandb's comes from WANDB_PROJECT)
        "run_name": output_dir.name,  # the job id for a default run folder
        "disable_tqdm": True,
        "load_best_model_at_end": best,
        "metric_for_best_model": (spec.metric_for_best_model or "eval_loss") if best else None,
        "dataloader_num_workers": 0,
        "dataloader_pin_memory": precision != "fp32",  # pinning only helps with a GPU
        # transformers 5.24 scales the evaluation loss by the process count when this is on
        # (eval_loss doubles under 2-process DDP; measured): per-process mean losses instead.
        "average_tokens_across_devices": False,
    }
    if int(os.environ.get("WORLD_SIZE", "1")) > 1 and not cuda_available():
        # Several CPU processes (torchrun): DDP over gloo, which needs use_cpu to be detected.
        kwargs.update(use_cpu=True, ddp_backend="gloo")
    if spec.max_steps is not None:
        kwargs["max_steps"] = spec.max_steps
    else:
        kwargs["num_train_epochs"] = spec.total_epochs
    kwargs.update(fast or {})
    return TrainingArguments(**kwargs)


def _collator(spec: TrainSpec, tokenizer: Any, model: Any) -> Any:
    from transformers import (
        DataCollatorForLanguageModeling,
        DataCollatorForSeq2Seq,
        DataCollatorForTokenClassification,
        DataCollatorWithPadding,
    )

    if spec.task == "token-classification":
        return DataCollatorForTokenClassification(tokenizer)
    if spec.task == "causal-lm":
        return DataCollatorForLanguageModeling(tokenizer, mlm=False)
    if spec.task == "seq2seq":
        return DataCollatorForSeq2Seq(tokenizer, model=model)
    return DataCollatorWithPadding(tokenizer)


def _loss_fn(spec: TrainSpec, data: PreparedData) -> Callable[[Any, Any], Any] | None:
    if spec.loss == "cross-entropy":
        return None
    from hf_ecosystem.training.losses import make_loss, weights_from_labels

    weights = (
        weights_from_labels(data.train_label_ids, data.num_labels)
        if spec.loss == "weighted-cross-entropy"
        else None
    )
    return make_loss(
        spec.loss, num_labels=data.num_labels, class_weights=weights, gamma=spec.focal_gamma
    )


def _trainer_class() -> Any:
    from transformers import Trainer

    class HfEcoTrainer(Trainer):
        """A Trainer whose loss may be a class-weighted cross-entropy or a focal loss."""

        def __init__(
            self,
            *args: Any,
            loss_fn: Callable[[Any, Any], Any] | None = None,
            task: str = "text-classification",
            tracker_env: Mapping[str, str] | None = None,
            **kw: Any,
        ):
            super().__init__(*args, **kw)  # pyright: ignore[reportUnknownMemberType]  (untyped **kwargs)
            self.loss_fn = loss_fn
            self.tracker_env = dict(tracker_env or {})
            # transformers 5 takes any model whose forward has **kwargs to normalise its loss by
            # the tokens of the whole accumulated batch, and then skips dividing it by the
            # accumulation steps. Only causal-LM heads do that; classification, token and
            # seq2seq heads (and our own losses) return a per-batch mean, so with GA=N the
            # logged loss and the gradients were N times too large. Let the Trainer scale them.
            self.model_accepts_loss_kwargs = loss_fn is None and task == "causal-lm"

        # Trackers read their settings (WANDB_MODE, WANDB_DIR, ...) when they start, inside
        # train() or a first evaluate(): the variables are set around those calls only.
        def train(self, *args: Any, **kw: Any) -> Any:
            with _environ_all(self.tracker_env):
                return super().train(*args, **kw)  # pyright: ignore[reportUnknownMemberType]

        def evaluate(self, *args: Any, **kw: Any) -> Any:
            with _environ_all(self.tracker_env):
                return super().evaluate(*args, **kw)  # pyright: ignore[reportUnknownMemberType]

        def compute_loss(
            self,
            model: Any,
            inputs: dict[str, Any],
            return_outputs: bool = False,
            num_items_in_batch: Any = None,
        ) -> Any:
            if self.loss_fn is None:
                return super().compute_loss(model, inputs, return_outputs, num_items_in_batch)
            labels = inputs.pop("labels")
            outputs = model(**inputs)
            loss = self.loss_fn(outputs.logits, labels)
            return (loss, outputs) if return_outputs else loss

    return HfEcoTrainer


def create_trainer(
    spec: TrainSpec | dict[str, Any],
    *,
    output_dir: str | Path | None = None,
    callbacks: Sequence[Any] = (),
    settings: Any = None,
    log: Callable[[str], None] | None = None,
) -> TrainerBundle:
    """Build a Trainer for `spec`: model, tokenizer, tokenized data, metrics, loss and callbacks.

    `output_dir` defaults to the spec's; TensorBoard logs go to `<output_dir>/tensorboard`, an
    offline wandb run to `<output_dir>/wandb`, trackio's records to its own database.
    """
    from transformers import EarlyStoppingCallback

    from hf_ecosystem.metrics.compute import build_compute_metrics

    spec = spec if isinstance(spec, TrainSpec) else TrainSpec.parse(spec)
    check_trackers(spec.report_to)  # before loading anything: a missing extra fails at once
    folder = user_path(output_dir or spec.output_dir or "runs/hf-ecosystem")
    say: Callable[[str], None] = log or (lambda _m: None)
    tracker_env = tracker_environment(spec.report_to, folder)
    for note in tracker_notes(spec.report_to, {**os.environ, **tracker_env}):
        say(note)
    model_path = resolve_model_path(spec.model, settings)
    tokenizer = load_tokenizer(model_path)
    say(f"loading {spec.dataset}")
    data = prepare(spec, tokenizer)
    say(
        f"{len(data.train)} training rows, "
        f"{len(data.eval) if data.eval is not None else 0} evaluation rows ({data.eval_source})"
        + (f", {data.num_labels} classes" if data.labels else "")
    )
    from transformers import set_seed

    set_seed(spec.seed)  # a new head (and LoRA weights) start the same for the same seed
    model = load_model(spec, model_path, data, tokenizer)
    if spec.lora is not None:
        from hf_ecosystem.training.quantized import prepare_for_adapters

        model = apply_lora(spec, prepare_for_adapters(spec, model, cuda=cuda_available()))
    # On CUDA the fast defaults decide (precision too), each said in the log with its reason.
    fast = for_run(spec.model_dump() | {"model": str(model_path)}, cuda=cuda_available(),
                   visible=os.environ.get("CUDA_VISIBLE_DEVICES"),
                   share=bool(getattr(settings, "share_gpus", False)))  # fmt: skip
    for setting in fast.settings if fast else ():
        say(f"{setting.name} = {setting.value} ({setting.reason})")
    precision = fast.value("precision") if fast else pick_precision(spec.precision)
    args = training_arguments(spec, folder, precision, has_eval=data.eval is not None,
                              fast=fast.training_arguments() if fast else None)  # fmt: skip
    extra = list(callbacks)
    if args.load_best_model_at_end and spec.early_stopping_patience is not None:
        extra.append(EarlyStoppingCallback(early_stopping_patience=spec.early_stopping_patience))
    compute = None
    if data.labels and data.eval is not None:
        compute = build_compute_metrics(spec.task, spec.metrics, threshold=spec.threshold)
    # transformers' TensorBoard callback takes its folder from this variable when it is built.
    with _environ("TENSORBOARD_LOGGING_DIR", str(folder / "tensorboard")):
        trainer = _trainer_class()(
            model=model,
            args=args,
            train_dataset=data.train,
            eval_dataset=data.eval,
            data_collator=_collator(spec, tokenizer, model),
            processing_class=tokenizer,
            compute_metrics=compute,
            callbacks=extra,
            loss_fn=_loss_fn(spec, data),
            task=spec.task,
            tracker_env=tracker_env,
        )
    return TrainerBundle(trainer, spec, data, model_path, precision, spec.lora is not None)
