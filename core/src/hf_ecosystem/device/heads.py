"""Which head a model runs on top of its blocks, and so how wide its outputs are.

A base model (`BertModel`) returns hidden states and has no logits at all; a masked or causal LM
has one logit per vocabulary entry and position; a sequence classifier one per label and sequence,
a token classifier one per label and position. The memory estimate follows config.json's
`architectures` for inference, and the head a fine-tuning task trains for training.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Literal, cast

from hf_ecosystem.device.model_shape import ModelShape
from hf_ecosystem.errors import HfEcoError
from hf_ecosystem.tasks import TrainTask, training_task

HeadKind = Literal["lm", "sequence", "token", "none"]

# Class-name endings of transformers' auto classes, most specific first.
_LM_ENDINGS = ("ForCausalLM", "LMHeadModel", "ForMaskedLM", "ForConditionalGeneration",
               "WithLMHead", "ForPreTraining", "ForSeq2SeqLM")  # fmt: skip
_SEQUENCE_ENDINGS = ("ForSequenceClassification", "ForMultipleChoice", "ForQuestionAnswering")
_TOKEN_ENDINGS = ("ForTokenClassification",)


class UnknownTrainingTaskError(HfEcoError):
    """A memory estimate was asked for a training task that does not exist."""

    default_title = "Cannot estimate memory"


@dataclass(frozen=True, slots=True)
class ModelHead:
    """The head's kind and its number of outputs (vocabulary entries or labels; 0 for none)."""

    kind: HeadKind
    width: int

    @property
    def per_position(self) -> bool:
        """True when the head makes outputs for every position (LM and token heads)."""
        return self.kind in ("lm", "token")

    def describe(self) -> str:
        """A short phrase for the estimate's notes."""
        if self.kind == "lm":
            return f"language-model head: {self.width:,} logits per position"
        if self.kind == "token":
            return f"token-classification head: {self.width} logits per position"
        if self.kind == "sequence":
            return f"sequence-level head: {self.width} logits per sequence"
        return "base model (no head): hidden states only, no logits"


def _labels(config: Mapping[str, Any]) -> int:
    labels = config.get("id2label")
    if isinstance(labels, Mapping) and labels:
        return len(cast("Mapping[Any, Any]", labels))
    count = config.get("num_labels")
    return count if isinstance(count, int) and not isinstance(count, bool) and count > 0 else 2


def head_from_config(shape: ModelShape) -> ModelHead:
    """The head config.json's `architectures` names; an LM head when it names none."""
    config: Mapping[str, Any] = shape.raw or {}
    names = config.get("architectures")
    first = names[0] if isinstance(names, list) and names else None  # pyright: ignore[reportUnknownVariableType]
    name = first if isinstance(first, str) else ""
    if name.endswith(_LM_ENDINGS) or not name:
        return ModelHead("lm", shape.vocab_size)
    if name.endswith(_TOKEN_ENDINGS):
        return ModelHead("token", _labels(config))
    if name.endswith(_SEQUENCE_ENDINGS):
        return ModelHead(
            "sequence", 2 if name.endswith("ForQuestionAnswering") else _labels(config)
        )
    if name.endswith(("Model", "Encoder")):
        return ModelHead("none", 0)
    return ModelHead("lm", shape.vocab_size)  # an unknown class: count the widest head


def default_training_task(shape: ModelShape) -> TrainTask:
    """The task a fine-tuning of this model would train: what the Fine-tune form offers first."""
    if shape.is_encoder_decoder:
        return "seq2seq"
    if shape.is_decoder:
        return "causal-lm"
    return "text-classification"


def head_for_task(shape: ModelShape, task: str | None) -> ModelHead:
    """The head fine-tuning for `task` trains (the model's default task when None)."""
    name = training_task(task) if task else default_training_task(shape)
    if name is None:
        raise UnknownTrainingTaskError(
            f"Unknown training task {task!r}",
            "Use text-classification, multi-label-classification, token-classification, "
            "causal-lm or seq2seq.",
        )
    if name in ("causal-lm", "seq2seq"):
        return ModelHead("lm", shape.vocab_size)
    labels = _labels(shape.raw or {})
    return ModelHead("token" if name == "token-classification" else "sequence", labels)
