"""The whole loop in the app, offline, with real jobs: fine-tune → evaluate → publish → find → try.

Every step goes through the screens and their keys; each job is a real detached worker process
running a tiny random-init model on a 60-row CSV.
"""

from __future__ import annotations

import csv
from collections.abc import Callable
from pathlib import Path

import pytest
from models import fixtures
from textual.widgets import Input, TextArea

from helpers import cpu_only_snapshot, table_ids, text_of, wait_until
from hf_ecosystem.jobs.manager import JobManager
from hf_ecosystem.jobs.store import JobRecord
from hf_tui.app import HfTuiApp
from hf_tui.screens.hub.detail import DetailScreen
from hf_tui.screens.hub.try_model import TryScreen
from hf_tui.screens.runs.evaluation_view import EvaluationViewScreen
from hf_tui.screens.runs.new_training import NewTrainingScreen
from hf_tui.screens.runs.publish import PublishScreen
from hf_tui.screens.runs.run_view import RunViewScreen
from hf_tui.screens.runs.runs import RunsScreen
from hf_tui.widgets.confusion_matrix import ConfusionMatrix

tiny_model = fixtures.tiny_model
JOB_TIMEOUT = 120.0  # seconds per job: a worker imports torch and transformers first
WORDS = {
    "negative": ("awful", "dull", "terrible"),
    "neutral": ("okay", "average", "plain"),
    "positive": ("great", "lovely", "superb"),
}


def write_reviews(path: Path, rows: int = 60) -> Path:
    """A small labelled CSV: text + label, three classes in turn."""
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["text", "label"])
        for i in range(rows):
            label = list(WORDS)[i % 3]
            words = WORDS[label]
            writer.writerow([f"the film was {words[i % 3]} and {words[(i + 1) % 3]}", label])
    return path


def status_of(app: HfTuiApp, job_id: str) -> str:
    return app.job_manager().get(job_id).status


async def wait_for_job(pilot, job_id: str) -> JobRecord:  # type: ignore[no-untyped-def]
    """Let the app run until the job has ended; it must have succeeded."""
    manager: JobManager = pilot.app.job_manager()
    await wait_until(pilot, lambda: not manager.get(job_id).is_active, timeout=JOB_TIMEOUT)
    record = manager.get(job_id)
    assert record.status == "succeeded", (record.error, manager.log_path(job_id).read_text())
    return record


@pytest.mark.slow
async def test_fine_tune_evaluate_publish_find_and_try(
    tiny_model: Callable[[str], Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("HFTUI_MAX_JOBS", "1")  # jobs run one at a time
    model = tiny_model("text-classification")
    reviews = write_reviews(tmp_path / "reviews.csv")
    app = HfTuiApp(offline=True, sampler=cpu_only_snapshot)
    try:
        async with app.run_test(size=(160, 50)) as pilot:
            await wait_until(pilot, lambda: app.backend_choice is not None)

            # 1. fine-tune: the form, filled through its inputs, Start
            app.open_new_training(str(model))
            await wait_until(pilot, lambda: bool(app.screen.query("#yaml-preview")))
            assert isinstance(app.screen, NewTrainingScreen)
            for name, value in {
                "dataset": str(reviews),
                "max_steps": "4",
                "batch_size": "8",
            }.items():
                app.screen.query_one(f"#field-{name}", Input).value = value
            await pilot.pause()
            assert "Valid" in text_of(pilot, "#form-error")
            await pilot.press("ctrl+s")
            await wait_until(pilot, lambda: isinstance(app.screen, RunViewScreen))
            run_id = app.screen.job_id  # type: ignore[attr-defined]
            await wait_for_job(pilot, run_id)
            await wait_until(pilot, lambda: "model:" in text_of(pilot, "#run-status"))

            # 2. evaluate: Runs (5), e on the run; the view shows the confusion matrix
            await pilot.press("5")
            await wait_until(pilot, lambda: table_ids(pilot, "#runs-table") == [run_id])
            runs = app.screen
            assert isinstance(runs, RunsScreen)
            await wait_until(pilot, lambda: runs.current() is not None and runs.current().model_dir)  # type: ignore[union-attr]
            runs.query_one("#runs-table").focus()
            await pilot.press("e")
            await wait_until(pilot, lambda: isinstance(app.screen, EvaluationViewScreen))
            evaluation = app.screen
            assert isinstance(evaluation, EvaluationViewScreen)
            evaluated = await wait_for_job(pilot, evaluation.job_id)
            matrix = evaluation.query_one(ConfusionMatrix)
            await wait_until(pilot, lambda: bool(matrix.display))
            assert matrix.labels == list(WORDS) and matrix.row_count == 3
            counts = (evaluated.result or {})["confusion"]["counts"]
            assert sum(map(sum, counts)) == 60  # every row of the CSV was predicted
            assert "accuracy" in table_ids(pilot, "#eval-metrics")

            # 3. publish: p from the Evaluate view, into the local hub, with an edited card
            await pilot.press("p")
            await wait_until(pilot, lambda: isinstance(app.screen, PublishScreen))
            publish = app.screen
            assert isinstance(publish, PublishScreen) and publish.target == run_id
            card = publish.query_one("#publish-card", TextArea)
            await wait_until(pilot, lambda: "Accuracy" in card.text)
            assert publish.local  # the app is offline
            publish.query_one("#field-repo", Input).value = "demo/loop-model"
            await wait_until(pilot, lambda: "# loop-model" in card.text)
            card.load_text(card.text.replace("More information needed", "A pilot-test model.", 2))
            await pilot.press("ctrl+s")
            await wait_until(pilot, lambda: bool(publish.job_id))
            published = await wait_for_job(pilot, str(publish.job_id))
            location = Path(str((published.result or {})["path"]))
            await wait_until(
                pilot, lambda: "Published demo/loop-model" in text_of(pilot, "#publish-outcome")
            )
            assert str(location) in text_of(pilot, "#publish-outcome").replace("\n", "")
            assert "A pilot-test model." in (location / "README.md").read_text(encoding="utf-8")
            assert (location / "model.safetensors").is_file()

            # 4. find it: Models (1) lands on its list (closing the Run view left open there
            # in step 1), / to search, enter to run it and go back to the list, enter to open
            await pilot.press("1")
            await wait_until(pilot, lambda: bool(app.screen.query("#search")))
            assert app.focused is app.screen.query_one("#results")
            await pilot.press("slash", *"loop-model", "enter")
            await wait_until(pilot, lambda: "demo/loop-model" in table_ids(pilot, "#results"))
            assert app.focused is app.screen.query_one("#results")
            await pilot.press("enter")
            await wait_until(
                pilot,
                lambda: isinstance(app.screen, DetailScreen) and app.screen.model_task is not None,
            )
            assert app.screen.repo_id == "demo/loop-model"  # type: ignore[attr-defined]

            # 5. try it: one text through the published model (the warm worker loads it)
            await pilot.press("t")
            await wait_until(pilot, lambda: isinstance(app.screen, TryScreen))
            app.screen.query_one("#field-text", TextArea).text = "the film was superb"
            await pilot.press("ctrl+s")
            await wait_until(
                pilot, lambda: "Done" in text_of(pilot, "#try-status"), timeout=JOB_TIMEOUT
            )
            result = text_of(pilot, "#try-result")
            assert all(label in result for label in WORDS)
    finally:
        manager = app.job_manager()
        for record in manager.list():  # no worker outlives the test
            if record.is_active:
                manager.cancel(record.id, grace=5)
    # Try was answered by the warm model worker, which stays up until cancelled just above.
    assert {r.kind for r in manager.list()} == {"train", "evaluate", "publish", "warm-model"}
    assert all(r.status == "succeeded" for r in manager.list() if r.kind != "warm-model")
