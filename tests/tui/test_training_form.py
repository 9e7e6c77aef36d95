"""The New-training form: presets, live YAML preview, inline errors, Start; reached three ways."""

from __future__ import annotations

from pathlib import Path

import pytest
from runs_fixtures import job_store
from textual.widgets import Button, Checkbox, Input, Select, Static, TextArea

from fakehub import FakeHub, FakeRepo
from helpers import add_local_repo, cpu_only_snapshot, text_of, wait_until
from hf_ecosystem.config import load_settings
from hf_ecosystem.training.spec import TrainSpec, TrainSpecError
from hf_tui.app import HfTuiApp
from hf_tui.screens.hub.detail import DetailScreen
from hf_tui.screens.runs.new_training import NewTrainingScreen, field_of
from hf_tui.screens.runs.run_view import RunViewScreen


def make_app() -> HfTuiApp:
    # max_running_jobs=0: Start queues the run; no training worker starts in a test.
    return HfTuiApp(offline=True, sampler=cpu_only_snapshot, max_running_jobs=0)


async def open_form(pilot, model: str = "") -> NewTrainingScreen:  # type: ignore[no-untyped-def]
    pilot.app.open_new_training(model)
    await wait_until(pilot, lambda: bool(pilot.app.screen.query("#yaml-preview")))
    await pilot.pause()
    screen = pilot.app.screen
    assert isinstance(screen, NewTrainingScreen)
    return screen


def preview(pilot) -> str:  # type: ignore[no-untyped-def]
    return pilot.app.screen.query_one("#yaml-preview", TextArea).text


def shown_error(pilot, name: str) -> str:  # type: ignore[no-untyped-def]
    label = pilot.app.screen.query_one(f"#error-{name}", Static)
    return str(label.render()) if label.display else ""


async def fill(pilot, **values: str) -> None:  # type: ignore[no-untyped-def]
    for name, value in values.items():
        pilot.app.screen.query_one(f"#field-{name}", Input).value = value
    await pilot.pause()


def test_field_of_names_the_form_field() -> None:
    assert (
        field_of(TrainSpecError("Invalid training config: 'batch_size': too small")) == "batch_size"
    )
    assert field_of(TrainSpecError("Invalid training config: 'lora.r': too big")) == "lora"
    assert (
        field_of(TrainSpecError("Invalid training config: give either 'epochs' or …")) == "epochs"
    )
    assert field_of(TrainSpecError("Invalid training config: expected a mapping")) is None


async def test_preview_follows_inputs_and_presets(isolated_env: Path) -> None:
    app = make_app()
    async with app.run_test(size=(150, 50)) as pilot:
        await open_form(pilot)
        # no model yet: the error sits next to the model field and the preview says so
        assert "Field required" in shown_error(pilot, "model")
        assert preview(pilot).startswith("# fix the highlighted field")
        assert "hf-tui run train --config" in text_of(pilot, "#command-preview")
        assert str(load_settings().home / "configs") in text_of(pilot, "#command-preview")
        await fill(pilot, model="acme/tiny-bert", dataset="acme/reviews")
        assert shown_error(pilot, "model") == ""
        assert "Valid" in text_of(pilot, "#form-error")
        assert preview(pilot) == (
            "model: acme/tiny-bert\ndataset: acme/reviews\ntask: text-classification\n"
            "max_train_samples: 2000\nmax_steps: 100\n"
        )
        await fill(pilot, learning_rate="0.0001", seed="7")
        assert "learning_rate: 0.0001" in preview(pilot) and "seed: 7" in preview(pilot)

        app.screen.query_one("#preset", Select).value = "text-classification-full"
        await pilot.pause()
        assert "epochs: 3.0" in preview(pilot) and "max_steps" not in preview(pilot)
        assert "max_length: 256" in preview(pilot) and "max_train_samples" not in preview(pilot)
        assert "learning_rate" not in preview(pilot)  # the preset's 5e-5 is the default
        assert "seed: 7" in preview(pilot)  # a preset leaves fields it does not name alone

        app.screen.query_one("#preset", Select).value = "token-classification-quick"
        await pilot.pause()
        text = preview(pilot)
        assert "task: token-classification" in text and "text_column: tokens" in text
        assert "label_column: ner_tags" in text and "max_steps: 100" in text

        app.screen.query_one("#preset", Select).value = "causal-lm-quick"
        await pilot.pause()
        assert app.screen.query_one("#field-lora", Checkbox).value
        assert "task: causal-lm" in preview(pilot) and "lora: {}" in preview(pilot)
        app.screen.query_one("#field-task", Select).value = "seq2seq"
        await pilot.pause()
        assert "target_column" in text_of(pilot, "#form-error")
        await fill(pilot, target_column="summary")
        assert "target_column: summary" in preview(pilot)


async def test_invalid_values_show_inline_and_launch_nothing(isolated_env: Path) -> None:
    store = job_store()
    app = make_app()
    async with app.run_test(size=(150, 50)) as pilot:
        await open_form(pilot, "acme/tiny-bert")
        await fill(pilot, dataset="acme/reviews", batch_size="0")
        assert "greater than or equal to 1" in shown_error(pilot, "batch_size")
        assert app.screen.query_one("#field-batch_size").has_class("bad")
        assert preview(pilot).startswith("# fix")
        await pilot.press("ctrl+s")
        assert isinstance(app.screen, NewTrainingScreen)
        assert app.focused is app.screen.query_one("#field-batch_size")
        await fill(pilot, batch_size="lots")
        assert "must be a whole number" in shown_error(pilot, "batch_size")
        await fill(pilot, batch_size="16", epochs="2")  # max_steps from the preset is still set
        assert "either 'epochs' or 'max_steps'" in shown_error(pilot, "epochs")
        await pilot.click("#start")
        await pilot.pause()
        assert isinstance(app.screen, NewTrainingScreen)
        assert store.list() == []
        assert not (load_settings().home / "configs").exists()
        await pilot.click("#back")
        assert not isinstance(app.screen, NewTrainingScreen)


async def test_start_saves_the_yaml_and_queues_the_run(
    isolated_env: Path, fake_hub: FakeHub
) -> None:
    # The checks before launch ask the Hub: these names must exist there.
    fake_hub.add(FakeRepo("acme/tiny-bert"))
    fake_hub.add(FakeRepo("acme/reviews", kind="dataset"))
    store = job_store()
    app = make_app()
    async with app.run_test(size=(150, 50)) as pilot:
        await pilot.press("5")
        await wait_until(pilot, lambda: "No training runs yet" in text_of(pilot, "#runs-status"))
        await pilot.press("n")
        await wait_until(pilot, lambda: bool(app.screen.query("#yaml-preview")))
        await fill(pilot, model="acme/tiny-bert", dataset="acme/reviews", seed="3")
        app.screen.query_one("#field-lora", Checkbox).value = True
        await pilot.pause()
        expected = preview(pilot)
        await pilot.click("#start")
        await wait_until(pilot, lambda: isinstance(app.screen, RunViewScreen))
        [record] = store.list()
        assert record.kind == "train" and record.status == "queued"
        assert app.screen.job_id == record.id  # type: ignore[attr-defined]
        [saved] = (load_settings().home / "configs").glob("*.yaml")
        assert saved.read_text(encoding="utf-8") == expected
        spec = TrainSpec.from_yaml(saved)
        assert record.spec.params["config"] == spec.to_dict()
        assert spec.seed == 3 and spec.lora is not None and spec.max_steps == 100
        await wait_until(pilot, lambda: "queued" in text_of(pilot, "#run-title"))
        await pilot.press("escape")
        assert type(app.screen).__name__ == "RunsScreen"  # the form was replaced by the run


async def test_fine_tune_button_and_palette_open_the_form(isolated_env: Path) -> None:
    root = isolated_env / "hftui_home" / "hub"
    add_local_repo(root, "team/tiny", "---\nlicense: mit\npipeline_tag: fill-mask\n---\n# tiny\n")
    add_local_repo(root, "team/rows", "---\nlicense: mit\n---\n# rows\n", kind="datasets")
    app = make_app()
    async with app.run_test(size=(150, 50)) as pilot:
        await wait_until(pilot, lambda: app.backend_choice is not None)
        app.open_detail("team/tiny", "model")
        await wait_until(pilot, lambda: bool(app.screen.query("#action-fine-tune")))
        button = app.screen.query_one("#action-fine-tune", Button)
        await wait_until(pilot, lambda: not button.disabled)
        panel = app.screen.query_one("#memory")
        await wait_until(pilot, lambda: panel.state in ("ready", "error"))  # type: ignore[attr-defined]
        await pilot.pause()  # the side pane has its final layout
        await pilot.click("#action-fine-tune")
        await wait_until(pilot, lambda: bool(app.screen.query("#yaml-preview")))
        assert app.screen.query_one("#field-model", Input).value == "team/tiny"
        await pilot.press("escape")
        assert isinstance(app.screen, DetailScreen)
        await pilot.press("f")  # the key does the same
        await wait_until(pilot, lambda: isinstance(app.screen, NewTrainingScreen))
        await pilot.press("escape")
        await pilot.press("escape")

        app.open_detail("team/rows", "dataset")
        await wait_until(pilot, lambda: bool(app.screen.query("#action-fine-tune")))
        assert app.screen.check_action("fine_tune", ()) is False  # hidden for datasets

        commands = {c.title: c for c in app.get_system_commands(app.screen)}
        assert "Go to Runs" in commands
        commands["New training"].callback()
        await wait_until(pilot, lambda: bool(app.screen.query("#yaml-preview")))
        assert app.screen.query_one("#field-model", Input).value == ""


async def test_quantised_base_needs_lora_and_reaches_the_yaml(isolated_env: Path) -> None:
    app = make_app()
    async with app.run_test(size=(150, 50)) as pilot:
        screen = await open_form(pilot, "acme/tiny-bert")
        await fill(pilot, dataset="acme/reviews")
        screen.query_one("#field-lora", Checkbox).value = False
        screen.query_one("#field-quantization", Select).value = "int8"
        await pilot.pause()
        assert "trains LoRA adapters only" in shown_error(pilot, "quantization")
        assert preview(pilot).startswith("# fix")
        screen.query_one("#field-lora", Checkbox).value = True
        await wait_until(pilot, lambda: "quantization: int8" in preview(pilot))
        assert screen.spec is not None and screen.spec.quantization == "int8"
        screen.fill_from({**screen.spec.model_dump(mode="json"), "quantization": None})
        await pilot.pause()
        assert screen.query_one("#field-quantization", Select).value == "none"


async def test_a_run_for_slurm_keeps_its_options_in_the_yaml_and_the_job(
    isolated_env: Path, fake_hub: FakeHub, monkeypatch: pytest.MonkeyPatch
) -> None:
    from hf_ecosystem.training.spec import yaml_placement

    # No cluster answers this test: sbatch (when installed) reads an empty config and refuses
    # at once (a missing one it retries for a minute).
    conf = isolated_env / "empty-slurm.conf"
    conf.write_text("", encoding="utf-8")
    monkeypatch.setenv("SLURM_CONF", str(conf))
    fake_hub.add(FakeRepo("acme/tiny-bert"))
    fake_hub.add(FakeRepo("acme/reviews", kind="dataset"))
    store = job_store()
    app = make_app()
    async with app.run_test(size=(150, 60)) as pilot:
        screen = await open_form(pilot, "acme/tiny-bert")
        await fill(pilot, dataset="acme/reviews")
        assert not screen.query_one("#slurm-options").display  # hidden for a local run
        screen.query_one("#field-on", Select).value = "slurm"
        await pilot.pause()
        assert screen.query_one("#slurm-options").display
        for name, value in (("partition", "gpu"), ("nodes", "2"), ("time", "1:30:00")):
            screen.query_one(f"#slurm-{name}", Input).value = value
        await wait_until(pilot, lambda: "partition: gpu" in preview(pilot))
        expected = preview(pilot)
        await pilot.click("#start")
        await wait_until(pilot, lambda: "sbatch" in text_of(pilot, "#form-error"))
        assert isinstance(app.screen, NewTrainingScreen)  # it stays, with the reason shown
        [record] = store.list()
        assert record.status == "failed" and record.spec.slurm is not None
        assert (record.spec.slurm.partition, record.spec.slurm.nodes) == ("gpu", 2)
        assert record.spec.slurm.time == "1:30:00"
        [saved] = (load_settings().home / "configs").glob("*.yaml")
        assert saved.read_text(encoding="utf-8") == expected
        assert yaml_placement(saved) == ("slurm", {"partition": "gpu", "nodes": 2,
                                                    "time": "1:30:00"})  # fmt: skip
