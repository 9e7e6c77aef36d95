"""The Device screen's process list: job ids, sorting, and stopping real child processes."""

from __future__ import annotations

import os
import signal
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pynvml
import pytest
from textual.app import App
from textual.pilot import Pilot

import hf_tui
from fakes.children import NOBODY, Children
from fakes.nvml import FakeGpu, FakeNvml
from helpers import cpu_only_snapshot, wait_until
from hf_ecosystem.device.processes import ProcessReader
from hf_ecosystem.device.types import GIB, DeviceSnapshot, ProcessInfo
from hf_ecosystem.jobs.manager import JOB_ENV, JobManager
from hf_ecosystem.jobs.spec import JobSpec
from hf_tui.app import HfTuiApp
from hf_tui.modals.confirm import ConfirmModal
from hf_tui.modals.help import HelpScreen
from hf_tui.screens.device import DeviceScreen
from hf_tui.widgets.process_panel import ProcessPanel
from hf_tui.widgets.process_table import COLUMNS, ProcessTable, short_command

as_root = pytest.mark.skipif(os.getuid() != 0, reason="starting another user's process needs root")
NO_DRIVER = pynvml.NVMLError(pynvml.NVML_ERROR_LIBRARY_NOT_FOUND)


class Host(App[None]):
    """A bare app, with the real app's stylesheet, that shows only the screen under test."""

    CSS_PATH = str(Path(hf_tui.__file__).parent / "app.tcss")

    def __init__(self, screen: DeviceScreen) -> None:
        super().__init__()
        self.device_screen = screen

    def on_mount(self) -> None:
        self.push_screen(self.device_screen)


@pytest.fixture
def children() -> Iterator[Children]:
    spawned = Children()
    yield spawned
    spawned.close()


def every_own_process() -> Any:
    """The real reader with no top-N cut, so a quiet child of ours is always listed."""
    reader = ProcessReader(JOB_ENV, top=100_000)
    return lambda snap: reader.read(snap.gpus)


def cpu_only(interval: float = 0.25, **kwargs: Any) -> DeviceScreen:
    # Not faster: a pilot's key press waits for the app to go idle, which polling delays.
    return DeviceScreen(interval=interval, nvml=FakeNvml(init_error=NO_DRIVER), **kwargs)


def cell(table: ProcessTable, pid: int, column: str) -> str:
    row = table.get_row(str(pid))
    return str(row[[key for key, _, _ in COLUMNS].index(column)])


async def select(pilot: Pilot[Any], screen: DeviceScreen, pid: int) -> ProcessTable:
    """Wait for `pid` in the table and put the cursor on it."""
    table = screen.query_one(ProcessTable)
    await wait_until(pilot, lambda: pid in [p.pid for p in table.processes])
    table.move_cursor(row=[p.pid for p in table.processes].index(pid))
    await pilot.pause()
    selected = table.selected
    assert selected is not None and selected.pid == pid
    return table


def notes(pilot: Pilot[Any]) -> list[Any]:
    return list(pilot.app._notifications)  # type: ignore[attr-defined]


def question(pilot: Pilot[Any]) -> str:
    modal = pilot.app.screen
    assert isinstance(modal, ConfirmModal)
    return modal.question


async def test_a_job_process_shows_its_job_id_and_kind(children: Children) -> None:
    manager = JobManager()
    record = manager.store.create(JobSpec.create("demo-seed"))
    worker = children.spawn(env={JOB_ENV: record.id})
    stray = children.spawn(env={JOB_ENV: "260101-000000-gone00"})  # a job of another home
    screen = cpu_only()  # the real reader: jobs are listed beyond this user's busiest
    async with Host(screen).run_test(size=(160, 50)) as pilot:
        table = await select(pilot, screen, worker.pid)
        assert cell(table, worker.pid, "job") == f"{record.id} demo-seed"
        assert cell(table, stray.pid, "job") == "260101-000000-gone00"
        assert cell(table, worker.pid, "command") == "sleep 120"
        assert screen.jobs[record.id].kind == "demo-seed"
        title = str(screen.query_one(ProcessPanel).border_title)
        assert title.startswith("Your busiest processes · ") and "sorted by CPU% ▼" in title


async def test_kill_confirmed_stops_a_real_child(children: Children) -> None:
    child = children.spawn()
    screen = cpu_only(processes=every_own_process())
    async with Host(screen).run_test(size=(160, 50)) as pilot:
        await select(pilot, screen, child.pid)
        await pilot.press("k")
        await wait_until(pilot, lambda: isinstance(pilot.app.screen, ConfirmModal))
        assert question(pilot).startswith(f"Stop pid {child.pid}?\nsleep 120")
        await pilot.press("y")
        await wait_until(pilot, lambda: child.poll() is not None)
        assert child.returncode == -signal.SIGTERM
        await wait_until(pilot, lambda: any("stopped (SIGTERM)" in n.message for n in notes(pilot)))
        table = screen.query_one(ProcessTable)
        await wait_until(pilot, lambda: child.pid not in [p.pid for p in table.processes])


async def test_kill_answered_no_leaves_the_child_running(children: Children) -> None:
    child = children.spawn()
    screen = DeviceScreen(interval=0.25, nvml=gpu_users(child.pid))
    async with Host(screen).run_test(size=(160, 50)) as pilot:
        await select(pilot, screen, child.pid)
        await pilot.press("delete")
        await wait_until(pilot, lambda: isinstance(pilot.app.screen, ConfirmModal))
        await pilot.press("n")
        await wait_until(pilot, lambda: pilot.app.screen is screen)
        polls = screen.polls
        await wait_until(pilot, lambda: screen.polls >= polls + 2)  # it went on polling
        assert child.poll() is None


async def test_sigkill_is_offered_when_sigterm_is_ignored(children: Children) -> None:
    child = children.ignoring_sigterm()
    screen = DeviceScreen(interval=0.25, nvml=gpu_users(child.pid), term_grace=0.3)
    async with Host(screen).run_test(size=(160, 50)) as pilot:
        await select(pilot, screen, child.pid)
        await pilot.press("k")
        await wait_until(pilot, lambda: isinstance(pilot.app.screen, ConfirmModal))
        await pilot.press("y")
        await wait_until(
            pilot,
            lambda: isinstance(pilot.app.screen, ConfirmModal) and "SIGKILL" in question(pilot),
        )
        assert question(pilot).startswith(f"pid {child.pid} still runs 0.3 s after SIGTERM.")
        assert child.poll() is None
        await pilot.press("y")
        await wait_until(pilot, lambda: child.poll() is not None)
        assert child.returncode == -signal.SIGKILL


async def test_killing_a_job_process_cancels_the_job(children: Children) -> None:
    manager = JobManager()
    record = manager.store.create(JobSpec.create("demo-seed"))
    # A stand-in worker as the manager starts one: own session, job id in argv and environment.
    worker = children.spawn(
        [sys.executable, "-c", "import time; time.sleep(120)", record.id],
        env={JOB_ENV: record.id},
        new_session=True,
    )
    manager.store.update(record.id, status="running", pid=worker.pid, started_at=time.time())
    screen = cpu_only()
    async with Host(screen).run_test(size=(160, 50)) as pilot:
        await select(pilot, screen, worker.pid)
        await wait_until(pilot, lambda: record.id in screen.jobs)
        await pilot.press("k")
        await wait_until(pilot, lambda: isinstance(pilot.app.screen, ConfirmModal))
        assert question(pilot).startswith(f"Cancel job {record.id} (demo-seed)?")
        await pilot.press("y")
        await wait_until(pilot, lambda: worker.poll() is not None)
        await wait_until(pilot, lambda: manager.store.get(record.id).status == "cancelled")
        await wait_until(pilot, lambda: any("cancelled" in n.message for n in notes(pilot)))


async def refused(pilot: Pilot[Any], screen: DeviceScreen, pid: int) -> str:
    """Press k on `pid`; no modal may open; the new error notification's title and text."""
    await select(pilot, screen, pid)
    before = {note.identity for note in notes(pilot)}
    await pilot.press("k")
    await wait_until(pilot, lambda: any(n.identity not in before for n in notes(pilot)))
    assert pilot.app.screen is screen  # refused before asking
    note = next(n for n in notes(pilot) if n.identity not in before)
    assert note.severity == "error"
    return f"{note.title}: {note.message}"


def gpu_users(*pids: int) -> FakeNvml:
    gpu = FakeGpu()
    for pid in pids:
        gpu.run_on(pid, GIB)
    return FakeNvml([gpu])


@as_root
async def test_another_users_process_is_refused(children: Children) -> None:
    stranger = children.spawn(user=NOBODY)
    screen = DeviceScreen(interval=0.25, nvml=gpu_users(stranger.pid))
    async with Host(screen).run_test(size=(160, 50)) as pilot:
        said = await refused(pilot, screen, stranger.pid)
        assert said.startswith(f"pid {stranger.pid} belongs to ")
        assert "Only your own processes can be stopped here" in said
        assert stranger.poll() is None  # root could have killed it: hf-tui did not


async def test_pid_1_and_ourselves_are_refused() -> None:
    screen = DeviceScreen(interval=0.25, nvml=gpu_users(1, os.getpid()))
    async with Host(screen).run_test(size=(160, 50)) as pilot:
        said = await refused(pilot, screen, 1)
        assert said.startswith("pid 1 is the system's init process")
        said = await refused(pilot, screen, os.getpid())
        assert said == "That is hf-tui itself: Quit with q instead."


def header_x(table: ProcessTable, column: str) -> int:
    """An x inside `column`'s header."""
    index = [key for key, _, _ in COLUMNS].index(column)
    return 1 + sum(c.get_render_width(table) for c in table.ordered_columns[:index])


async def test_sort_keys_and_header_clicks() -> None:
    fixed = (
        ProcessInfo(30, "a", "alpha", "zed", 0, 1.0, 5.0, 300, ()),
        ProcessInfo(10, "b", "beta", "amy", 0, 1.0, 50.0, 100, ()),
        ProcessInfo(20, "c", "gamma", "bob", 0, 1.0, 20.0, 200, ()),
    )

    def processes(_: DeviceSnapshot) -> tuple[ProcessInfo, ...]:
        return fixed

    screen = cpu_only(interval=3600, processes=processes)  # new readings come with r
    async with Host(screen).run_test(size=(160, 50)) as pilot:
        table = screen.query_one(ProcessTable)
        panel = screen.query_one(ProcessPanel)
        pids = lambda: [p.pid for p in table.processes]  # noqa: E731
        await wait_until(pilot, lambda: pids() == [10, 20, 30])  # CPU% first on a CPU-only box
        await pilot.press("s")
        assert table.sort_key == "rss" and pids() == [30, 20, 10]
        assert "sorted by RSS ▼" in str(panel.border_title)
        await pilot.press("S")
        assert pids() == [10, 20, 30] and "sorted by RSS ▲" in str(panel.border_title)
        await pilot.press("s")
        assert table.sort_key == "pid" and pids() == [10, 20, 30]
        await pilot.click(ProcessTable, offset=(2, 0))  # the pid header again: reversed
        assert pids() == [30, 20, 10]
        await pilot.click(ProcessTable, offset=(header_x(table, "gpu"), 0))  # GPU does not sort
        assert table.sort_key == "pid" and pids() == [30, 20, 10]
        await pilot.click(ProcessTable, offset=(header_x(table, "user"), 0))
        assert table.sort_key == "user" and pids() == [10, 20, 30]  # amy, bob, zed
        polls = screen.polls
        await pilot.press("r")
        await wait_until(pilot, lambda: screen.polls > polls)
        assert pids() == [10, 20, 30]  # the chosen sort survives new readings


async def test_nothing_selected_says_so() -> None:
    screen = cpu_only(processes=lambda _: ())
    async with Host(screen).run_test() as pilot:
        await wait_until(pilot, lambda: screen.polls >= 1)
        await pilot.press("k")
        await wait_until(pilot, lambda: any("Select a process" in n.message for n in notes(pilot)))
        assert pilot.app.screen is screen


async def test_in_the_app_the_device_screen_uses_the_apps_job_manager(children: Children) -> None:
    app = HfTuiApp(offline=True, sampler=cpu_only_snapshot, max_running_jobs=0)
    record = app.job_manager().store.create(JobSpec.create("demo-seed"))
    worker = children.spawn(env={JOB_ENV: record.id})
    async with app.run_test(size=(160, 50)) as pilot:
        await pilot.press("3")
        screen = app.screen
        assert isinstance(screen, DeviceScreen)
        table = await select(pilot, screen, worker.pid)
        assert cell(table, worker.pid, "job") == f"{record.id} demo-seed"
        await pilot.press("question_mark")
        await wait_until(pilot, lambda: isinstance(app.screen, HelpScreen))
        help_screen = app.screen
        assert isinstance(help_screen, HelpScreen)
        keys = dict(help_screen.screen_keys)
        assert keys["k"] == keys["delete"] == "Kill process"
        assert (keys["s"], keys["S"]) == ("Sort", "Reverse sort")


async def test_a_process_that_ended_before_the_answer_is_reported(children: Children) -> None:
    child = children.spawn()
    screen = DeviceScreen(interval=0.25, nvml=gpu_users(child.pid))
    async with Host(screen).run_test(size=(160, 50)) as pilot:
        await select(pilot, screen, child.pid)
        await pilot.press("k")
        await wait_until(pilot, lambda: isinstance(pilot.app.screen, ConfirmModal))
        child.kill()  # it ends on its own while the question is open
        child.wait()
        await pilot.press("y")
        await wait_until(
            pilot, lambda: any("has already ended" in (n.title or "") for n in notes(pilot))
        )
        note = next(n for n in notes(pilot) if "has already ended" in (n.title or ""))
        assert note.severity == "error" and note.message == "Nothing to stop."


def test_commands_are_shortened_to_one_line() -> None:
    script = ProcessInfo(1, "python", "/usr/bin/python3 -c \nimport time\ntime.sleep(9)\n")
    assert short_command(script) == "python3 -c import time time.sleep(9)"
    long = ProcessInfo(2, "python", "/opt/venv/bin/python " + "x" * 100)
    assert short_command(long, 20) == "python xxxxxxxxxxxx…" and len(short_command(long, 20)) == 20
    assert short_command(ProcessInfo(3, "kworker/0:1")) == "[kworker/0:1]"
