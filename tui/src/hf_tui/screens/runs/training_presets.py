"""The New-training form's presets: what each sets, sized for a CPU box or for a GPU."""

from __future__ import annotations

from typing import Any

# "quick" is a few minutes on a CPU box (a MiniLM-sized model: 100 steps of 16 short texts);
# "GPU" is the whole dataset, 3 epochs, longer texts and bigger batches.
PRESETS: dict[str, tuple[str, dict[str, Any]]] = {
    "text-classification-quick": (
        "text classification · CPU quick",
        {"task": "text-classification", "max_steps": 100, "batch_size": 16,
         "learning_rate": 5e-5, "validation_split": 0.2, "text_column": "text",
         "label_column": "label", "max_length": 128, "max_train_samples": 2000, "lora": False},
    ),
    "text-classification-full": (
        "text classification · GPU",
        {"task": "text-classification", "epochs": 3, "batch_size": 32,
         "learning_rate": 5e-5, "validation_split": 0.2, "text_column": "text",
         "label_column": "label", "max_length": 256, "lora": False},
    ),
    "token-classification-quick": (
        "token classification · CPU quick",
        {"task": "token-classification", "max_steps": 100, "batch_size": 16,
         "learning_rate": 5e-5, "validation_split": 0.2, "text_column": "tokens",
         "label_column": "ner_tags", "max_length": 128, "max_train_samples": 2000,
         "lora": False},
    ),
    "causal-lm-quick": (
        "causal LM · CPU quick (LoRA)",
        {"task": "causal-lm", "max_steps": 100, "batch_size": 8, "learning_rate": 2e-4,
         "validation_split": 0.1, "text_column": "text", "max_length": 128,
         "max_train_samples": 2000, "lora": True},
    ),
    "causal-lm-gpu": (
        "causal LM · GPU (LoRA)",
        {"task": "causal-lm", "epochs": 1, "batch_size": 16, "learning_rate": 2e-4,
         "validation_split": 0.1, "text_column": "text", "max_length": 512, "lora": True},
    ),
}  # fmt: skip
PRESET_FIELDS = ("epochs", "max_steps", "batch_size", "learning_rate", "validation_split",
                 "text_column", "label_column", "max_length", "max_train_samples")  # fmt: skip
CLEARED = ("epochs", "max_steps", "max_train_samples")  # blank unless the preset sets them
DEFAULT_PRESET = "text-classification-quick"
