"""The Publish screen over a real tiny model folder and real job records: plan, card, launch."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
from models import fixtures
from runs_fixtures import job_store, make_evaluation, make_run, train_config
from textual.widgets import Button, Checkbox, DataTable, Input, RichLog, TextArea

from helpers import cpu_only_snapshot, table_ids, text_of, wait_until
from hf_ecosystem.config import load_settings
from hf_ecosystem.publishing.staging import default_repo_id
from hf_tui.app import HfTuiApp
from hf_tui.modals.confirm import ConfirmModal
from hf_tui.screens.runs.evaluation_view import EvaluationViewScreen
from hf_tui.screens.runs.publish import PublishScreen
from hf_tui.screens.runs.run_view import RunViewScreen

tiny_model = fixtures.tiny_model
METRICS = {"eval_accuracy": 0.875, "eval_loss": 0.42, "eval_runtime": 1.5}


def make_app() -> HfTuiApp:
    # max_running_jobs=0: Publish queues the job; no publish worker starts in these tests.
    return HfTuiApp(offline=True, sampler=cpu_only_snapshot, max_running_jobs=0)


def notes(app: HfTuiApp) -> str:
    return "\n".join(f"{n.title}: {n.message}" for n in app._notifications)  # type: ignore[attr-defined]


@pytest.fixture
def model_dir(tiny_model: Callable[[str], Path], tmp_path: Path) -> Path:
    """A copy of the tiny classifier, as a run leaves it (with a checkpoint to skip)."""
    folder = tmp_path / "run" / "model"
    shutil.copytree(tiny_model("text-classification"), folder)
    (folder / "checkpoint-2").mkdir()
    (folder / "checkpoint-2" / "optimizer.pt").write_bytes(b"\0" * 64)
    return folder


def finished_run(model_dir: Path, base: Path) -> str:
    """A succeeded train job whose model artifact is `model_dir`."""
    return make_run(
        job_store(),
        train_config(model=str(base), dataset="acme/reviews"),
        [
            ("artifact", {"path": str(model_dir), "kind": "model"}),
            ("metric", {"step": 4, **METRICS}),
        ],
        status="succeeded",
        result={"metrics": METRICS, "model_dir": str(model_dir)},
    )


async def open_publish(pilot, target: str) -> PublishScreen:  # type: ignore[no-untyped-def]
    pilot.app.open_publish(target)
    await wait_until(
        pilot,
        lambda: (
            isinstance(pilot.app.screen, PublishScreen)
            and bool(pilot.app.screen.query("#publish-refusal"))
        ),
    )
    screen = pilot.app.screen
    assert isinstance(screen, PublishScreen)
    return screen


def card_text(pilot) -> str:  # type: ignore[no-untyped-def]
    return pilot.app.screen.query_one("#publish-card", TextArea).text


def test_default_repo_id_is_valid() -> None:
    assert default_repo_id(None, "/x/runs/tiny-bert") == "local/tiny-bert-finetuned"
    assert default_repo_id("ada", "acme/My Model (v2)") == "ada/My-Model-v2-finetuned"
    assert default_repo_id(None, "weird--name..") == "local/weird-name-finetuned"
    assert default_repo_id(None, "///") == "local/model-finetuned"


async def test_plan_card_edit_and_launch(
    model_dir: Path, tiny_model: Callable[[str], Path]
) -> None:
    base = tiny_model("text-classification")
    run_id = finished_run(model_dir, base)
    app = make_app()
    async with app.run_test(size=(160, 50)) as pilot:
        await pilot.press("5")
        await wait_until(pilot, lambda: table_ids(pilot, "#runs-table") == [run_id])
        app.screen.query_one("#runs-table").focus()
        await pilot.press("p")
        await wait_until(pilot, lambda: isinstance(app.screen, PublishScreen))
        screen = app.screen
        assert isinstance(screen, PublishScreen) and screen.target == run_id
        await wait_until(pilot, lambda: "Accuracy" in card_text(pilot))

        files = table_ids(pilot, "#publish-files")
        assert {"config.json", "model.safetensors", "tokenizer.json", "README.md"} <= set(files)
        assert not any(f.startswith("checkpoint-2") for f in files)
        total = sum((model_dir / f).stat().st_size for f in files)
        assert total > 100_000
        summary = text_of(pilot, "#publish-summary")
        assert summary.startswith(f"{len(files)} files, ") and "MiB in all" in summary
        assert "skipped checkpoint-2/ (training checkpoint)" in text_of(pilot, "#publish-notes")
        assert not screen.query_one("#publish-refusal").display
        # the card: base model, metrics, the license inherited from the base model's card
        card = card_text(pilot)
        assert f"fine-tuned version of the local model `{base}`" in card
        assert "- Accuracy: 0.8750" in card and "license: apache-2.0" in card
        assert "# text-classification-finetuned" in card  # from the default repo id
        assert "license apache-2.0" in text_of(pilot, "#card-status")
        assert screen.query_one("#field-repo", Input).value == "local/text-classification-finetuned"
        assert screen.query_one("#field-local", Checkbox).value  # offline: the local hub
        assert screen.query_one("#field-private", Checkbox).disabled
        assert not screen.query_one("#publish", Button).disabled

        # a new repo id regenerates the (unedited) card once typing pauses
        screen.query_one("#field-repo", Input).value = "me/tiny-clf"
        await wait_until(pilot, lambda: "# tiny-clf" in card_text(pilot))
        edited = card_text(pilot).replace(
            "## Intended uses & limitations\n\n", "## Intended uses & limitations\n\nTests only.\n"
        )
        screen.query_one("#publish-card", TextArea).load_text(edited)
        screen.query_one("#field-tag", Input).value = "v1"
        screen.query_one("#field-message", Input).value = "first version"
        await pilot.pause()
        assert card_text(pilot) == edited  # the edit survives: no regeneration over it
        await pilot.press("ctrl+s")
        await wait_until(pilot, lambda: screen.job_id not in (None, ""))

        record = job_store().get(str(screen.job_id))
        assert record.kind == "publish" and record.status == "queued"
        params = dict(record.spec.params)
        card_path = Path(params.pop("card"))
        assert params == {
            "source": str(model_dir.resolve()),
            "repo_id": "me/tiny-clf",
            "local": True,
            "tag": "v1",
            "commit_message": "first version",
            "run": run_id,
        }
        assert card_path.parent.parent == load_settings().home / "publish"
        assert card_path.name == "README.md" and card_path.read_text(encoding="utf-8") == edited
        await wait_until(pilot, lambda: "queued" in text_of(pilot, "#publish-outcome"))
        assert screen.query_one("#publish", Button).disabled  # one publish at a time
        await pilot.press("ctrl+s")
        assert "already running" in notes(app)
        assert len(job_store().list()) == 2  # the run and one publish job


async def test_secret_file_refuses_and_disables_publish(model_dir: Path) -> None:
    (model_dir / ".env").write_text("HF_TOKEN=not-a-real-one\n", encoding="utf-8")
    app = make_app()
    async with app.run_test(size=(160, 50)) as pilot:
        screen = await open_publish(pilot, str(model_dir))
        await wait_until(pilot, lambda: bool(screen.query_one("#publish-refusal").display))
        refusal = text_of(pilot, "#publish-refusal")
        assert "Refusing to publish secrets" in refusal
        assert ".env: its name looks like a secret file" in refusal
        assert "Nothing can be published" in text_of(pilot, "#publish-summary")
        assert not screen.query_one("#publish-files").display
        assert screen.query_one("#publish", Button).disabled
        await pilot.press("ctrl+s")
        assert "nothing to publish" in notes(app)
        # once the secret is gone, a reload plans the folder
        (model_dir / ".env").unlink()
        await pilot.press("ctrl+r")
        await wait_until(pilot, lambda: not screen.query_one("#publish-refusal").display)
        await wait_until(pilot, lambda: not screen.query_one("#publish", Button).disabled)
        # a folder of its own (no run): its own README.md is the card, the name from the folder
        await wait_until(pilot, lambda: "tiny-random" in card_text(pilot))
        assert screen.query_one("#field-repo", Input).value == "local/model-finetuned"
    assert job_store().list() == []


async def test_invalid_repo_id_and_bad_cards_launch_nothing(model_dir: Path) -> None:
    app = make_app()
    async with app.run_test(size=(160, 50)) as pilot:
        screen = await open_publish(pilot, str(model_dir))
        await wait_until(pilot, lambda: "tiny-random" in card_text(pilot))
        repo = screen.query_one("#field-repo", Input)
        repo.value = "not a repo!"
        await pilot.pause()
        error = screen.query_one("#error-repo")
        assert error.display and "Invalid repo id" in text_of(pilot, "#error-repo")
        assert repo.has_class("bad")
        screen.query_one("#publish-card", TextArea).focus()
        await pilot.press("ctrl+s")
        assert app.focused is repo
        repo.value = "me/ok"
        await pilot.pause()
        assert not error.display and not repo.has_class("bad")

        area = screen.query_one("#publish-card", TextArea)
        area.load_text("---\nlicense: [mit\n---\n# broken\n")
        await pilot.press("ctrl+s")
        await wait_until(pilot, lambda: "Malformed card" in notes(app))
        await wait_until(pilot, lambda: not screen.query_one("#publish", Button).disabled)
        area.load_text("---\nlicense: mit\n---\n# ok\n\ntoken: hf_" + "a" * 34 + "\n")
        await pilot.press("ctrl+s")
        await wait_until(pilot, lambda: "Refusing to publish secrets" in notes(app))
        assert not list((load_settings().home / "publish").rglob("README.md"))
        # a run without a model, or no such job: said in the panel, nothing to publish
        await pilot.press("escape")
        unfinished = make_run(job_store(), train_config())
        for target, said in (
            (unfinished, "has no final model folder"),
            ("nosuchjob", "neither a folder nor a training run"),
        ):
            failed = await open_publish(pilot, target)
            panel = failed.query_one("#publish-refusal")
            await wait_until(pilot, lambda panel=panel: bool(panel.display))
            assert said in text_of(pilot, "#publish-refusal").lower()
            assert failed.query_one("#publish", Button).disabled
            await pilot.press("escape")
    assert [r.kind for r in job_store().list()] == ["train"]


@pytest.mark.slow
async def test_publish_job_runs_and_its_outcome_shows(model_dir: Path) -> None:
    """A real publish worker (no torch in it): progress, location, versions; a taken tag fails."""
    (model_dir / "extra.bin").write_bytes(b"\0" * 16)
    app = HfTuiApp(offline=True, sampler=cpu_only_snapshot, max_running_jobs=1)
    async with app.run_test(size=(160, 50)) as pilot:
        await wait_until(pilot, lambda: app.backend_choice is not None)
        screen = await open_publish(pilot, str(model_dir))
        await wait_until(pilot, lambda: "tiny-random" in card_text(pilot))
        assert "warning: Pickle weights" in text_of(pilot, "#publish-notes")
        local = screen.query_one("#field-local", Checkbox)
        private = screen.query_one("#field-private", Checkbox)
        local.value = False
        await pilot.pause()
        assert not private.disabled  # private applies to the Hub only
        local.value = True
        await pilot.pause()
        assert private.disabled

        # an edited card survives typing; ctrl+g asks before replacing the edits
        screen.query_one("#publish-card", TextArea).load_text("---\nlicense: mit\n---\n# mine\n")
        await pilot.press("ctrl+g")
        await wait_until(pilot, lambda: isinstance(app.screen, ConfirmModal))
        await pilot.press("n")
        assert card_text(pilot).endswith("# mine\n")
        screen.query_one("#field-repo", Input).value = "me/outcome"
        screen.query_one("#field-tag", Input).value = "v1"
        await pilot.pause()
        assert card_text(pilot).endswith("# mine\n")
        assert "regenerate" not in screen._timers_by_name  # nothing will regenerate over an edit
        await pilot.press("ctrl+s")
        await wait_until(
            pilot, lambda: "Published me/outcome" in text_of(pilot, "#publish-outcome"), 60
        )
        outcome = text_of(pilot, "#publish-outcome")
        folder = load_settings().home / "hub" / "models" / "me" / "outcome"
        assert str(folder) in outcome.replace("\n", "")
        assert "versions: v1" in outcome and "search 'outcome'" in outcome
        assert (folder / "README.md").read_text(encoding="utf-8").endswith("# mine\n")
        assert app.backend_choice is not None  # the index was refreshed for the search screen
        assert app.backend_choice.backend.model_info("me/outcome").summary.id == "me/outcome"
        assert "card: file" in str(screen.query_one("#publish-log", RichLog).lines)

        await wait_until(pilot, lambda: not screen.query_one("#publish", Button).disabled)
        await pilot.press("ctrl+s")  # the same tag again: the job fails, and says why
        await wait_until(pilot, lambda: "failed" in text_of(pilot, "#publish-outcome"), 60)
        assert "Version 'v1' already exists: Pick another tag." in text_of(
            pilot, "#publish-outcome"
        )
        await pilot.press("ctrl+g")
        await wait_until(pilot, lambda: isinstance(app.screen, ConfirmModal))
        await pilot.press("y")
        await wait_until(pilot, lambda: "tiny-random" in card_text(pilot))
    assert not any(r.is_active for r in job_store().list())


async def test_publish_from_run_and_evaluate_views(
    model_dir: Path, tiny_model: Callable[[str], Path]
) -> None:
    store = job_store()
    run_id = finished_run(model_dir, tiny_model("text-classification"))
    unfinished = make_run(store, train_config())
    evaluation = make_evaluation(store, model_dir, result={"metrics": METRICS}, run=run_id)
    app = make_app()
    async with app.run_test(size=(160, 50)) as pilot:
        app.open_run(unfinished)
        await wait_until(pilot, lambda: isinstance(app.screen, RunViewScreen))
        await pilot.pause()
        await pilot.press("p")
        assert "saved no model yet" in notes(app)
        await pilot.press("escape")
        app.open_run(run_id)
        await wait_until(pilot, lambda: "model:" in text_of(pilot, "#run-status"))
        await pilot.press("p")
        await wait_until(pilot, lambda: isinstance(app.screen, PublishScreen))
        assert app.screen.target == run_id  # type: ignore[attr-defined]
        await pilot.press("escape", "escape")
        app.open_evaluation(evaluation)
        await wait_until(pilot, lambda: isinstance(app.screen, EvaluationViewScreen))
        await wait_until(pilot, lambda: app.screen.record is not None)  # type: ignore[attr-defined]
        await pilot.press("p")
        await wait_until(pilot, lambda: isinstance(app.screen, PublishScreen))
        assert app.screen.target == run_id  # type: ignore[attr-defined]
        await wait_until(pilot, lambda: "Accuracy" in card_text(pilot))
        commands = [c.title for c in app.get_system_commands(app.screen)]
        assert "Publish" in commands
        await pilot.press("escape")
        await pilot.press("5")
        await wait_until(
            pilot, lambda: set(table_ids(pilot, "#runs-table")) == {run_id, unfinished}
        )
        table = app.screen.query_one("#runs-table", DataTable)
        table.focus()
        table.move_cursor(row=table.get_row_index(unfinished))
        await pilot.press("p")
        assert "publish it once it has finished" in notes(app)


@pytest.mark.slow  # starts a fresh Python to see which modules the UI imports
def test_publish_screen_keeps_the_ui_process_light(model_dir: Path, tmp_path: Path) -> None:
    """Planning and card generation run in the UI process: no torch, transformers, …"""
    script = f"""
import asyncio, json, sys
from hf_tui.app import HfTuiApp
from hf_tui.modals.confirm import ConfirmModal

async def main():
    app = HfTuiApp(offline=True)
    async with app.run_test(size=(160, 50)) as pilot:
        app.open_publish({str(model_dir)!r})
        for _ in range(200):
            await pilot.pause(0.05)
            if app.screen.query_one("#publish-card").text:
                break
        print(json.dumps({{"card": bool(app.screen.query_one("#publish-card").text),
            "heavy": sorted(m for m in sys.modules if m.split(".")[0] in
                            ("torch", "transformers", "datasets", "accelerate", "evaluate",
                             "pandas"))}}))

asyncio.run(main())
"""
    env = {**os.environ, "HFTUI_HOME": str(tmp_path / "home")}
    out = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, env=env, timeout=120
    )
    assert out.returncode == 0, out.stderr
    assert json.loads(out.stdout.strip().splitlines()[-1]) == {"card": True, "heavy": []}
