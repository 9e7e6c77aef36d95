"""What the evaluation modules share: their error type and plain-data results."""

from __future__ import annotations

import dataclasses
from typing import Any

from hf_ecosystem.errors import HfEcoError


class EvaluationError(HfEcoError):
    """An evaluation that cannot run as asked (task, inputs, lengths)."""

    default_title = "Cannot evaluate"
    default_hint = "Check the task, the model and the dataset's columns."


class Plain:
    """`to_dict()` for frozen result dataclasses."""

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready."""
        return dataclasses.asdict(self)  # pyright: ignore[reportArgumentType]
