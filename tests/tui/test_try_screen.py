"""Try a model from its Detail screen: the form fits the task; the job's result is rendered."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
from textual.widgets import Button, Input, Select, Static, TextArea

from helpers import cpu_only_snapshot, text_of, wait_until
from hf_tui.app import HfTuiApp
from hf_tui.modals.confirm import ConfirmModal
from hf_tui.screens.hub.detail import DetailScreen
from hf_tui.screens.hub.try_model import TryScreen
from hf_tui.widgets.result_view import render_result


def test_renderers() -> None:
    bars = render_result(
        "label-scores", [{"label": "pos", "score": 0.75}, {"label": "neg", "score": 0.25}], "x"
    )
    assert "pos" in bars.plain and "0.750" in bars.plain and "█" in bars.plain
    ents = render_result(
        "entities",
        [{"entity": "LOC", "word": "Paris", "start": 0, "end": 5, "score": 0.9}],
        "Paris is big",
    )
    assert ents.plain.startswith("Paris is big") and "LOC" in ents.plain
    assert any(span.start == 0 and span.end == 5 for span in ents.spans)
    answer = render_result("answer-span", {"answer": "Paris", "start": 13, "end": 18, "score": 0.5},
                           {"question": "Where?", "context": "She lives in Paris."})  # fmt: skip
    assert "Answer: Paris" in answer.plain
    assert "768 dimensions" in render_result("embedding", [0.0] * 768, "x").plain
    assert render_result("caption", {"text": "a cat"}, "img.png").plain == "a cat"


@pytest.mark.slow
async def test_try_text_classification_end_to_end(
    isolated_env: Path, tiny_bert_dir: Path, monkeypatch
) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setenv("HFTUI_MAX_JOBS", "1")
    dest = isolated_env / "hftui_home" / "hub" / "models" / "me" / "tiny-clf"
    shutil.copytree(tiny_bert_dir, dest)
    app = HfTuiApp(offline=True, sampler=cpu_only_snapshot)
    async with app.run_test(size=(140, 45)) as pilot:
        await wait_until(pilot, lambda: app.backend_choice is not None)
        app.open_detail("me/tiny-clf", "model")
        await wait_until(
            pilot,
            lambda: isinstance(app.screen, DetailScreen) and app.screen.model_task is not None,
        )
        assert not app.screen.query_one("#action-try", Button).disabled
        await pilot.press("t")
        await wait_until(pilot, lambda: isinstance(app.screen, TryScreen))
        screen = app.screen
        assert isinstance(screen, TryScreen)
        area = screen.query_one("#field-text", TextArea)
        area.text = "What a wonderful day"
        await pilot.press("ctrl+s")
        try:
            await wait_until(pilot, lambda: "Done" in text_of(pilot, "#try-status"), timeout=240)
            assert screen.answered_by == "cold"  # the warm worker loaded the model for it
            assert "Done · cold: model loaded in" in text_of(pilot, "#try-status")
            result = text_of(pilot, "#try-result")
            assert all(label in result for label in ("negative", "neutral", "positive"))
            assert "█" in result or "░" in result
            await pilot.press("ctrl+s")  # the same model again: the worker holds it
            await wait_until(pilot, lambda: screen.answered_by is not None, timeout=60)
            assert screen.answered_by == "warm"
            assert "Done · warm: ran in" in text_of(pilot, "#try-status")
            # Quantised weights are another model to the worker: loaded (torchao on the CPU).
            screen.query_one("#try-dtype", Select).value = "int8"
            await pilot.press("ctrl+s")
            await wait_until(pilot, lambda: screen.answered_by is not None, timeout=120)
            assert screen.answered_by == "cold"
            assert "(cpu · int8)." in text_of(pilot, "#try-status")
        finally:
            manager = app.job_manager()
            for record in manager.list():  # no worker outlives the test
                if record.is_active:
                    manager.cancel(record.id, grace=5)


async def test_try_form_fits_the_task(isolated_env: Path) -> None:
    app = HfTuiApp(offline=True, sampler=cpu_only_snapshot)
    async with app.run_test(size=(140, 45)) as pilot:
        app.push_screen(TryScreen("me/qa", "question-answering"))
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, TryScreen)
        assert screen.query_one("#field-question", Input).value  # pre-filled example
        assert screen.query_one("#field-context", TextArea).text
        given, text = screen.current_input()
        assert set(given) == {"question", "context"} and '"question"' in text
        screen.query_one("#field-question", Input).value = ""
        await pilot.press("ctrl+s")
        assert any("Fill in: question" in n.message for n in app._notifications)  # type: ignore[attr-defined]
        app.push_screen(TryScreen("me/zs", "zero-shot-classification"))
        await pilot.pause()
        assert isinstance(app.screen.current_input()[0]["labels"], list)  # type: ignore[attr-defined]


async def test_image_tasks_preview_the_image(isolated_env: Path, tmp_path: Path) -> None:
    from PIL import Image

    from hf_tui.widgets.image_preview import half_blocks

    path = tmp_path / "red-blue.png"
    image = Image.new("RGB", (4, 4), (255, 0, 0))
    for x in range(4):
        for y in range(2, 4):
            image.putpixel((x, y), (0, 0, 255))
    image.save(path)
    text = half_blocks(path, width=4)
    assert text.plain == "▀▀▀▀\n▀▀▀▀\n"
    first, last = text.spans[0].style, text.spans[-1].style
    assert str(first) == "rgb(255,0,0) on rgb(255,0,0)"  # top row: red over red
    assert str(last) == "rgb(0,0,255) on rgb(0,0,255)"  # bottom row: blue over blue
    app = HfTuiApp(offline=True, sampler=cpu_only_snapshot)
    async with app.run_test(size=(140, 45)) as pilot:
        app.push_screen(TryScreen("me/vit", "image-classification"))
        await pilot.pause()
        app.screen.query_one("#field-image", Input).value = str(path)
        await pilot.pause()
        assert "▀" in text_of(pilot, "#try-image")
        app.screen.query_one("#field-image", Input).value = str(tmp_path / "missing.png")
        await pilot.pause()
        assert text_of(pilot, "#try-image") == ""


async def test_try_offers_the_demo_hub_samples_and_focuses_its_first_field(
    isolated_env: Path,
) -> None:
    from PIL import Image

    from hf_ecosystem.demo.datasets import build_spoken_digits

    hub = isolated_env / "hftui_home" / "hub" / "datasets" / "hf-tui-demo"
    spoken = build_spoken_digits(hub / "spoken-digits")  # real WAVs (espeak-ng), 0 without it
    digits = hub / "digits"  # the layout build_digits writes, two images instead of 1,797
    (digits / "images").mkdir(parents=True)
    for index, shade in enumerate((40, 200)):
        Image.new("L", (8, 8), shade).save(digits / "images" / f"{index:04d}.png")
    (digits / "metadata.csv").write_text(
        "file_name,label\nimages/0000.png,3\nimages/0001.png,7\n", encoding="utf-8"
    )
    app = HfTuiApp(offline=True, sampler=cpu_only_snapshot)
    async with app.run_test(size=(140, 45)) as pilot:
        app.push_screen(TryScreen("me/vit", "image-classification"))
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, TryScreen)
        field = screen.query_one("#field-image", Input)
        assert app.focused is field  # typing goes to the first input at once
        assert field.value == str(digits / "images" / "0000.png")
        assert [s.label for s in screen.samples["image"]] == [
            "digit 3 · hf-tui-demo/digits",
            "digit 7 · hf-tui-demo/digits",
        ]
        screen.query_one("#samples-image", Select).value = str(digits / "images" / "0001.png")
        await pilot.pause()
        assert field.value.endswith("0001.png") and "▀" in text_of(pilot, "#try-image")

        app.push_screen(TryScreen("me/whisper", "automatic-speech-recognition"))
        await pilot.pause()
        audio = app.screen.query_one("#field-audio", Input)
        samples = app.screen.samples["audio"]  # type: ignore[attr-defined]
        assert Path(audio.value).is_file() and app.focused is audio
        assert (
            samples[-1].label == "440 Hz tone (not speech)" and len(samples) == min(spoken, 10) + 1
        )
        if spoken:
            assert samples[0].label == 'spoken "zero" · hf-tui-demo/spoken-digits'


async def test_try_ticks_while_loading_and_says_which_path_answered(isolated_env: Path) -> None:
    from hf_ecosystem.inference.results import InferenceResult
    from hf_ecosystem.inference.warm_protocol import WarmAnswer

    app = HfTuiApp(offline=True, sampler=cpu_only_snapshot)
    async with app.run_test(size=(140, 45)) as pilot:
        app.push_screen(TryScreen("me/tiny-clf", "text-classification"))
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, TryScreen) and app.focused is screen.query_one("#field-text")
        # The queue is paused in this tier: no worker can start, so the Try becomes a job that
        # waits; the status ticks all along.
        await pilot.press("ctrl+s")
        pattern = re.compile(r"Loading model… (\d+\.\d) s")
        await wait_until(pilot, lambda: bool(pattern.search(text_of(pilot, "#try-status"))))
        first = pattern.search(text_of(pilot, "#try-status"))
        await wait_until(pilot, lambda: screen.job_id is not None, timeout=15)
        await wait_until(pilot, lambda: f"(job {screen.job_id})" in text_of(pilot, "#try-status"))
        later = pattern.search(text_of(pilot, "#try-status"))
        assert first and later and float(later.group(1)) > float(first.group(1))
        kinds = {(r.kind, r.status) for r in app.job_manager().list()}
        assert kinds == {("warm-model", "cancelled"), ("inference", "queued")}

        result = InferenceResult("text-classification", "m", [{"label": "pos", "score": 0.9}],
                                 "cpu", "fp32")  # fmt: skip
        screen.post_message(TryScreen.Answered(WarmAnswer("warm", result, None, 0.0, 0.012)))
        await wait_until(pilot, lambda: screen.answered_by == "warm")
        assert text_of(pilot, "#try-status") == "Done · warm: ran in 0.01 s (cpu · fp32)."
        assert "pos" in text_of(pilot, "#try-result")
        refused = {"error": "PickleWeightsError", "title": "Only pickle weights", "hint": "h"}
        screen.post_message(TryScreen.Answered(WarmAnswer("cold", None, refused)))
        await wait_until(pilot, lambda: isinstance(app.screen, ConfirmModal))
        assert "Only pickle weights" in str(screen.query_one("#try-status", Static).render())
