"""The `publish` job's result as a type the CLI and the TUI read (plain stdlib underneath)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Self

from hf_ecosystem.jobs import results as read
from hf_ecosystem.publishing.plan import PublishResult


def _empty_publish() -> PublishResult:
    return PublishResult(repo_id="", local=False, location="", files=(), total_bytes=0)


@dataclass(frozen=True, slots=True)
class PublishJobResult:
    """Where the model went (`published`), plus what the job left out and the card it used."""

    published: PublishResult = field(default_factory=_empty_publish)
    skipped: tuple[str, ...] = ()  # files of the folder not uploaded (checkpoints, optimizer…)
    warnings: tuple[str, ...] = ()
    card: str = ""  # where the README came from: "file", "folder" or "generated"
    license: str | None = None

    @property
    def versions(self) -> tuple[str, ...]:
        """Hub tags, or the local hub's revisions (oldest first)."""
        return self.published.tags

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready, in the job record's key order."""
        return {
            **self.published.to_dict(),
            "skipped": list(self.skipped),
            "warnings": list(self.warnings),
            "card": self.card,
            "license": self.license,
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Self:
        """Read a stored result (missing fields take their defaults)."""
        return cls(
            published=PublishResult.from_dict(data),
            skipped=read.texts(data, "skipped"),
            warnings=read.texts(data, "warnings"),
            card=read.text(data, "card"),
            license=read.optional_text(data, "license"),
        )
