"""The fine-tune form: length and sample fields, a wall-time estimate before Start, presets sized
for a CPU box and for a GPU, and "Clone" from Runs."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from runs_fixtures import job_store, make_run, train_config
from textual.widgets import Input, Select, TextArea

from helpers import cpu_only_snapshot, table_ids, text_of, wait_until
from hf_ecosystem.training.estimate import MachineSpeed, estimate
from hf_tui.app import HfTuiApp
from hf_tui.screens.runs.new_training import NewTrainingScreen
from hf_tui.screens.runs.training_presets import PRESETS

BERT = {"model_type": "bert", "hidden_size": 64, "num_hidden_layers": 2, "num_attention_heads": 2,
        "intermediate_size": 128, "vocab_size": 1000, "max_position_embeddings": 128}  # fmt: skip


@pytest.fixture
def model_and_data(tmp_path: Path) -> tuple[Path, Path]:
    model = tmp_path / "tiny-bert"
    model.mkdir()
    (model / "config.json").write_text(json.dumps(BERT), encoding="utf-8")
    data = tmp_path / "reviews.csv"
    rows = "".join(f"{'a fine film ' * 3},{i % 2}\n" for i in range(600))
    data.write_text("text,label\n" + rows, encoding="utf-8")
    return model, data


def make_app() -> HfTuiApp:
    return HfTuiApp(offline=True, sampler=cpu_only_snapshot, max_running_jobs=0)


def yaml(app: HfTuiApp) -> str:
    return app.screen.query_one("#yaml-preview", TextArea).text


async def open_form_by_keys(pilot) -> NewTrainingScreen:  # type: ignore[no-untyped-def]
    await pilot.press("5")
    await wait_until(pilot, lambda: pilot.app.focused is not None)
    await pilot.press("n")
    await wait_until(pilot, lambda: isinstance(pilot.app.screen, NewTrainingScreen))
    await pilot.pause()
    return pilot.app.screen


async def test_length_and_sample_fields_and_an_estimate_before_start(
    isolated_env: Path, model_and_data: tuple[Path, Path]
) -> None:
    model, data = model_and_data
    app = make_app()
    async with app.run_test(size=(150, 50)) as pilot:
        screen = await open_form_by_keys(pilot)
        assert "Estimated" not in text_of(pilot, "#train-estimate")  # nothing to estimate yet
        await pilot.press(*str(model))  # the model field has the focus
        screen.query_one("#field-dataset", Input).value = str(data)
        screen.query_one("#field-max_length", Input).value = "64"
        await pilot.pause()
        assert "max_length: 64" in yaml(app) and "max_train_samples: 2000" in yaml(app)
        await wait_until(pilot, lambda: "Estimated wall time" in text_of(pilot, "#train-estimate"))
        shown = text_of(pilot, "#train-estimate")
        assert "100 steps" in shown and "1,600 rows seen" in shown  # the quick preset
        assert "an estimate" in shown and "CPU benchmark" in shown
        screen.query_one("#preset", Select).value = "text-classification-full"
        # 600 rows, 20 % held out, 3 epochs, batch 32: 15 steps an epoch
        await wait_until(pilot, lambda: "45 steps" in text_of(pilot, "#train-estimate"))
        assert "1,440 rows seen" in text_of(pilot, "#train-estimate")
        screen.query_one("#field-max_train_samples", Input).value = "x"
        await pilot.pause()
        assert "whole number" in text_of(pilot, "#error-max_train_samples")
        assert text_of(pilot, "#train-estimate") == ""  # no estimate of an invalid form


def test_quick_preset_is_minutes_on_a_cpu_and_gpu_preset_is_the_whole_job() -> None:
    """At a CPU's pace (20 GFLOP/s of training, a 2-core box) a MiniLM-sized model (11M
    non-embedding parameters) on headline-length texts (24 tokens) takes minutes with the
    quick preset; the GPU preset does the whole dataset, far more work."""
    cpu = MachineSpeed(2e10, "2-core CPU")
    quick = PRESETS["text-classification-quick"][1]
    full = PRESETS["text-classification-full"][1]
    rows = 20_000
    small = estimate(11_000_000, min(rows, quick["max_train_samples"]), 24, cpu,
                     max_steps=quick["max_steps"], batch_size=quick["batch_size"])  # fmt: skip
    assert 10 < small.seconds < 5 * 60
    big = estimate(11_000_000, rows, 24, cpu, epochs=full["epochs"], batch_size=full["batch_size"])
    assert big.flops > 30 * small.flops


async def test_clone_opens_the_form_filled_with_the_runs_spec(
    isolated_env: Path, tmp_path: Path
) -> None:
    store = job_store()
    config = train_config(learning_rate=1e-4, max_length=96, eval_strategy="steps", eval_steps=5,
                          output_dir=str(tmp_path / "first"), lora={"r": 4})  # fmt: skip
    run = make_run(store, config, status="succeeded")
    app = make_app()
    async with app.run_test(size=(150, 50)) as pilot:
        await pilot.press("5")
        await wait_until(pilot, lambda: table_ids(pilot, "#runs-table") == [run])
        await pilot.press("l")
        await wait_until(pilot, lambda: isinstance(app.screen, NewTrainingScreen))
        await pilot.pause()
        assert f"Clone of run {run}" in text_of(pilot, "#train-title")
        field = lambda name: app.screen.query_one(f"#field-{name}", Input).value  # noqa: E731
        assert field("model") == "acme/tiny-bert" and field("dataset") == "acme/reviews"
        assert field("learning_rate") == "0.0001" and field("max_length") == "96"
        assert field("max_steps") == "40" and field("output_dir") == ""  # its own folder
        text = yaml(app)
        assert "eval_strategy: steps" in text and "eval_steps: 5" in text  # kept, no field
        assert "r: 4" in text and "output_dir" not in text
        assert app.focused is app.screen.query_one("#field-dataset")
