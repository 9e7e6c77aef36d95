"""Resume only what can be resumed: refusals in core and in the Runs screen, a continuation's own
model folder, and one history for a run and its continuation."""

from __future__ import annotations

from pathlib import Path

import pytest
from runs_fixtures import curve_events, job_store, make_run, train_config, write_events

from helpers import cpu_only_snapshot, table_ids, wait_until
from hf_ecosystem.config import load_settings
from hf_ecosystem.jobs.manager import JobManager
from hf_ecosystem.jobs.spec import JobSpec
from hf_ecosystem.jobs.store import JobStore
from hf_ecosystem.training.runs import (
    RunError,
    earlier_events,
    final_model_dir,
    read_history,
    resume_spec,
)
from hf_tui.app import HfTuiApp
from hf_tui.modals.confirm import ConfirmModal


def checkpointed(folder: Path, *steps: int) -> Path:
    """A run folder holding complete checkpoints, as the Trainer leaves them."""
    for step in steps:
        (folder / f"checkpoint-{step}").mkdir(parents=True)
        (folder / f"checkpoint-{step}" / "trainer_state.json").write_text("{}", encoding="utf-8")
    return folder


def continuation(store: JobStore, parent: str, config: dict[str, object]) -> str:
    return store.create(JobSpec.create("train", config=config, resume_from=parent)).id


def test_a_finished_or_continued_run_is_not_resumed(tmp_path: Path) -> None:
    store = job_store()
    manager = JobManager(load_settings())
    done = make_run(store, train_config(output_dir=str(checkpointed(tmp_path / "a", 20))),
                    curve_events([20]), status="succeeded")  # fmt: skip
    with pytest.raises(RunError, match="nothing to resume"):
        resume_spec(manager, done)
    config = train_config(output_dir=str(checkpointed(tmp_path / "b", 20)))
    killed = make_run(store, config, curve_events([10, 20, 30]), status="cancelled")
    spec = resume_spec(manager, killed)  # resumable: a checkpoint, nothing continued it yet
    assert spec.params["resume_from"] == killed
    later = continuation(store, killed, config)
    with pytest.raises(RunError, match=f"continued as {later}"):
        resume_spec(manager, killed)  # never two continuations of one run
    store.finish(later, "cancelled")
    with pytest.raises(RunError) as refused:
        resume_spec(manager, killed)
    assert f"Resume {later} instead" in refused.value.hint
    assert resume_spec(manager, later).params["resume_from"] == later


def test_no_run_writes_into_another_runs_model_folder(tmp_path: Path) -> None:
    assert final_model_dir(tmp_path, "j1", continuation=False) == tmp_path / "model"
    assert final_model_dir(tmp_path, "j2", continuation=True) == tmp_path / "model-j2"
    (tmp_path / "model").mkdir()
    assert final_model_dir(tmp_path, "j3", continuation=False) == tmp_path / "model"  # empty
    (tmp_path / "model" / "config.json").write_text("{}", encoding="utf-8")
    assert final_model_dir(tmp_path, "j4", continuation=False) == tmp_path / "model-j4"


def test_a_continued_run_has_one_history(tmp_path: Path) -> None:
    store = job_store()
    manager = JobManager(load_settings())
    config = train_config(output_dir=str(checkpointed(tmp_path / "run", 20)))
    killed = make_run(store, config, curve_events([10, 20, 30]), status="lost")
    later = continuation(store, killed, config)
    # Queued: it has not said where it took over, so every earlier step counts.
    assert [e.data["step"] for e in earlier_events(manager, store.get(later))][::2] == [10, 20, 30]
    took_over = {"kind": "resumed-from", "path": str(tmp_path / "run" / "checkpoint-20")}
    write_events(store, later, [("artifact", took_over)])
    write_events(store, later, curve_events([30, 40], start_loss=0.3))
    history = read_history(manager, later)
    assert [step for step, _ in history.steps["loss"]] == [10, 20, 30, 40]  # step 30 once
    assert history.steps["loss"][2] == (30, 0.3)  # the continuation's own value for step 30
    assert history.progress == (40.0, 40)


def make_app() -> HfTuiApp:
    return HfTuiApp(offline=True, sampler=cpu_only_snapshot, max_running_jobs=0)


def notes(app: HfTuiApp) -> str:
    return "\n".join(f"{n.title}: {n.message}" for n in app._notifications)  # type: ignore[attr-defined]


async def test_runs_screen_refuses_a_finished_run_and_asks_before_resuming(
    tmp_path: Path,
) -> None:
    store = job_store()
    done = make_run(store, train_config(output_dir=str(checkpointed(tmp_path / "a", 40))),
                    curve_events([20, 40]), status="succeeded")  # fmt: skip
    killed = make_run(store, train_config(output_dir=str(checkpointed(tmp_path / "b", 20))),
                      curve_events([10, 20, 30]), status="cancelled")  # fmt: skip
    app = make_app()
    async with app.run_test(size=(150, 40)) as pilot:
        await pilot.press("5")
        await wait_until(pilot, lambda: table_ids(pilot, "#runs-table") == [killed, done])
        await pilot.press("down", "r")  # the finished run
        await wait_until(pilot, lambda: "nothing to resume" in notes(app))
        assert not isinstance(app.screen, ConfirmModal)
        await pilot.press("up", "r")  # the cancelled run: asked first
        await wait_until(pilot, lambda: isinstance(app.screen, ConfirmModal))
        await pilot.press("n")
        await pilot.pause()
        assert [r.id for r in store.list()] == [killed, done]  # nothing launched
        await pilot.press("r")
        await wait_until(pilot, lambda: isinstance(app.screen, ConfirmModal))
        await pilot.press("y")
        await wait_until(pilot, lambda: len(store.list()) == 3)
        newest = store.list()[0]
        assert newest.spec.params["resume_from"] == killed
        await wait_until(pilot, lambda: f"continues as {newest.id}" in notes(app))
