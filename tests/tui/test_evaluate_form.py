"""The Evaluate form: reached from a model's page or the palette, preview, inline errors, launch."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from runs_fixtures import job_store
from textual.widgets import Button, Input, Select, Static, TextArea

from fakehub import FakeHub, FakeRepo
from helpers import add_local_repo, cpu_only_snapshot, text_of, wait_until
from hf_tui.app import HfTuiApp
from hf_tui.screens.hub.detail import DetailScreen
from hf_tui.screens.runs.evaluate_form import EvaluateFormScreen, command_line
from hf_tui.screens.runs.evaluation_view import EvaluationViewScreen

MODEL_CARD = "---\nlicense: mit\npipeline_tag: text-classification\n---\n# tiny\n"


def make_app() -> HfTuiApp:
    # max_running_jobs=0: Evaluate queues the job; no evaluation process starts in a test.
    return HfTuiApp(offline=True, sampler=cpu_only_snapshot, max_running_jobs=0)


async def open_form(pilot, model: str | None = None) -> EvaluateFormScreen:  # type: ignore[no-untyped-def]
    pilot.app.open_evaluate_form(model)
    await wait_until(pilot, lambda: isinstance(pilot.app.screen, EvaluateFormScreen))
    await pilot.pause()
    return pilot.app.screen


async def open_model_page(pilot, repo_id: str) -> DetailScreen:  # type: ignore[no-untyped-def]
    app = pilot.app
    await wait_until(pilot, lambda: app.backend_choice is not None)
    app.open_detail(repo_id, "model")
    await wait_until(pilot, lambda: bool(app.screen.query("#action-evaluate")))
    button = app.screen.query_one("#action-evaluate", Button)
    await wait_until(pilot, lambda: not button.disabled)
    panel = app.screen.query_one("#memory")
    await wait_until(pilot, lambda: panel.state in ("ready", "error"))
    await pilot.pause()  # the side pane has its final layout
    return app.screen


def command(pilot) -> str:  # type: ignore[no-untyped-def]
    return pilot.app.screen.query_one("#command-preview", TextArea).text


def shown_error(pilot, name: str) -> str:  # type: ignore[no-untyped-def]
    label = pilot.app.screen.query_one(f"#error-{name}", Static)
    return str(label.render()) if label.display else ""


def footer_keys(pilot) -> list[str]:  # type: ignore[no-untyped-def]
    bindings = pilot.app.screen.active_bindings.values()
    return [b.binding.description for b in bindings if b.enabled and b.binding.show]


def shown_rows(pilot) -> set[str]:  # type: ignore[no-untyped-def]
    rows = pilot.app.screen.query(".form-row")
    return {str(row.id).removeprefix("row-") for row in rows if row.display}


async def fill(pilot, task: str | None = None, **values: str) -> None:  # type: ignore[no-untyped-def]
    if task is not None:
        pilot.app.screen.query_one("#field-task", Select).value = task
    for name, value in values.items():
        pilot.app.screen.query_one(f"#field-{name}", Input).value = value
    await pilot.pause()


def test_command_line_quotes_values_and_keeps_model_dataset_task_first() -> None:
    line = command_line(
        "translation",
        {"split": "test", "model": "/data/my model", "dataset": "wmt.csv", "tgt_lang": "de"},
    )
    assert line == (
        "hf-tui run evaluate --model '/data/my model' --dataset wmt.csv --task translation "
        "--split test --target-lang de"
    )
    assert command_line("causal-lm", {"model": "", "text_column": ""}) == (
        "hf-tui run evaluate --task causal-lm"
    )


async def test_model_page_button_and_key_open_the_form_with_the_model(isolated_env: Path) -> None:
    root = isolated_env / "hftui_home" / "hub"
    add_local_repo(root, "team/tiny", MODEL_CARD)
    add_local_repo(root, "team/rows", "---\nlicense: mit\n---\n# rows\n", kind="datasets")
    app = make_app()
    async with app.run_test(size=(150, 50)) as pilot:
        await open_model_page(pilot, "team/tiny")
        await pilot.click("#action-evaluate")
        await wait_until(pilot, lambda: isinstance(app.screen, EvaluateFormScreen))
        await pilot.pause()
        assert app.screen.query_one("#field-model", Input).value == "team/tiny"
        assert app.focused is app.screen.query_one("#field-dataset")  # what is left to give
        assert "--model team/tiny" in command(pilot)
        await pilot.press("escape")
        assert isinstance(app.screen, DetailScreen)
        assert "Evaluate" in footer_keys(pilot)
        await pilot.press("e")  # the key does the same
        await wait_until(pilot, lambda: isinstance(app.screen, EvaluateFormScreen))
        await pilot.press("escape")
        await pilot.press("escape")

        app.open_detail("team/rows", "dataset")
        await wait_until(pilot, lambda: bool(app.screen.query("#action-evaluate")))
        assert "Evaluate" not in footer_keys(pilot)  # a dataset is not evaluated
        await pilot.press("e")
        await pilot.pause()
        assert not isinstance(app.screen, EvaluateFormScreen)


async def test_palette_opens_the_form_prefilled_on_a_model_page(isolated_env: Path) -> None:
    add_local_repo(isolated_env / "hftui_home" / "hub", "team/tiny", MODEL_CARD)
    app = make_app()
    async with app.run_test(size=(150, 50)) as pilot:
        commands = {c.title: c for c in app.get_system_commands(app.screen)}
        commands["Evaluate a model"].callback()
        await wait_until(pilot, lambda: isinstance(app.screen, EvaluateFormScreen))
        await pilot.pause()
        assert app.screen.query_one("#field-model", Input).value == ""
        assert "model is required" in shown_error(pilot, "model")
        await pilot.press("escape")
        await open_model_page(pilot, "team/tiny")
        commands = {c.title: c for c in app.get_system_commands(app.screen)}
        commands["Evaluate a model"].callback()
        await wait_until(pilot, lambda: isinstance(app.screen, EvaluateFormScreen))
        await pilot.pause()
        assert app.screen.query_one("#field-model", Input).value == "team/tiny"


async def test_preview_and_fields_follow_the_task(isolated_env: Path) -> None:
    app = make_app()
    async with app.run_test(size=(150, 50)) as pilot:
        await open_form(pilot, "acme/tiny-bert")
        assert "dataset is required" in shown_error(pilot, "dataset")
        assert "Not valid yet" in text_of(pilot, "#form-error")
        await fill(pilot, dataset="acme/reviews", split="test", label_column="stars")
        assert "Valid" in text_of(pilot, "#form-error") and shown_error(pilot, "dataset") == ""
        assert command(pilot) == (
            "hf-tui run evaluate --model acme/tiny-bert --dataset acme/reviews "
            "--task text-classification --split test --label-column stars --max-samples 500"
        )
        assert "label_column" in shown_rows(pilot)
        assert not {"target_column", "src_lang", "tgt_lang"} & shown_rows(pilot)

        await fill(pilot, task="summarization", target_column="highlights")
        assert "label_column" not in shown_rows(pilot)  # a hidden field is not sent either
        assert command(pilot).endswith(
            "--task summarization --split test --target-column highlights --max-samples 500"
        )

        await fill(pilot, task="translation")
        assert {"target_column", "src_lang", "tgt_lang"} <= shown_rows(pilot)
        assert "needs a target language" in shown_error(pilot, "tgt_lang")
        assert app.screen.query_one("#field-tgt_lang").has_class("bad")
        await fill(pilot, src_lang="en", tgt_lang="de")
        assert shown_error(pilot, "tgt_lang") == ""
        assert "--source-lang en --target-lang de" in command(pilot)

        await fill(pilot, task="causal-lm", max_samples="")
        assert not {"label_column", "target_column", "src_lang", "tgt_lang"} & shown_rows(pilot)
        assert command(pilot) == (
            "hf-tui run evaluate --model acme/tiny-bert --dataset acme/reviews "
            "--task causal-lm --split test"
        )


async def test_invalid_input_shows_inline_and_launches_nothing(isolated_env: Path) -> None:
    store = job_store()
    app = make_app()
    async with app.run_test(size=(150, 50)) as pilot:
        await open_form(pilot)
        await pilot.press("ctrl+s")  # nothing given: the model is the first problem
        assert isinstance(app.screen, EvaluateFormScreen)
        assert app.focused is app.screen.query_one("#field-model")
        assert "(+1 more)" in text_of(pilot, "#form-error")  # the dataset is missing too

        await fill(pilot, model="acme/tiny-bert", dataset="acme/reviews", max_samples="lots")
        assert "max_samples must be a whole number" in shown_error(pilot, "max_samples")
        await fill(pilot, max_samples="0")  # JobSpec's range check, next to its field
        assert "'max_samples' must be an integer from 1" in shown_error(pilot, "max_samples")
        assert app.screen.query_one("#field-max_samples").has_class("bad")
        await fill(pilot, max_samples="20", model="not a repo id!")
        assert "'model' is not a repo id" in shown_error(pilot, "model")
        assert shown_error(pilot, "max_samples") == ""
        await fill(pilot, model="acme/tiny-bert", task="translation", tgt_lang="german language")
        assert "not a language code" in shown_error(pilot, "tgt_lang")

        await pilot.click("#evaluate")
        await pilot.pause()
        assert isinstance(app.screen, EvaluateFormScreen)
        assert app.focused is app.screen.query_one("#field-tgt_lang")
        assert store.list() == []
        await pilot.click("#back")
        assert not isinstance(app.screen, EvaluateFormScreen)


async def test_evaluate_queues_the_job_and_shows_the_evaluate_view(isolated_env: Path) -> None:
    store = job_store()
    add_local_repo(isolated_env / "hftui_home" / "hub", "team/tiny", MODEL_CARD)
    data = isolated_env / "pairs.csv"
    data.write_text("text,target\nhello,hallo\n", encoding="utf-8")
    app = make_app()
    async with app.run_test(size=(150, 50)) as pilot:
        await open_model_page(pilot, "team/tiny")
        await pilot.press("e")
        await wait_until(pilot, lambda: isinstance(app.screen, EvaluateFormScreen))
        await fill(
            pilot,
            task="translation",
            dataset=str(data),
            target_column="target",
            src_lang="en",
            tgt_lang="de",
            max_samples="50",
            batch_size="4",
        )
        await pilot.press("ctrl+s")
        await wait_until(pilot, lambda: isinstance(app.screen, EvaluationViewScreen))
        [record] = store.list()
        assert record.kind == "evaluate" and record.status == "queued"
        assert app.screen.job_id == record.id  # type: ignore[attr-defined]
        assert dict(record.spec.params) == {
            "model": "team/tiny",
            "dataset": str(data),
            "task": "seq2seq",  # translation is seq2seq with languages
            "target_column": "target",
            "src_lang": "en",
            "tgt_lang": "de",
            "max_samples": 50,
            "batch_size": 4,
        }
        await wait_until(pilot, lambda: "queued" in text_of(pilot, "#eval-status"))
        await pilot.press("escape")
        assert isinstance(app.screen, DetailScreen)  # the form was replaced by the view


async def test_a_failed_launch_is_shown_and_the_form_stays(isolated_env: Path) -> None:
    app = make_app()
    async with app.run_test(size=(150, 50)) as pilot:
        await open_form(pilot, "acme/tiny-bert")
        await fill(pilot, dataset="acme/reviews")
        # a file where the jobs folder goes: the job store cannot be made
        (isolated_env / "hftui_home" / "jobs").write_text("not a folder", encoding="utf-8")
        await pilot.click("#evaluate")
        await wait_until(pilot, lambda: "FileExistsError" in text_of(pilot, "#form-error"))
        assert isinstance(app.screen, EvaluateFormScreen)
        assert not app.screen.query_one("#evaluate", Button).disabled  # fix it, try again


@pytest.mark.slow  # starts a fresh Python to see which modules the UI imports
def test_the_form_keeps_the_ui_process_light(tmp_path: Path, fake_hub: FakeHub) -> None:
    """Validating, previewing and launching: no torch, transformers, datasets, evaluate, …"""
    fake_hub.add(FakeRepo("acme/tiny-bert"))  # the checks before launch ask the Hub
    fake_hub.add(FakeRepo("acme/reviews", kind="dataset"))
    script = """
import asyncio, json, sys
from hf_tui.app import HfTuiApp
from hf_tui.screens.runs.evaluation_view import EvaluationViewScreen

async def main():
    app = HfTuiApp(offline=True, max_running_jobs=0)
    async with app.run_test(size=(150, 50)) as pilot:
        app.open_evaluate_form("acme/tiny-bert")
        await pilot.pause()
        app.screen.query_one("#field-dataset").value = "acme/reviews"
        app.screen.query_one("#field-task").value = "causal-lm"
        await pilot.pause()
        await pilot.press("ctrl+s")
        for _ in range(200):
            await pilot.pause(0.05)
            if isinstance(app.screen, EvaluationViewScreen):
                break
        print(json.dumps({"view": isinstance(app.screen, EvaluationViewScreen),
            "heavy": sorted(m for m in sys.modules if m.split(".")[0] in
                            ("torch", "transformers", "datasets", "accelerate", "evaluate",
                             "pandas"))}))

asyncio.run(main())
"""
    env = {**os.environ, "HFTUI_HOME": str(tmp_path / "home")}
    out = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, env=env, timeout=120
    )
    assert out.returncode == 0, out.stderr
    assert json.loads(out.stdout.strip().splitlines()[-1]) == {"view": True, "heavy": []}
