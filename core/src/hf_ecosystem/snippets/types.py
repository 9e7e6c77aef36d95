"""What a "show code" snippet is made from (one request type per screen) and what it is."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from hf_ecosystem.hub.types import RepoKind, SearchFilters, Sort


@dataclass(frozen=True, slots=True)
class Snippet:
    """Python that does what a screen does: with hf_ecosystem, and with the plain libraries."""

    title: str
    ecosystem: str
    plain: str
    note: str = ""  # what a reader should know (e.g. why a variant is missing)

    def to_dict(self) -> dict[str, str]:
        """JSON-ready mapping."""
        return {"title": self.title, "ecosystem": self.ecosystem, "plain": self.plain,
                "note": self.note}  # fmt: skip


@dataclass(frozen=True, slots=True)
class SearchCode:
    """The Models or Datasets search: text, filters, sort."""

    kind: RepoKind = "model"
    filters: SearchFilters = field(default_factory=SearchFilters)
    sort: Sort = Sort.DOWNLOADS
    limit: int = 20


@dataclass(frozen=True, slots=True)
class ModelCode:
    """A model's page: its metadata and card, then the model loaded."""

    repo_id: str
    task: str | None = None


@dataclass(frozen=True, slots=True)
class MemoryCode:
    """A model's memory estimate for one scenario."""

    repo_id: str
    dtype: str = "bf16"
    batch: int = 1
    seq: int = 128
    mode: str = "inference"  # inference, full or lora


@dataclass(frozen=True, slots=True)
class TryCode:
    """One input run through a model for a task (a text, or named fields)."""

    repo_id: str
    task: str
    inputs: str | Mapping[str, Any] = ""


@dataclass(frozen=True, slots=True)
class PreviewCode:
    """The first rows of a dataset's split."""

    repo_id: str
    split: str
    config: str | None = None
    rows: int = 20


@dataclass(frozen=True, slots=True)
class StatsCode:
    """Statistics of a dataset's split."""

    repo_id: str
    split: str
    config: str | None = None


@dataclass(frozen=True, slots=True)
class TrainCode:
    """A fine-tune: the form's values as given (`config`) and with every default (`resolved`),
    both TrainSpec fields."""

    config: Mapping[str, Any]
    resolved: Mapping[str, Any]


@dataclass(frozen=True, slots=True)
class EvaluateCode:
    """An evaluation: the Evaluate form's values (the evaluate job's params)."""

    params: Mapping[str, Any]


@dataclass(frozen=True, slots=True)
class PublishCode:
    """A folder published as a repo, to the Hub or to the local hub."""

    folder: str
    repo_id: str
    private: bool | None = None
    local: bool = False
    tag: str | None = None
    commit_message: str | None = None


CodeRequest = (
    SearchCode | ModelCode | MemoryCode | TryCode | PreviewCode | StatsCode | TrainCode
    | EvaluateCode | PublishCode
)  # fmt: skip


VARIANTS = {"ecosystem": "hf_ecosystem", "plain": "plain libraries"}


def joined(snippets: list[Snippet], variant: str) -> str:
    """One variant ("ecosystem" or "plain") of several snippets as one script, each under its
    title as a comment (a title is flattened to one line: it cannot end the comment)."""
    parts = [
        f"# {' '.join(s.title.splitlines())}\n{getattr(s, variant)}"
        for s in snippets
        if getattr(s, variant)
    ]
    return "\n\n".join(parts) if len(parts) > 1 else "".join(getattr(s, variant) for s in snippets)
