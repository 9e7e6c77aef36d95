"""Show code (ctrl+o): on each screen, the modal shows the Python built from the values on it,
switches variants and copies the one shown."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from textual.widgets import Input, Select, Static, TextArea

from helpers import cpu_only_snapshot, wait_until
from hf_ecosystem.snippets import Snippet, TryCode
from hf_tui.app import HfTuiApp
from hf_tui.modals.show_code import ShowCodeModal
from hf_tui.screens.hub.dataset_detail import DatasetDetailScreen
from hf_tui.screens.hub.model_detail import ModelDetailScreen
from hf_tui.screens.hub.models import ModelsScreen
from hf_tui.screens.hub.try_model import TryScreen
from hf_tui.screens.runs.evaluate_form import EvaluateFormScreen
from hf_tui.screens.runs.new_training import NewTrainingScreen
from hf_tui.screens.runs.publish import PublishScreen

BERT = {"model_type": "bert", "architectures": ["BertForSequenceClassification"],
        "hidden_size": 32, "num_hidden_layers": 2, "num_attention_heads": 2,
        "intermediate_size": 64, "vocab_size": 1000, "max_position_embeddings": 64,
        "id2label": {"0": "neg", "1": "pos"}}  # fmt: skip
HOSTILE = "it's \"x\"\n'); import os #"


def _hub(root: Path) -> Path:
    """A local hub with one tiny model (config only) and one CSV dataset."""
    hub = root / "hftui_home" / "hub"
    model = hub / "models" / "me" / "tiny"
    model.mkdir(parents=True)
    (model / "config.json").write_text(json.dumps(BERT))
    (model / "README.md").write_text("---\nlicense: mit\npipeline_tag: text-classification\n---\n")
    data = hub / "datasets" / "me" / "words" / "data"
    data.mkdir(parents=True)
    (data / "train.csv").write_text("text,label\nhello,1\nbye,0\n")
    return hub


def make_app() -> HfTuiApp:
    return HfTuiApp(offline=True, sampler=cpu_only_snapshot, max_running_jobs=0)


def notes(app: HfTuiApp) -> str:
    return "\n".join(f"{n.title}: {n.message}" for n in app._notifications)  # type: ignore[attr-defined]


async def show_code(pilot: Any) -> ShowCodeModal:
    await pilot.press("ctrl+o")
    await wait_until(pilot, lambda: isinstance(pilot.app.screen, ShowCodeModal))
    modal = pilot.app.screen
    assert isinstance(modal, ShowCodeModal)
    return modal


async def test_search_code_uses_the_query_and_copies_each_variant(isolated_env: Path) -> None:
    _hub(isolated_env)
    app = make_app()
    async with app.run_test(size=(140, 45)) as pilot:
        await wait_until(pilot, lambda: app.backend_choice is not None)
        assert isinstance(app.screen, ModelsScreen)
        app.screen.query_one("#search", Input).value = HOSTILE
        modal = await show_code(pilot)
        assert f"search_models({HOSTILE!r}," in modal.codes["ecosystem"]
        assert f"search={HOSTILE!r}" in modal.codes["plain"]
        await pilot.press("c")
        assert app.clipboard == modal.codes["ecosystem"] == modal.copied
        await pilot.press("v")
        await pilot.press("c")
        assert app.clipboard == modal.codes["plain"]
        assert "Copied the plain libraries code" in notes(app)
        await pilot.press("escape")
        assert isinstance(app.screen, ModelsScreen)


async def test_model_page_code_holds_the_model_and_its_memory_scenario(isolated_env: Path) -> None:
    _hub(isolated_env)
    app = make_app()
    async with app.run_test(size=(140, 45)) as pilot:
        await wait_until(pilot, lambda: app.backend_choice is not None)
        app.open_detail("me/tiny", "model")
        await wait_until(
            pilot,
            lambda: (
                isinstance(app.screen, ModelDetailScreen) and app.screen.memory_estimate is not None
            ),
        )
        modal = await show_code(pilot)
        code = modal.codes["ecosystem"]
        assert "# Model me/tiny\n" in code and "# Memory of me/tiny\n" in code
        assert "create_pipeline('text-classification', 'me/tiny')" in code
        assert "estimate_for_repo(" in code and "train='full'" in code
        assert "AutoModel.from_pretrained('me/tiny')" in modal.codes["plain"]


async def test_dataset_code_follows_the_split_picked(isolated_env: Path) -> None:
    _hub(isolated_env)
    app = make_app()
    async with app.run_test(size=(140, 45)) as pilot:
        await wait_until(pilot, lambda: app.backend_choice is not None)
        app.open_detail("me/words", "dataset")
        await wait_until(pilot, lambda: isinstance(app.screen, DatasetDetailScreen))
        screen = app.screen
        await wait_until(
            pilot,
            lambda: any(s.value == "train" for s in screen.query("#split-select").results(Select)),
        )
        modal = await show_code(pilot)
        code = modal.codes["ecosystem"]
        assert "preview('me/words', split='train', config='default', rows=100)" in code
        assert "compute_stats('me/words', split='train', config='default')" in code
        assert (
            "load_dataset('me/words', 'default', split='train', streaming=True)"
            in (modal.codes["plain"])
        )


async def test_try_code_runs_the_input_in_the_form(isolated_env: Path) -> None:
    app = make_app()
    async with app.run_test(size=(140, 45)) as pilot:
        await app.push_screen(TryScreen("me/tiny", "text-classification"))
        await pilot.pause()
        app.screen.query_one("#field-text", TextArea).text = HOSTILE
        modal = await show_code(pilot)
        assert f"print(model({HOSTILE!r}))" in modal.codes["ecosystem"]
        assert f"print(model({HOSTILE!r}))" in modal.codes["plain"]
        screen = app.screen_stack[-2]
        assert isinstance(screen, TryScreen)
        assert screen.code_requests() == [TryCode("me/tiny", "text-classification", HOSTILE)]


async def test_training_code_needs_a_valid_form(isolated_env: Path) -> None:
    app = make_app()
    async with app.run_test(size=(160, 50)) as pilot:
        app.open_new_training("me/tiny")
        await wait_until(pilot, lambda: isinstance(app.screen, NewTrainingScreen))
        await pilot.pause()
        app.screen.query_one("#field-dataset", Input).value = ""
        await pilot.press("ctrl+o")
        assert isinstance(app.screen, NewTrainingScreen)  # no modal: the form says what to fix
        assert "Fix the form first" in notes(app)
        app.screen.query_one("#field-dataset", Input).value = "me/words"
        await pilot.pause()
        modal = await show_code(pilot)
        assert "'model': 'me/tiny'" in modal.codes["ecosystem"]
        assert "'dataset': 'me/words'" in modal.codes["ecosystem"]
        assert "load_dataset('me/words')" in modal.codes["plain"]


async def test_evaluate_code_launches_the_forms_evaluation(isolated_env: Path) -> None:
    app = make_app()
    async with app.run_test(size=(160, 50)) as pilot:
        app.open_evaluate_form("me/tiny")
        await wait_until(pilot, lambda: isinstance(app.screen, EvaluateFormScreen))
        await pilot.pause()
        app.screen.query_one("#field-dataset", Input).value = "me/words"
        await pilot.pause()
        modal = await show_code(pilot)
        assert "JobSpec.create('evaluate'" in modal.codes["ecosystem"]
        assert "'dataset': 'me/words'" in modal.codes["ecosystem"]
        assert "pipeline('text-classification', model='me/tiny')" in modal.codes["plain"]


async def test_publish_code_names_the_folder_and_repo(isolated_env: Path) -> None:
    folder = isolated_env / "model"
    folder.mkdir()
    (folder / "config.json").write_text(json.dumps(BERT))
    app = make_app()
    async with app.run_test(size=(160, 50)) as pilot:
        app.open_publish(str(folder))
        await wait_until(
            pilot,
            lambda: isinstance(app.screen, PublishScreen) and app.screen.source is not None,
        )
        app.screen.query_one("#field-repo", Input).value = "me/published"
        modal = await show_code(pilot)
        assert f"'source': {str(folder)!r}" in modal.codes["ecosystem"]
        assert "'repo_id': 'me/published'" in modal.codes["ecosystem"]
        assert f"folder_path={str(folder)!r}" in modal.codes["plain"]


async def test_a_missing_variant_says_why_and_copies_nothing(isolated_env: Path) -> None:
    app = make_app()
    async with app.run_test(size=(140, 45)) as pilot:
        snippet = Snippet("Fine-tune x", "a = 1\n", "", "Only text classification here.")
        await app.push_screen(ShowCodeModal([snippet]))
        await pilot.pause()
        modal = app.screen
        assert isinstance(modal, ShowCodeModal)
        assert "Only text classification" in str(modal.query_one(".code-note", Static).render())
        await pilot.press("v")
        assert modal.variant == "plain"
        await pilot.press("c")
        assert modal.copied is None and "no plain libraries code" in notes(app)
        await pilot.click("#code-copy")  # the button copies too (the variant shown)
        await pilot.press("v", "c")
        assert modal.copied == "a = 1\n" == app.clipboard
