"""Classification losses for imbalanced labels: class-weighted cross-entropy and focal loss.

Both take logits (N, C) or (N, T, C) with labels (N,) or (N, T); positions whose label is
`ignore_index` are left out. Imported only in job processes (it imports torch).
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Literal, cast, get_args

import torch
import torch.nn.functional as F

from hf_ecosystem.errors import HfEcoError

IGNORE_INDEX = -100
_TINY = 1e-12
LossKind = Literal["cross-entropy", "weighted-cross-entropy", "focal"]
LOSS_KINDS: tuple[str, ...] = get_args(LossKind)


class LossError(HfEcoError):
    """A loss cannot be built or applied: unknown kind, bad class weights, mismatched shapes."""

    default_title = "Invalid loss settings"
    default_hint = "Check the loss kind, the class weights (one per label) and gamma (>= 0)."


def _flatten(logits: torch.Tensor, labels: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    """Logits as (positions, classes) and labels as (positions,)."""
    if logits.dim() < 2 or logits.shape[:-1] != labels.shape:
        raise LossError(
            f"Logits of shape {tuple(logits.shape)} do not fit labels of shape "
            f"{tuple(labels.shape)}",
            "Logits need one more (class) axis than the labels: (N, C) with (N,), "
            "or (N, T, C) with (N, T).",
        )
    return logits.reshape(-1, logits.shape[-1]), labels.reshape(-1)


def _class_tensor(
    values: torch.Tensor | Sequence[float], logits: torch.Tensor, what: str
) -> torch.Tensor:
    """Per-class values as float32 on the logits' device, one per class."""
    tensor = torch.as_tensor(values, dtype=torch.float32, device=logits.device)
    if tensor.shape != (logits.shape[-1],):
        raise LossError(
            f"{tuple(tensor.shape)} {what} for {logits.shape[-1]} classes",
            f"Give exactly one {what.rstrip('s')} per label.",
        )
    return tensor


def _counted(labels: torch.Tensor, ignore_index: int) -> tuple[torch.Tensor, torch.Tensor]:
    """The mask of counted positions and labels safe to index with (ignored ones set to 0).

    Masks instead of boolean indexing keep the loss free of host-device syncs.
    """
    counted = labels != ignore_index
    return counted, torch.where(counted, labels, torch.zeros_like(labels))


def class_weighted_cross_entropy(
    logits: torch.Tensor,
    labels: torch.Tensor,
    weights: torch.Tensor | Sequence[float],
    *,
    ignore_index: int = IGNORE_INDEX,
) -> torch.Tensor:
    """Cross-entropy with per-class weights, normalised by the summed weight of counted targets.

    Equals `F.cross_entropy(weight=...)`, except that it is 0 (not NaN) when nothing is counted.
    """
    flat_logits, flat_labels = _flatten(logits, labels)
    weight = _class_tensor(weights, flat_logits, "class weights")
    counted, safe = _counted(flat_labels, ignore_index)
    total = F.cross_entropy(
        flat_logits.float(), flat_labels, weight=weight, ignore_index=ignore_index, reduction="sum"
    )
    norm = (weight[safe] * counted).sum()
    return total / norm.clamp(min=_TINY)


def cross_entropy(
    logits: torch.Tensor, labels: torch.Tensor, *, ignore_index: int = IGNORE_INDEX
) -> torch.Tensor:
    """Plain cross-entropy averaged over counted positions (0, not NaN, when nothing is counted)."""
    flat_logits, flat_labels = _flatten(logits, labels)
    counted, _ = _counted(flat_labels, ignore_index)
    total = F.cross_entropy(
        flat_logits.float(), flat_labels, ignore_index=ignore_index, reduction="sum"
    )
    return total / counted.sum().clamp(min=1)


def focal_loss(
    logits: torch.Tensor,
    labels: torch.Tensor,
    *,
    gamma: float = 2.0,
    alpha: torch.Tensor | Sequence[float] | None = None,
    ignore_index: int = IGNORE_INDEX,
) -> torch.Tensor:
    """Focal loss -alpha_t (1 - p_t)^gamma log p_t, averaged over counted positions."""
    if gamma < 0:
        raise LossError(f"Invalid focal gamma {gamma}", "Use gamma >= 0 (2.0 is usual).")
    flat_logits, flat_labels = _flatten(logits, labels)
    counted, safe = _counted(flat_labels, ignore_index)
    log_probs = F.log_softmax(flat_logits.float(), dim=-1)
    log_pt = log_probs.gather(1, safe.unsqueeze(1)).squeeze(1)
    loss = -log_pt
    if gamma > 0:  # skipped at 0: the gradient of x**0 at x=0 would be NaN
        loss = loss * (1.0 - log_pt.exp()).clamp(min=0.0) ** gamma
    if alpha is not None:
        loss = loss * _class_tensor(alpha, flat_logits, "alpha weights")[safe]
    loss = torch.where(counted, loss, torch.zeros_like(loss))
    return loss.sum() / counted.sum().clamp(min=1)


def weights_from_labels(labels: Sequence[int], num_labels: int) -> list[float]:
    """Balanced class weights n / (k * count) over the k classes present; absent classes get 1.0.

    Labels equal to -100 (ignored positions) are skipped.
    """
    counts = Counter(int(label) for label in labels if int(label) != IGNORE_INDEX)
    outside = sorted(label for label in counts if not 0 <= label < num_labels)
    if outside:
        raise LossError(
            f"Labels {outside[:5]} are outside 0..{num_labels - 1}",
            "Check num_labels and the label column.",
        )
    total = sum(counts.values())
    present = len(counts)
    return [
        total / (present * counts[label]) if counts[label] else 1.0 for label in range(num_labels)
    ]


@dataclass(frozen=True)
class ClassificationLoss:
    """A (logits, labels) -> loss function, checked when built; picklable (see `make_loss`)."""

    kind: LossKind
    num_labels: int
    class_weights: tuple[float, ...] | None = None
    gamma: float = 2.0
    ignore_index: int = IGNORE_INDEX

    def __post_init__(self) -> None:
        if self.kind not in LOSS_KINDS:
            raise LossError(
                f"Unknown loss {self.kind!r}", f"Known losses: {', '.join(LOSS_KINDS)}."
            )
        if self.num_labels < 1:
            raise LossError(
                f"Invalid num_labels {self.num_labels}", "A classifier needs at least 1 label."
            )
        if self.gamma < 0:
            raise LossError(f"Invalid focal gamma {self.gamma}", "Use gamma >= 0 (2.0 is usual).")
        weights = self.class_weights
        if weights is None:
            if self.kind == "weighted-cross-entropy":
                raise LossError(
                    "Weighted cross-entropy needs class weights",
                    "Pass one weight per label (weights_from_labels computes balanced ones).",
                )
            return
        if self.kind == "cross-entropy":
            raise LossError(
                "Plain cross-entropy takes no class weights",
                'Use "weighted-cross-entropy" (or "focal") to weight classes.',
            )
        if len(weights) != self.num_labels:
            raise LossError(
                f"{len(weights)} class weights for {self.num_labels} labels",
                "Give one weight per label (weights_from_labels computes balanced ones).",
            )
        if not all(math.isfinite(w) and w >= 0 for w in weights):
            raise LossError(
                f"Invalid class weights {list(weights)}", "Class weights must be finite and >= 0."
            )

    def __call__(self, logits: torch.Tensor, labels: torch.Tensor) -> torch.Tensor:
        if logits.shape[-1] != self.num_labels:
            raise LossError(
                f"Logits have {logits.shape[-1]} classes, the loss expects {self.num_labels}",
                "Make num_labels match the model's classification head.",
            )
        if self.kind == "focal":
            return focal_loss(
                logits,
                labels,
                gamma=self.gamma,
                alpha=self.class_weights,
                ignore_index=self.ignore_index,
            )
        if self.class_weights is not None:  # weighted-cross-entropy (validated above)
            return class_weighted_cross_entropy(
                logits, labels, self.class_weights, ignore_index=self.ignore_index
            )
        return cross_entropy(logits, labels, ignore_index=self.ignore_index)


def make_loss(
    kind: str,
    *,
    num_labels: int,
    class_weights: Sequence[float] | None = None,
    gamma: float = 2.0,
) -> Callable[[torch.Tensor, torch.Tensor], torch.Tensor]:
    """A (logits, labels) -> loss callable: "cross-entropy", "weighted-cross-entropy" or "focal".

    For "focal", `class_weights` (optional) are the per-class alpha.
    """
    weights = None if class_weights is None else tuple(float(w) for w in class_weights)
    return ClassificationLoss(cast(LossKind, kind), num_labels, weights, float(gamma))
