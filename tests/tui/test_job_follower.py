"""JobFollower: one follower tails a job, posts JobUpdated, and stops when it should."""

from __future__ import annotations

import threading

from textual import on
from textual.app import App, ComposeResult

from helpers import wait_until
from hf_ecosystem.jobs.events import JobEvent
from hf_ecosystem.jobs.spec import JobSpec
from hf_ecosystem.jobs.store import JobRecord, Status
from hf_tui.messages import JobUpdated
from hf_tui.screens.base import HfScreen
from hf_tui.widgets.job_follower import JobFollower


class FakeManager:
    """A job that stays running for `active_reads` reads, one event per read, then succeeds."""

    def __init__(self, active_reads: int) -> None:
        self.active_reads = active_reads
        self.reads: list[tuple[str, int]] = []
        self.lock = threading.Lock()

    def read_new(self, job_id: str, offset: int) -> tuple[JobRecord, list[JobEvent], int]:
        with self.lock:
            self.reads.append((job_id, offset))
            status: Status = "running" if len(self.reads) <= self.active_reads else "succeeded"
        record = JobRecord(job_id, "download", JobSpec("download"), status, created_at=0.0)
        return record, [JobEvent("log", {"message": f"from {offset}"})], offset + 10


class FollowingScreen(HfScreen):
    def __init__(self) -> None:
        super().__init__()
        self.updates: list[JobUpdated] = []

    def compose(self) -> ComposeResult:
        yield JobFollower(interval=0.01)

    @on(JobUpdated)
    def _updated(self, message: JobUpdated) -> None:
        self.updates.append(message)


class FollowerApp(App[None]):
    def __init__(self, manager: FakeManager) -> None:
        super().__init__()
        self.manager = manager

    def job_manager(self) -> FakeManager:
        return self.manager


async def test_follows_until_the_job_ends_then_stops() -> None:
    manager = FakeManager(active_reads=2)
    app = FollowerApp(manager)
    async with app.run_test() as pilot:
        screen = FollowingScreen()
        await app.push_screen(screen)
        screen.query_one(JobFollower).follow("job1")
        await wait_until(pilot, lambda: len(screen.updates) == 3)
        await pilot.pause(0.2)  # twenty intervals: a follower that kept reading would show it
        assert manager.reads == [("job1", 0), ("job1", 10), ("job1", 20)]
        assert [u.record.status for u in screen.updates] == ["running", "running", "succeeded"]
        assert [u.events[0].data["message"] for u in screen.updates] == [
            "from 0",
            "from 10",
            "from 20",
        ]


async def test_follow_again_starts_over_and_leaving_the_screen_stops_it() -> None:
    manager = FakeManager(active_reads=10_000)
    app = FollowerApp(manager)
    async with app.run_test() as pilot:
        screen = FollowingScreen()
        await app.push_screen(screen)
        follower = screen.query_one(JobFollower)
        follower.follow("job1")
        await wait_until(pilot, lambda: len(screen.updates) >= 2)
        follower.follow("job2")  # a reload, or another job: from the first event again
        await wait_until(pilot, lambda: screen.updates[-1].record.id == "job2")
        job2 = [u for u in screen.updates if u.record.id == "job2"]
        assert job2[0].events[0].data["message"] == "from 0"
        assert all(u.record.id == "job2" for u in screen.updates[screen.updates.index(job2[0]) :])
        await app.pop_screen()
        await app.workers.wait_for_complete()
        reads = len(manager.reads)
        await pilot.pause(0.2)
        assert len(manager.reads) == reads  # the screen went: so did its follower's timer
