"""Snapshots of the busy screens (Jobs, Runs, Evaluate, training form, Publish) over fixed data.

Job ids, creation times and the clock the screens read are pinned, so a snapshot changes only
when what a user sees changes. Update with `pytest tests/tui/test_snapshots.py --snapshot-update`
and review the SVG diff.
"""

from __future__ import annotations

import itertools
import shutil
import time
from collections.abc import Awaitable, Callable, Iterator
from pathlib import Path
from types import SimpleNamespace
from typing import cast

import pytest
from models import fixtures
from runs_fixtures import curve_events, job_store, make_run, train_config, write_fixed_events
from textual.pilot import Pilot
from textual.widgets import Input, TextArea

from helpers import columns_fit, cpu_only_snapshot, table_ids, text_of, wait_until
from hf_ecosystem.jobs.spec import JobSpec
from hf_tui.app import HfTuiApp

tiny_model = fixtures.tiny_model
FIXED_TIME = 1_700_000_000.0
SIZE = (130, 40)
# Paths show on these screens (the config folder, the publish source): pin them too.
FIXED_ROOT = Path("/tmp/hf-tui-snapshots")
CONFUSION = {"labels": ["neg", "pos"], "counts": [[5, 1], [2, 6]]}
ERRORS = [
    {"index": 3, "text": "not bad at all", "true": "pos", "predicted": "neg", "confidence": 0.61},
    {"index": 8, "text": "loved it. not.", "true": "neg", "predicted": "pos", "confidence": 0.97},
]


@pytest.fixture
def pinned_clock(isolated_env: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """HFTUI_HOME at a fixed path, job ids from a counter, records created at FIXED_TIME,
    screens reading FIXED_TIME + 95 s."""
    shutil.rmtree(FIXED_ROOT, ignore_errors=True)
    (FIXED_ROOT / "home").mkdir(parents=True)
    monkeypatch.setenv("HFTUI_HOME", str(FIXED_ROOT / "home"))
    ids = (f"231114-2213{n:02d}-abc{n:03d}" for n in itertools.count())
    monkeypatch.setattr("hf_ecosystem.jobs.store.new_job_id", lambda: next(ids))
    monkeypatch.setattr("hf_ecosystem.jobs.store.time", SimpleNamespace(time=lambda: FIXED_TIME))
    monkeypatch.setattr("hf_tui.screens.jobs.time", SimpleNamespace(time=lambda: FIXED_TIME + 95))
    monkeypatch.setenv("TZ", "UTC")
    time.tzset()
    yield
    monkeypatch.delenv("TZ")
    time.tzset()
    shutil.rmtree(FIXED_ROOT, ignore_errors=True)


def make_app() -> HfTuiApp:
    # max_running_jobs=0: nothing launched from a screen starts a worker in these tests.
    return HfTuiApp(offline=True, sampler=cpu_only_snapshot, max_running_jobs=0)


async def settle(pilot: Pilot[None]) -> None:
    """The header has its backend line; the empty-hub toast is not the screen under test."""
    await wait_until(pilot, lambda: "logged in · CPU" in pilot.app.sub_title)
    pilot.app.clear_notifications()
    await pilot.pause()


Ready = Callable[[Pilot[None]], Awaitable[None]]


def still(ready: Ready) -> Ready:
    """`ready`, then every text field's cursor stops blinking (drawn): a focused field's cursor
    blinks on a wall-clock timer, so which phase a screenshot caught was a race."""

    async def run(pilot: Pilot[None]) -> None:
        await ready(pilot)
        for screen in pilot.app.screen_stack:
            for field in [*screen.query(Input), *screen.query(TextArea)]:
                field.cursor_blink = False
        await pilot.pause()

    return run


def two_runs() -> tuple[str, str]:
    """A succeeded run with curves and a failed one, written as workers write them."""
    store = job_store()
    done = make_run(store, train_config(), status=None)
    write_fixed_events(store, done, curve_events([10, 20, 30, 40]), FIXED_TIME)
    store.finish(done, "succeeded", result={"metrics": {"eval_accuracy": 0.8}})
    failed = make_run(store, train_config(model="acme/other-bert", max_steps=20), status=None)
    write_fixed_events(store, failed, curve_events([10], total=20), FIXED_TIME)
    store.finish(failed, "failed", error={"title": "Out of memory", "hint": "Lower batch_size."})
    return done, failed


def test_snapshot_jobs(snap_compare, pinned_clock: None) -> None:  # type: ignore[no-untyped-def]
    store = job_store()
    download = store.create(JobSpec.create("download", repo_id="acme/tiny-bert"))
    store.finish(download.id, "succeeded", result={"path": "/cache/acme", "repo_id": "acme/tiny"})
    two_runs()

    async def ready(pilot: Pilot[None]) -> None:
        await settle(pilot)
        await pilot.press("4")
        await wait_until(pilot, lambda: len(table_ids(pilot, "#jobs-table")) == 3)
        await wait_until(pilot, lambda: "result" in text_of(pilot, "#job-summary"))
        await wait_until(pilot, lambda: columns_fit(pilot, "#jobs-table"))
        await pilot.pause()

    assert snap_compare(make_app(), run_before=still(ready), terminal_size=SIZE)


def test_snapshot_runs(snap_compare, pinned_clock: None) -> None:  # type: ignore[no-untyped-def]
    two_runs()

    async def ready(pilot: Pilot[None]) -> None:
        await settle(pilot)
        await pilot.press("5")
        await wait_until(pilot, lambda: len(table_ids(pilot, "#runs-table")) == 2)
        await pilot.press("space")  # a marked run shows its mark
        await pilot.pause()

    assert snap_compare(make_app(), run_before=still(ready), terminal_size=SIZE)


def test_snapshot_evaluation(snap_compare, pinned_clock: None) -> None:  # type: ignore[no-untyped-def]
    store = job_store()
    spec = JobSpec.create(
        "evaluate", model="acme/tiny-bert", dataset="acme/reviews", task="text-classification"
    )
    evaluation = store.create(spec).id
    write_fixed_events(
        store, evaluation, [("progress", {"done": 14, "total": 14, "unit": "rows"})], FIXED_TIME
    )
    result = {
        "metrics": {"accuracy": 0.7857, "f1_macro": 0.7818, "samples": 14},
        "output_dir": "/runs/eval-1",
        "confusion": CONFUSION,
        "errors": ERRORS,
    }
    store.finish(evaluation, "succeeded", result=result)

    async def ready(pilot: Pilot[None]) -> None:
        await settle(pilot)
        cast(HfTuiApp, pilot.app).open_evaluation(evaluation)
        await wait_until(pilot, lambda: table_ids(pilot, "#eval-errors") != [])
        for table in ("#eval-metrics", "#confusion"):
            await wait_until(pilot, lambda t=table: table_ids(pilot, t) != [])
        for table in ("#eval-errors", "#eval-metrics", "#confusion"):
            await wait_until(pilot, lambda t=table: columns_fit(pilot, t))
        await pilot.pause()

    assert snap_compare(make_app(), run_before=still(ready), terminal_size=(130, 45))


def test_snapshot_training_form(snap_compare, pinned_clock: None) -> None:  # type: ignore[no-untyped-def]
    async def ready(pilot: Pilot[None]) -> None:
        await settle(pilot)
        cast(HfTuiApp, pilot.app).open_new_training("acme/tiny-bert")
        await wait_until(pilot, lambda: "hf-tui run train" in text_of(pilot, "#command-preview"))
        await pilot.pause()

    assert snap_compare(make_app(), run_before=still(ready), terminal_size=(130, 50))


def test_snapshot_publish(  # type: ignore[no-untyped-def]
    snap_compare, pinned_clock: None, tiny_model: Callable[[str], Path]
) -> None:
    folder = FIXED_ROOT / "run" / "model"
    shutil.copytree(tiny_model("text-classification"), folder)

    async def ready(pilot: Pilot[None]) -> None:
        await settle(pilot)
        cast(HfTuiApp, pilot.app).open_publish(str(folder))
        await wait_until(pilot, lambda: bool(pilot.app.screen.query("#publish-refusal")))
        await pilot.pause()

    assert snap_compare(make_app(), run_before=still(ready), terminal_size=(130, 50))
