"""Which way a metric is better (lower loss, higher accuracy), and which logged numbers are
bookkeeping rather than results (runtime, throughput, FLOPs, epoch).

Imports nothing heavy: the TUI process uses it to mark the best run of a compare view.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Literal

Direction = Literal["higher", "lower"]

# A prefix the Trainer puts before a metric's name to say which split it was measured on.
_SPLIT_PREFIXES = ("eval_", "test_", "train_", "predict_")
# Words of a metric's name (split on "_") saying an error: smaller is better. Checked first, so
# "hamming_loss" and "mean_nll" are losses although other words of them are not.
_LOWER_WORDS = ("loss", "perplexity", "ppl", "nll", "error", "wer", "cer", "ter", "mse", "mae",
                "rmse", "mape")  # fmt: skip
# Scores: larger is better. Stems match the start of a word ("rougeL", "f1_macro"); short words
# match whole, so "em" and "map" do not match "embedding" or "mapping".
_HIGHER_STEMS = ("accuracy", "f1", "precision", "recall", "bleu", "sacrebleu", "rouge", "chrf",
                 "meteor", "bertscore")  # fmt: skip
_HIGHER_WORDS = ("acc", "auc", "roc", "exact", "em", "matthews", "mcc", "pearson", "spearman",
                 "r2", "map", "ndcg", "iou", "dice", "score")  # fmt: skip
# Numbers the Trainer logs about the run itself, not about the model: noise in a comparison.
_BOOKKEEPING_SUFFIXES = ("_runtime", "_samples_per_second", "_steps_per_second")
_BOOKKEEPING = ("runtime", "samples_per_second", "steps_per_second", "total_flos", "epoch",
                "step", "learning_rate", "grad_norm")  # fmt: skip


def base_name(name: str) -> str:
    """The metric without its split prefix: `eval_accuracy` -> `accuracy`."""
    for prefix in _SPLIT_PREFIXES:
        if name.startswith(prefix) and len(name) > len(prefix):
            return name[len(prefix) :]
    return name


def better_direction(name: str) -> Direction | None:
    """Which way is better: "lower" for losses and error rates, "higher" for scores, None when
    neither is known (a count such as `samples`, bookkeeping such as `eval_runtime`)."""
    if is_bookkeeping(name):
        return None
    words = [w for w in base_name(name).lower().replace("-", "_").split("_") if w]
    if any(word in _LOWER_WORDS for word in words):
        return "lower"
    if any(w in _HIGHER_WORDS or w.startswith(_HIGHER_STEMS) for w in words):
        return "higher"
    return None


def is_bookkeeping(name: str) -> bool:
    """True for what the Trainer logs about the run (runtime, throughput, FLOPs, epoch, learning
    rate): numbers that say nothing about how good the model is."""
    return name in _BOOKKEEPING or name.endswith(_BOOKKEEPING_SUFFIXES)


def best_indices(name: str, values: Sequence[float | None]) -> tuple[int, ...]:
    """Positions of the best of `values` for metric `name` (every one on a tie); none when the
    metric has no known direction, fewer than two values are present, or all present are equal."""
    direction = better_direction(name)
    present = [(i, v) for i, v in enumerate(values) if v is not None and v == v]  # v == v: not NaN
    if direction is None or len(present) < 2:
        return ()
    pick = min if direction == "lower" else max
    best = pick(v for _, v in present)
    if all(v == best for _, v in present):
        return ()
    return tuple(i for i, v in present if v == best)
