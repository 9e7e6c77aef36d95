"""The Jobs screen: live table and events of real jobs, cancel with confirmation, remove."""

from __future__ import annotations

import pytest
from textual.widgets import RichLog

from fakehub import FakeHub, FakeRepo
from helpers import cpu_only_snapshot, table_ids, text_of, wait_until
from hf_ecosystem.jobs.manager import JobManager
from hf_ecosystem.jobs.spec import JobSpec
from hf_tui.app import HfTuiApp
from hf_tui.modals.confirm import ConfirmModal
from hf_tui.screens.jobs import JobsScreen


def _log_text(app: HfTuiApp) -> str:
    return "\n".join(str(line.text) for line in app.screen.query_one("#job-events", RichLog).lines)


@pytest.mark.slow
async def test_jobs_reattach_stream_cancel_and_remove(fake_hub: FakeHub, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setenv("HFTUI_MAX_JOBS", "1")
    fake_hub.add(FakeRepo("acme/done", files={"f.txt": b"abc"}))
    fake_hub.add(FakeRepo("acme/slow", files={"f.txt": b"x" * 100}))
    fake_hub.delay("/acme/slow/resolve", 5.0, times=100)
    manager = JobManager()
    finished = manager.launch(JobSpec.create("download", repo_id="acme/done"))
    manager.wait(finished.id, timeout=60)
    slow = manager.launch(JobSpec.create("download", repo_id="acme/slow"))  # started before the UI

    app = HfTuiApp(sampler=cpu_only_snapshot)
    async with app.run_test(size=(150, 40)) as pilot:
        await pilot.press("4")
        await wait_until(pilot, lambda: isinstance(app.screen, JobsScreen))
        screen = app.screen
        assert isinstance(screen, JobsScreen)
        await wait_until(
            pilot, lambda: set(table_ids(pilot, "#jobs-table")) == {finished.id, slow.id}
        )
        await wait_until(pilot, lambda: "2 jobs · 1 active" in text_of(pilot, "#jobs-status"))
        # the newest (slow, running) is first; its events stream into the log
        assert table_ids(pilot, "#jobs-table")[0] == slow.id
        await wait_until(pilot, lambda: "status status=running" in _log_text(app), timeout=20)
        await pilot.press("c")
        assert isinstance(app.screen, ConfirmModal)
        await pilot.press("y")
        await wait_until(pilot, lambda: manager.get(slow.id).status == "cancelled", timeout=20)
        await wait_until(pilot, lambda: "0 active" in text_of(pilot, "#jobs-status"))
        # the finished job: select it, see its result, remove it
        await pilot.press("j")
        await wait_until(pilot, lambda: "result" in text_of(pilot, "#job-summary"))
        await pilot.press("delete")
        await wait_until(pilot, lambda: table_ids(pilot, "#jobs-table") == [slow.id])


async def test_cancel_needs_an_active_job(isolated_env) -> None:  # type: ignore[no-untyped-def]
    app = HfTuiApp(offline=True, sampler=cpu_only_snapshot)
    async with app.run_test(size=(150, 40)) as pilot:
        await pilot.press("4")
        await wait_until(pilot, lambda: "No jobs yet" in text_of(pilot, "#jobs-status"))
        await pilot.press("c")
        assert not isinstance(app.screen, ConfirmModal)
        assert any("Select a queued or running job" in n.message for n in app._notifications)  # type: ignore[attr-defined]


async def test_the_jobs_table_shows_which_gpus_a_job_was_given(isolated_env) -> None:  # type: ignore[no-untyped-def]
    manager = JobManager()
    record = manager.store.create(JobSpec.create("demo-seed"))
    manager.store.update(record.id, gpu_ids="0,2")  # as the scheduler stores its claim
    app = HfTuiApp(offline=True, sampler=cpu_only_snapshot)
    async with app.run_test(size=(150, 40)) as pilot:
        await pilot.press("4")
        await wait_until(pilot, lambda: table_ids(pilot, "#jobs-table") == [record.id])
        screen = app.screen
        assert isinstance(screen, JobsScreen)
        what = screen.query_one("#jobs-table").get_cell(record.id, "what")  # type: ignore[attr-defined]
        assert str(what).endswith(" · GPU 0,2")


async def test_a_waiting_job_says_why(isolated_env, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    import time

    monkeypatch.setenv("HFTUI_GPUS", "0")
    manager = JobManager(max_running=0)  # paused: nothing starts by itself
    spec = JobSpec.create("inference", task="text-classification", model="acme/m", input="hi")
    holder = manager.launch(spec)  # it holds GPU 0, as a job that has just been started does
    manager.store.update(holder.id, status="starting", started_at=time.time(), gpu_ids="0")
    waiting = manager.launch(spec)
    app = HfTuiApp(offline=True, sampler=cpu_only_snapshot)
    async with app.run_test(size=(150, 40)) as pilot:
        await pilot.press("4")
        await wait_until(pilot, lambda: table_ids(pilot, "#jobs-table")[:1] == [waiting.id])
        await wait_until(
            pilot,
            lambda: (
                f"waiting: needs 1 GPU, 0 free (GPU 0 by job {holder.id})"
                in text_of(pilot, "#job-summary")
            ),
        )
