"""The inference jobs' results as types the CLI and the TUI read (light: no torch)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Self

from hf_ecosystem.jobs import results as read


@dataclass(frozen=True, slots=True)
class InferenceResult:
    """One input's output (its shape depends on the task's output kind) and where it ran."""

    task: str = ""
    model: str = ""  # the model as loaded (a folder for a local-hub repo)
    output: Any = None  # plain JSON data: a label list, text, boxes…
    device: str = ""
    dtype: str = ""

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready, in the job record's key order."""
        return {
            "task": self.task,
            "model": self.model,
            "output": self.output,
            "device": self.device,
            "dtype": self.dtype,
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Self:
        """Read a stored result (missing fields take their defaults)."""
        return cls(
            task=read.text(data, "task"),
            model=read.text(data, "model"),
            output=data.get("output"),
            device=read.text(data, "device"),
            dtype=read.text(data, "dtype"),
        )


@dataclass(frozen=True, slots=True)
class BatchResult:
    """What a batch run did: the predictions file, rows in all, computed now, resumed."""

    output: str = ""
    rows: int = 0
    computed: int = 0
    resumed: int = 0
    batches: int = 0

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready, in the job record's key order."""
        return {
            "output": self.output,
            "rows": self.rows,
            "computed": self.computed,
            "resumed": self.resumed,
            "batches": self.batches,
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Self:
        """Read a stored result (missing fields take their defaults)."""
        return cls(
            output=read.text(data, "output"),
            rows=read.integer(data, "rows"),
            computed=read.integer(data, "computed"),
            resumed=read.integer(data, "resumed"),
            batches=read.integer(data, "batches"),
        )
