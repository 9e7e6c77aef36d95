"""The `demo-seed` job: fill $HFTUI_HOME/hub with the demo repos, one progress step per repo."""

from __future__ import annotations

from hf_ecosystem.demo.seed import SeedResult, seed_demo_hub
from hf_ecosystem.jobs.context import JobContext


def run_demo_seed_job(ctx: JobContext) -> SeedResult:
    """Build every missing demo repo; repos already there are left alone."""

    def report(done: int, total: int, name: str) -> None:
        ctx.progress(done, total, unit="repos")
        if done < total:
            ctx.log(f"building {name}")

    result = seed_demo_hub(ctx.settings.home / "hub", progress=report, cancel=ctx.cancel)
    if result.empty:
        ctx.log(f"nothing to add on this machine for: {', '.join(result.empty)}", level="warning")
    return result
