"""The training form's snippet: the same fine-tune with hf_ecosystem and with plain transformers."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from hf_ecosystem.snippets.render import assign, lines, literal
from hf_ecosystem.snippets.types import Snippet, TrainCode

# TrainSpec field -> TrainingArguments argument, where the names differ or agree.
ARGUMENTS = {
    "output_dir": "output_dir",
    "epochs": "num_train_epochs",
    "max_steps": "max_steps",
    "batch_size": "per_device_train_batch_size",
    "gradient_accumulation_steps": "gradient_accumulation_steps",
    "learning_rate": "learning_rate",
    "weight_decay": "weight_decay",
    "warmup_steps": "warmup_steps",
    "lr_scheduler": "lr_scheduler_type",
    "max_grad_norm": "max_grad_norm",
    "eval_strategy": "eval_strategy",
    "save_strategy": "save_strategy",
    "logging_steps": "logging_steps",
    "seed": "seed",
}
PLAIN_TASKS = {"text-classification"}


def train_snippet(request: TrainCode) -> Snippet:
    """Build the Trainer from the form's config and train."""
    ecosystem = lines(
        "from hf_ecosystem import create_trainer",
        "",
        f"config = {literal(dict(request.config))}",
        "bundle = create_trainer(config)  # model, tokenizer, data, metrics, loss",
        "bundle.trainer.train()",
        "print(bundle.trainer.evaluate())",
        "bundle.trainer.save_model()",
    )
    r = request.resolved
    title = f"Fine-tune {r.get('model', '')}"
    if r.get("task", "text-classification") not in PLAIN_TASKS:
        note = (
            "The plain-libraries variant is written for text classification only; "
            "the hf_ecosystem variant covers this task."
        )
        return Snippet(title, ecosystem, "", note)
    return Snippet(title, ecosystem, _plain_classifier(r))


def _training_arguments(r: Mapping[str, Any]) -> str:
    values = {ARGUMENTS[k]: v for k, v in r.items() if k in ARGUMENTS and v is not None}
    values.setdefault("output_dir", "runs/hf-ecosystem")
    if r.get("max_steps"):
        values.pop("num_train_epochs", None)
    if r.get("precision") in {"fp16", "bf16"}:
        values[str(r["precision"])] = True
    values["report_to"] = "none"
    return assign("args", "TrainingArguments", **values)


def _plain_classifier(r: Mapping[str, Any]) -> str:
    data_args = (r["dataset"], r["dataset_config"]) if r.get("dataset_config") else (r["dataset"],)
    text, label = literal(r.get("text_column", "text")), literal(r.get("label_column", "label"))
    return lines(
        "import numpy as np",
        "from datasets import load_dataset",
        "from transformers import (AutoModelForSequenceClassification, AutoTokenizer,",
        "                          DataCollatorWithPadding, Trainer, TrainingArguments)",
        "",
        assign("data", "load_dataset", *data_args),
        *_splits(r),
        f"feature = train.features[{label}]",
        "named = hasattr(feature, 'names')  # a ClassLabel: numbers stand for names",
        f"labels = list(feature.names) if named else sorted(set(train[{label}]))",
        "label2id = {name: i for i, name in enumerate(labels)}",
        assign("tokenizer", "AutoTokenizer.from_pretrained", r["model"]),
        "",
        "def encode(batch):",
        f"    encoded = tokenizer(batch[{text}], truncation=True, "
        f"max_length={literal(r.get('max_length', 128))})",
        f"    encoded['labels'] = [label2id.get(v, v) for v in batch[{label}]]",
        "    return encoded",
        "",
        "train = train.map(encode, batched=True, remove_columns=train.column_names)",
        "evaluation = evaluation.map(encode, batched=True, remove_columns=evaluation.column_names)",
        "model = AutoModelForSequenceClassification.from_pretrained(",
        f"    {literal(r['model'])}, num_labels=len(labels), ignore_mismatched_sizes=True",
        ")",
        "model.config.id2label = dict(enumerate(labels))",
        "model.config.label2id = label2id",
        "",
        "def accuracy(prediction):",
        "    return {'accuracy': float((np.argmax(prediction.predictions, -1)",
        "                               == prediction.label_ids).mean())}",
        "",
        _training_arguments(r),
        "trainer = Trainer(model=model, args=args, train_dataset=train, eval_dataset=evaluation,",
        "                  data_collator=DataCollatorWithPadding(tokenizer),",
        "                  compute_metrics=accuracy)",
        "trainer.train()",
        "print(trainer.evaluate())",
        "trainer.save_model()",
    )


def _splits(r: Mapping[str, Any]) -> list[str]:
    out = [f"train = data[{literal(r.get('train_split', 'train'))}]"]
    if r.get("eval_split"):
        out.append(f"evaluation = data[{literal(r['eval_split'])}]")
    else:
        out += [
            assign(
                "parts",
                "train.train_test_split",
                test_size=r.get("validation_split", 0.2),
                seed=r.get("seed", 42),
            ),
            "train, evaluation = parts['train'], parts['test']",
        ]
    for name, split in (("max_train_samples", "train"), ("max_eval_samples", "evaluation")):
        if r.get(name):
            out.append(f"{split} = {split}.select(range(min({literal(r[name])}, len({split}))))")
    return out
