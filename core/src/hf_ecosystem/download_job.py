"""The `download` job: a repo (or some of its files) into the HF cache, with byte progress.

It sits above jobs/ (it takes a JobContext) while the download itself is hub/'s, below jobs/;
a module of its own keeps hub/ free of job code and inference/ free of a non-inference job.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Self

from hf_ecosystem.hub.cache import DownloadProgress, download
from hf_ecosystem.jobs import results as read
from hf_ecosystem.jobs.context import JobContext


@dataclass(frozen=True, slots=True)
class DownloadResult:
    """Where the downloaded snapshot is in the cache."""

    path: str = ""
    repo_id: str = ""

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready, in the job record's key order."""
        return {"path": self.path, "repo_id": self.repo_id}

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Self:
        """Read a stored result (missing fields take their defaults)."""
        return cls(read.text(data, "path"), read.text(data, "repo_id"))


def run_download_job(ctx: JobContext) -> DownloadResult:
    """Download into the cache; resumable (what is there already is not fetched again)."""
    p = ctx.spec.params

    def report(progress: DownloadProgress) -> None:
        ctx.progress(progress.done, progress.total, unit="B")

    ctx.log(f"downloading {p['repo_id']}")
    path = download(
        p["repo_id"],
        kind=p.get("repo_type", "model"),
        files=p.get("files"),
        revision=p.get("revision"),
        progress=report,
        cancel=ctx.cancel,
        settings=ctx.settings,
    )
    ctx.artifact(path, kind="snapshot")
    return DownloadResult(str(path), str(p["repo_id"]))
