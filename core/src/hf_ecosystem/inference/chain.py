"""Chains: feed one task's output to the next (speech → summary, image → caption → translation)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from hf_ecosystem.inference.errors import InferenceError
from hf_ecosystem.inference.inputs import as_dict, as_list


@dataclass(frozen=True, slots=True)
class ChainStep:
    """One step: a Predictor (or any callable) and the options it is called with."""

    predictor: Callable[..., Any]
    options: dict[str, Any] = field(default_factory=dict[str, Any])

    @property
    def name(self) -> str:
        """The step's task name, or its callable's name."""
        return str(getattr(self.predictor, "task", getattr(self.predictor, "__name__", "step")))


def as_text(output: Any, step: str) -> str:
    """The text a step's output hands on: its "text", an answer, or the top label."""
    if isinstance(output, str):
        return output
    fields = as_dict(output)
    if fields is not None:
        for key in ("text", "answer"):
            if isinstance(fields.get(key), str):
                return fields[key]
    outputs = as_list(output)
    top = as_dict(outputs[0]) if outputs else None
    if top is not None and isinstance(top.get("label"), str):
        return top["label"]
    raise InferenceError(
        f"Cannot chain the output of {step}",
        "Only steps that produce text (transcription, caption, generated text, answer or a top "
        "label) can feed the next step.",
    )


def run_chain(steps: Sequence[ChainStep | Callable[..., Any]], value: Any) -> list[Any]:
    """Run each step on the previous step's output as text; returns every step's output (the
    last is the chain's result)."""
    if not steps:
        raise InferenceError("The chain has no steps", "Add at least one step.")
    outputs: list[Any] = []
    for index, raw in enumerate(steps):
        step = raw if isinstance(raw, ChainStep) else ChainStep(raw)
        current = value if index == 0 else as_text(outputs[-1], outputs_name(steps, index - 1))
        outputs.append(step.predictor(current, **step.options))
    return outputs


def outputs_name(steps: Sequence[ChainStep | Callable[..., Any]], index: int) -> str:
    """The display name of step `index`."""
    raw = steps[index]
    return (raw if isinstance(raw, ChainStep) else ChainStep(raw)).name
