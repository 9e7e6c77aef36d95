"""The `download` job: a repo (or some of its files) into the HF cache, with byte progress.

It sits above jobs/ (it takes a JobContext) while the download itself is hub/'s, below jobs/;
a module of its own keeps hub/ free of job code and inference/ free of a non-inference job.
"""

from __future__ import annotations

from hf_ecosystem.hub.cache import DownloadProgress, download
from hf_ecosystem.jobs.context import JobContext


def run_download_job(ctx: JobContext) -> dict[str, str]:
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
    return {"path": str(path), "repo_id": p["repo_id"]}
