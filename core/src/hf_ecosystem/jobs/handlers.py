"""Job kinds → the code that runs them (imported in the worker only; heavy imports stay inside)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from hf_ecosystem.jobs.context import JobContext

Handler = Callable[[JobContext], dict[str, Any]]


def run_download(ctx: JobContext) -> dict[str, Any]:
    """Download a repo (or some files) into the cache with byte progress; resumable."""
    from hf_ecosystem.hub.cache import DownloadProgress, download

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


def run_demo_seed(ctx: JobContext) -> dict[str, Any]:
    """Fill $HFTUI_HOME/hub with the demo repos, one progress step per repo."""
    from hf_ecosystem.demo.seed import seed_demo_hub

    def report(done: int, total: int, name: str) -> None:
        ctx.progress(done, total, unit="repos")
        if done < total:
            ctx.log(f"building {name}")

    result = seed_demo_hub(ctx.settings.home / "hub", progress=report, cancel=ctx.cancel)
    if result.empty:
        ctx.log(f"nothing to add on this machine for: {', '.join(result.empty)}", level="warning")
    return {"root": result.root, "created": list(result.created), "skipped": list(result.skipped)}


def _inference(ctx: JobContext) -> dict[str, Any]:
    from hf_ecosystem.inference.jobs import run_inference_job

    return run_inference_job(ctx)


def _batch(ctx: JobContext) -> dict[str, Any]:
    from hf_ecosystem.inference.jobs import run_batch_job

    return run_batch_job(ctx)


def _train(ctx: JobContext) -> dict[str, Any]:
    from hf_ecosystem.training.job import run_train_job

    return run_train_job(ctx)


def _evaluate(ctx: JobContext) -> dict[str, Any]:
    from hf_ecosystem.evaluation.job import run_evaluate_job

    return run_evaluate_job(ctx)


def _publish(ctx: JobContext) -> dict[str, Any]:
    from hf_ecosystem.publishing.hub import run_publish_job

    return run_publish_job(ctx)


HANDLERS: dict[str, Handler] = {
    "download": run_download,
    "demo-seed": run_demo_seed,
    "inference": _inference,
    "batch-inference": _batch,
    "train": _train,
    "evaluate": _evaluate,
    "publish": _publish,
}
