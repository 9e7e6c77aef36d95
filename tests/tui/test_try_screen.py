"""Try a model from its Detail screen: the form fits the task; the job's result is rendered."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from textual.widgets import Button, Input, TextArea

from helpers import cpu_only_snapshot, text_of, wait_until
from hf_tui.app import HfTuiApp
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
        await wait_until(pilot, lambda: "Done" in text_of(pilot, "#try-status"), timeout=90)
        result = text_of(pilot, "#try-result")
        assert all(label in result for label in ("negative", "neutral", "positive"))
        assert "█" in result or "░" in result


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
