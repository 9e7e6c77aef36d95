"""The Runs screen, the Run view and the Compare view over real job records and event files."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from argparse import Namespace
from collections.abc import Iterator
from pathlib import Path

import pytest
from runs_fixtures import (
    curve_events,
    job_store,
    make_run,
    train_config,
    write_events,
    write_fixed_events,
)
from textual.widgets import DataTable, RichLog

from helpers import cpu_only_snapshot, table_ids, text_of, wait_until
from hf_ecosystem.jobs.manager import JOB_ENV, JobManager
from hf_ecosystem.jobs.spec import JobSpec
from hf_ecosystem.jobs.store import JobStore
from hf_tui.app import HfTuiApp
from hf_tui.commands.evaluate import evaluate_spec
from hf_tui.format import duration
from hf_tui.modals.confirm import ConfirmModal
from hf_tui.screens.runs.evaluation_view import EvaluationViewScreen
from hf_tui.screens.runs.run_compare import RunCompareScreen
from hf_tui.screens.runs.run_view import RunViewScreen
from hf_tui.screens.runs.runs import RunsScreen, headline
from hf_tui.widgets.metric_curves import MetricCurves

ROOT = Path(__file__).resolve().parents[2]
# `run evaluate` options, all left unset
CLI_OPTIONS = ("model", "task", "split", "dataset", "dataset_config", "text_column",
               "label_column", "target_column", "max_samples", "batch_size", "max_length",
               "stride", "confidence", "device", "source_lang", "target_lang")  # fmt: skip


def make_app() -> HfTuiApp:
    # max_running_jobs=0: launched jobs stay queued, so no test starts a real training worker.
    return HfTuiApp(offline=True, sampler=cpu_only_snapshot, max_running_jobs=0)


def cell(app: HfTuiApp, table_id: str, row: str, column: str) -> str:
    return str(app.screen.query_one(table_id, DataTable).get_cell(row, column))


def notes(app: HfTuiApp) -> str:
    return "\n".join(f"{n.title}: {n.message}" for n in app._notifications)  # type: ignore[attr-defined]


async def open_runs(pilot, ids: set[str]) -> RunsScreen:  # type: ignore[no-untyped-def]
    await pilot.press("5")
    await wait_until(pilot, lambda: set(table_ids(pilot, "#runs-table")) == ids)
    screen = pilot.app.screen
    assert isinstance(screen, RunsScreen)
    screen.query_one("#runs-table").focus()
    return screen


async def move_to(pilot, job_id: str) -> None:  # type: ignore[no-untyped-def]
    table = pilot.app.screen.query_one("#runs-table", DataTable)
    table.move_cursor(row=table.get_row_index(job_id))
    await pilot.pause()


@pytest.fixture
def live_worker() -> Iterator[list[subprocess.Popen[bytes]]]:
    """Real processes standing in for workers (their command line names the job id)."""
    processes: list[subprocess.Popen[bytes]] = []
    yield processes
    for process in processes:
        process.kill()
        process.wait(timeout=10)


# Ends on SIGTERM the way the real worker does: it records the cancellation itself.
WORKER = """
import signal, sys, time
from pathlib import Path
from hf_ecosystem.jobs.store import JobStore

def stop(*_):
    JobStore(Path(sys.argv[1])).finish(sys.argv[2], "cancelled", exit_code=143)
    sys.exit(143)

signal.signal(signal.SIGTERM, stop)
print("ready", flush=True)
time.sleep(120)
"""


def start_worker(store: JobStore, job_id: str, processes: list[subprocess.Popen[bytes]]) -> None:
    process = subprocess.Popen(
        [sys.executable, "-c", WORKER, str(store.home), job_id],
        stdout=subprocess.PIPE,
        start_new_session=True,  # cancel signals its process group, never ours
        env={**os.environ, JOB_ENV: job_id},  # as a real worker: cancel signals only the job's
    )
    processes.append(process)
    assert process.stdout is not None and process.stdout.readline() == b"ready\n"
    store.update(job_id, status="running", pid=process.pid, started_at=time.time())


def test_formatting_helpers() -> None:
    assert duration(None) == "—"
    assert duration(42) == "42s"
    assert duration(95) == "1m35s"
    assert duration(3 * 3600 + 120) == "3h02m"
    assert duration(2 * 86400 + 5 * 3600) == "2d05h"  # a job's age on the Jobs screen
    assert headline({"eval_loss": 0.5, "eval_accuracy": 0.91234}) == "accuracy 0.9123"
    assert headline({"eval_bleu": 12.5}) == "bleu 12.5"
    assert headline({"train_loss": 0.3}) == "—"


async def test_runs_table_marks_and_compares(isolated_env: Path) -> None:
    store = job_store()
    fast = make_run(
        store, train_config(learning_rate=1e-4), curve_events([10, 20, 30, 40]),
        status="succeeded", result={"metrics": {"eval_accuracy": 0.91, "eval_loss": 0.2}},
    )  # fmt: skip
    slow = make_run(
        store, train_config(), curve_events([10, 20], start_loss=2.0), status="failed",
        error={"title": "Out of memory", "hint": "Lower the batch size."},
    )  # fmt: skip
    queued = make_run(store, train_config(task="token-classification"))
    app = make_app()
    async with app.run_test(size=(150, 40)) as pilot:
        await open_runs(pilot, {fast, slow, queued})
        assert table_ids(pilot, "#runs-table") == [queued, slow, fast]  # newest first
        assert cell(app, "#runs-table", fast, "metric") == "accuracy 0.91"
        assert cell(app, "#runs-table", fast, "progress") == "100% (40 steps)"
        assert cell(app, "#runs-table", slow, "progress") == "50% (20 steps)"
        assert cell(app, "#runs-table", slow, "metric") == "accuracy 0.6"  # newest eval event
        assert cell(app, "#runs-table", queued, "task") == "token-classification"
        assert cell(app, "#runs-table", queued, "status") == "queued"
        assert "3 runs · 1 active" in text_of(pilot, "#runs-status")

        await move_to(pilot, fast)
        await pilot.press("space")
        await move_to(pilot, slow)
        await pilot.press("space")
        assert cell(app, "#runs-table", fast, "mark") == "●"
        assert "2 marked" in text_of(pilot, "#runs-status")
        await pilot.press("c")
        await wait_until(pilot, lambda: isinstance(app.screen, RunCompareScreen))
        await wait_until(
            pilot, lambda: app.screen.query_one("#compare-table", DataTable).row_count > 0
        )
        table = app.screen.query_one("#compare-table", DataTable)
        columns = [str(c.label) for c in table.ordered_columns]
        assert columns == ["field", slow, fast]  # the runs in list order
        assert [str(v) for v in table.get_row("learning_rate")] == [
            "learning_rate",
            "5e-05",
            "0.0001",
        ]
        assert [str(v) for v in table.get_row("status")] == ["status", "failed", "succeeded"]
        assert [str(v) for v in table.get_row("eval_accuracy")][1:] == ["0.6", "0.91 ★"]
        curves = app.screen.query_one(MetricCurves)
        assert set(curves.series) == {fast, slow}
        assert len(curves.series[fast]) == 4 and curves.series[slow][0] == (10, 2.0)
        await pilot.press("escape")
        assert isinstance(app.screen, RunsScreen)
        # unmarking leaves the selected run to compare alone
        await pilot.press("space")
        assert "1 marked" in text_of(pilot, "#runs-status")


@pytest.mark.slow
async def test_run_view_follows_a_live_run_and_cancel_stops_it(
    isolated_env: Path, live_worker: list[subprocess.Popen[bytes]]
) -> None:
    store = job_store()
    run = make_run(store, train_config(), curve_events([10]))
    start_worker(store, run, live_worker)
    write_events(store, run, [("log", {"level": "info", "message": "tokenizing 2,000 rows"})])
    app = make_app()
    async with app.run_test(size=(150, 45)) as pilot:
        await open_runs(pilot, {run})
        await pilot.press("enter")
        await wait_until(pilot, lambda: bool(app.screen.query("#loss-curves")))
        screen = app.screen
        assert isinstance(screen, RunViewScreen)
        screen.interval = 0.05
        loss = screen.query_one("#loss-curves", MetricCurves)
        await wait_until(pilot, lambda: "train loss" in loss.series)
        assert loss.series == {"train loss": [(10, 1.0)], "eval loss": [(10, 1.1)]}
        assert screen.query_one("#eval-curves", MetricCurves).series == {"accuracy": [(10, 0.5)]}
        assert "step 10 / 40" in text_of(pilot, "#run-status")
        assert "32 samples/s" in text_of(pilot, "#run-status")
        assert "running" in text_of(pilot, "#run-title")
        assert cell(app, "#run-latest", "loss", "value") == "1"
        log = screen.query_one("#run-log", RichLog)
        assert any("tokenizing 2,000 rows" in str(line.text) for line in log.lines)

        # the worker writes more while the view is open
        write_events(
            store,
            run,
            [*curve_events([10, 20])[3:], ("metric", {"step": 20, "gpu_memory_mb": 1234.0})],
        )
        await wait_until(pilot, lambda: len(loss.series.get("train loss", [])) == 2)
        await wait_until(pilot, lambda: "GPU 1,234 MB" in text_of(pilot, "#run-status"))
        assert cell(app, "#run-latest", "loss", "value") == "0.5"
        assert cell(app, "#run-latest", "loss", "step") == "20"
        assert "step 20 / 40" in text_of(pilot, "#run-status")

        await pilot.press("escape")
        assert isinstance(app.screen, RunsScreen)
        await pilot.press("x")
        assert isinstance(app.screen, ConfirmModal)
        await pilot.press("y")
        await wait_until(pilot, lambda: store.get(run).status == "cancelled", timeout=20)
        await wait_until(pilot, lambda: cell(app, "#runs-table", run, "status") == "cancelled")
        assert live_worker[0].wait(timeout=10) == 143  # SIGTERM reached the worker's group
        await pilot.press("x")
        assert not isinstance(app.screen, ConfirmModal)
        assert "already cancelled" in notes(app)


async def test_reload_reads_the_whole_run_again(isolated_env: Path) -> None:
    store = job_store()
    run = make_run(store, events=curve_events([10, 20]), status="succeeded")
    write_events(store, run, [("artifact", {"path": "/runs/x/model", "kind": "model"})])
    app = make_app()
    async with app.run_test(size=(150, 45)) as pilot:
        await wait_until(pilot, lambda: app.backend_choice is not None)
        app.open_run(run)
        await wait_until(pilot, lambda: bool(app.screen.query("#loss-curves")))
        loss = app.screen.query_one("#loss-curves", MetricCurves)
        await wait_until(pilot, lambda: len(loss.series.get("train loss", [])) == 2)
        assert "model: /runs/x/model" in text_of(pilot, "#run-status")
        await pilot.press("ctrl+r")
        await pilot.pause()
        await wait_until(pilot, lambda: len(loss.series.get("train loss", [])) == 2)
        assert loss.series["train loss"] == [(10, 1.0), (20, 0.5)]  # not doubled


async def test_run_view_of_a_missing_job_is_an_error_not_a_crash(isolated_env: Path) -> None:
    app = make_app()
    async with app.run_test(size=(150, 45)) as pilot:
        app.open_run("999999-000000-nothere")
        await wait_until(pilot, lambda: "No job" in text_of(pilot, "#run-status"))
        assert app.is_running


async def test_resume_launches_from_the_checkpoint_or_explains(
    isolated_env: Path, tmp_path: Path
) -> None:
    store = job_store()
    run_dir = tmp_path / "run"
    (run_dir / "checkpoint-20").mkdir(parents=True)
    (run_dir / "checkpoint-20" / "trainer_state.json").write_text("{}")  # a finished save
    resumable = make_run(
        store, train_config(), [("artifact", {"path": str(run_dir), "kind": "run-dir"})],
        status="lost",
    )  # fmt: skip
    hopeless = make_run(store, train_config(output_dir=str(tmp_path / "empty")), status="failed")
    app = make_app()
    async with app.run_test(size=(150, 40)) as pilot:
        await open_runs(pilot, {resumable, hopeless})
        await move_to(pilot, hopeless)
        await pilot.press("r")
        await wait_until(pilot, lambda: "no checkpoint to resume from" in notes(app))
        await move_to(pilot, resumable)
        await pilot.press("r")
        await wait_until(pilot, lambda: isinstance(app.screen, ConfirmModal))  # asked first
        await pilot.press("y")
        await wait_until(pilot, lambda: len(table_ids(pilot, "#runs-table")) == 3)
        new = table_ids(pilot, "#runs-table")[0]
        record = store.get(new)
        assert record.status == "queued"
        assert record.spec.params["resume_from"] == resumable
        assert record.spec.params["config"]["output_dir"] == str(run_dir)
        assert f"continues as {new}" in notes(app)


async def test_evaluate_a_run_opens_the_evaluate_view(isolated_env: Path, tmp_path: Path) -> None:
    store = job_store()
    model_dir = tmp_path / "model"
    model_dir.mkdir()
    config = train_config(text_column="headline", label_column="topic")
    trained = make_run(
        store, config, [("artifact", {"path": str(model_dir), "kind": "model"})],
        status="succeeded",
    )  # fmt: skip
    untrained = make_run(store, train_config(), status="failed")
    app = make_app()
    async with app.run_test(size=(150, 40)) as pilot:
        await open_runs(pilot, {trained, untrained})
        await move_to(pilot, untrained)
        await pilot.press("e")
        assert "has saved no model yet" in notes(app)
        await move_to(pilot, trained)
        await pilot.press("e")
        await wait_until(pilot, lambda: isinstance(app.screen, EvaluationViewScreen))
        screen = app.screen
        assert isinstance(screen, EvaluationViewScreen)
        record = store.get(screen.job_id)
        assert record.kind == "evaluate"
        assert dict(record.spec.params) == {
            "model": str(model_dir), "dataset": "acme/reviews", "task": "text-classification",
            "text_column": "headline", "label_column": "topic", "run": trained,
        }  # fmt: skip
        await wait_until(pilot, lambda: "queued" in text_of(pilot, "#eval-status"))
        assert f"run {trained}" in text_of(pilot, "#eval-status")


async def test_evaluate_from_the_screen_builds_what_the_cli_builds(
    isolated_env: Path, tmp_path: Path
) -> None:
    """The run's evaluation split and the evaluation name of its task, as `run evaluate --run`."""
    store = job_store()
    model_dir = tmp_path / "model"
    model_dir.mkdir()
    # stored before task names were normalised at launch: an alias, kept as written
    config = {**train_config(eval_split="validation"), "task": "summarization",
              "target_column": "summary"}  # fmt: skip
    record = store.create(JobSpec("train", {"config": config}))
    store.finish(record.id, "succeeded", result={"model_dir": str(model_dir)})
    app = make_app()
    async with app.run_test(size=(150, 40)) as pilot:
        await open_runs(pilot, {record.id})
        await pilot.press("e")
        await wait_until(pilot, lambda: isinstance(app.screen, EvaluationViewScreen))
        screen = app.screen
        assert isinstance(screen, EvaluationViewScreen)
        params = dict(store.get(screen.job_id).spec.params)
    assert params == {
        "model": str(model_dir), "dataset": "acme/reviews", "task": "seq2seq",
        "split": "validation", "text_column": "text", "label_column": "label",
        "target_column": "summary", "run": record.id,
    }  # fmt: skip
    cli = evaluate_spec(Namespace(**dict.fromkeys(CLI_OPTIONS), run=record.id), JobManager())
    assert dict(cli.params) == params


async def test_keys_need_a_selected_run(isolated_env: Path) -> None:
    app = make_app()
    async with app.run_test(size=(150, 40)) as pilot:
        await pilot.press("5")
        await wait_until(pilot, lambda: "No training runs yet" in text_of(pilot, "#runs-status"))
        for key in ("r", "space", "c", "x", "e"):
            await pilot.press(key)
        assert isinstance(app.screen, RunsScreen)
        assert "Select a run first" in notes(app)
        await pilot.press("n")
        assert type(app.screen).__name__ == "NewTrainingScreen"


FIXED_ID = "231114-221320-abc123"
FIXED_TIME = 1_700_000_000.0


def test_snapshot_run_view(snap_compare, isolated_env: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setattr("hf_ecosystem.jobs.store.new_job_id", lambda: FIXED_ID)
    monkeypatch.setenv("TZ", "UTC")
    time.tzset()
    store = job_store()
    run = make_run(store, train_config(), status=None)
    events = [
        *curve_events([10, 20, 30, 40]),
        ("metric", {"step": 40, "gpu_memory_mb": 2048.0}),
        ("artifact", {"path": "/runs/demo/model", "kind": "model"}),
        ("log", {"level": "info", "message": "saved the model"}),
    ]
    write_fixed_events(store, run, events, FIXED_TIME)
    store.finish(run, "succeeded", result={"metrics": {"eval_accuracy": 0.8}})

    async def ready(pilot) -> None:  # type: ignore[no-untyped-def]
        await wait_until(pilot, lambda: "logged in · CPU" in pilot.app.sub_title)
        pilot.app.open_run(run)
        await wait_until(pilot, lambda: "succeeded" in text_of(pilot, "#run-title"))
        pilot.app.clear_notifications()  # the empty-local-hub toast is not this screen's
        await pilot.pause()

    try:
        assert snap_compare(make_app(), run_before=ready, terminal_size=(130, 40))
    finally:
        monkeypatch.delenv("TZ")
        time.tzset()


@pytest.mark.slow  # starts a fresh Python to see which modules the UI imports
def test_ui_process_stays_light_on_training_screens(tmp_path: Path) -> None:
    """Visit every training screen in a fresh interpreter, then look at sys.modules."""
    script = """
import asyncio, json, sys
from hf_tui.app import HfTuiApp
from runs_fixtures import job_store, make_run, make_evaluation, curve_events

store = job_store()
run = make_run(store, events=curve_events([10, 20]), status="succeeded")
evaluation = make_evaluation(store, sys.argv[1], result={"metrics": {"accuracy": 1.0},
    "confusion": {"labels": ["a", "b"], "counts": [[1, 0], [0, 1]]}, "errors": []})
visited = set()

async def main():
    app = HfTuiApp(offline=True, max_running_jobs=0)
    async with app.run_test(size=(140, 40)) as pilot:
        await pilot.press("5")
        await pilot.pause(0.5)
        for opened in (lambda: app.open_run(run), lambda: app.screen.action_compare(),
                       lambda: app.open_new_training("x"), lambda: app.open_evaluation(evaluation)):
            opened()
            await pilot.pause(0.5)
            await app.workers.wait_for_complete()
            visited.update(type(s).__name__ for s in app.screen_stack)
            await pilot.press("escape")
            await pilot.pause(0.1)

asyncio.run(main())
print(json.dumps([sorted(visited), sorted(m for m in sys.modules if m.split('.')[0] in HEAVY)]))
""".replace(
        "HEAVY", repr(("torch", "transformers", "datasets", "accelerate", "evaluate", "pandas"))
    )
    model_dir = tmp_path / "model"
    model_dir.mkdir()
    env = {
        **os.environ,
        "HFTUI_HOME": str(tmp_path / "home"),
        "PYTHONPATH": os.pathsep.join(
            [str(ROOT / "tests" / "tui"), os.environ.get("PYTHONPATH", "")]
        ),
    }
    out = subprocess.run(
        [sys.executable, "-c", script, str(model_dir)],
        capture_output=True, text=True, env=env, timeout=120,
    )  # fmt: skip
    assert out.returncode == 0, out.stderr
    visited, heavy = json.loads(out.stdout.strip().splitlines()[-1])
    assert {"RunsScreen", "RunViewScreen", "RunCompareScreen", "NewTrainingScreen",
            "EvaluationViewScreen"} <= set(visited)  # fmt: skip
    assert heavy == []
