"""The Publish screen calls core's answers to bugs users found: a run's folder publishes the run's
model, a non-commercial training dataset is a warning on the plan, and the visibility is sent
only when the user chose one."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path

from models import fixtures
from runs_fixtures import job_store, make_run, train_config
from textual.widgets import Checkbox, Input, Static

from helpers import cpu_only_snapshot, table_ids, text_of, wait_until
from hf_ecosystem.config import load_settings
from hf_tui.app import HfTuiApp
from hf_tui.screens.runs.publish import PublishScreen

tiny_model = fixtures.tiny_model


def _run_with_nc_dataset(run_dir: Path, base: Path) -> str:
    data = load_settings().home / "hub" / "datasets" / "acme" / "news-nc"
    data.mkdir(parents=True)
    (data / "README.md").write_text("---\nlicense: cc-by-nc-4.0\n---\n# news\n")
    (data / "train.csv").write_text("text,label\nhi,0\n")
    return make_run(
        job_store(),
        train_config(model=str(base), dataset="acme/news-nc"),
        [
            ("artifact", {"path": str(run_dir), "kind": "run-dir"}),
            ("artifact", {"path": str(run_dir / "model"), "kind": "model"}),
        ],
        status="succeeded",
        result={"metrics": {"eval_accuracy": 0.5}, "model_dir": str(run_dir / "model")},
    )


async def test_a_run_folder_publishes_its_model_with_the_dataset_license_warning(
    tiny_model: Callable[[str], Path], tmp_path: Path
) -> None:
    base = tiny_model("text-classification")
    run_dir = tmp_path / "runs" / "r1"
    shutil.copytree(base, run_dir / "model")
    (run_dir / "evaluation").mkdir()
    (run_dir / "evaluation" / "evaluation.json").write_text("{}")
    run_id = _run_with_nc_dataset(run_dir, base)
    app = HfTuiApp(offline=True, sampler=cpu_only_snapshot, max_running_jobs=0)
    async with app.run_test(size=(160, 50)) as pilot:
        app.open_publish(str(run_dir))
        await wait_until(pilot, lambda: isinstance(app.screen, PublishScreen))
        screen = app.screen
        assert isinstance(screen, PublishScreen)
        await wait_until(pilot, lambda: screen.plan is not None)
        assert screen.run is not None and screen.run.record.id == run_id
        assert screen.source == run_dir / "model"
        files = table_ids(pilot, "#publish-files")
        assert "config.json" in files and not any(f.startswith("model/") for f in files)
        await wait_until(pilot, lambda: "non-commercial" in text_of(pilot, "#publish-notes"))
        notes = text_of(pilot, "#publish-notes").replace("\n", " ")
        assert "The training dataset acme/news-nc is licensed cc-by-nc-4.0" in notes
        assert f"run {run_id}" in str(screen.query_one("#publish-title", Static).render())

        # Visibility: sent only once chosen, and never for the local hub.
        screen.query_one("#field-repo", Input).value = "me/vis"
        await pilot.pause()
        assert screen._private() is None
        screen.query_one("#field-local", Checkbox).value = False
        await pilot.pause()
        assert screen._private() is None  # untouched: a new repo private, an existing kept
        screen.query_one("#field-private", Checkbox).value = False
        await pilot.pause()
        assert screen._private() is False
        await pilot.press("ctrl+s")
        await wait_until(pilot, lambda: screen.job_id not in (None, ""))
        params = job_store().get(str(screen.job_id)).spec.params
        assert params["private"] is False and params["local"] is False
        assert params["source"] == str(run_dir / "model") and params["run"] == run_id
