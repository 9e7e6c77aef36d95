"""Screens that open with a lesson's inputs keep them: Try's file fields beside their samples."""

from __future__ import annotations

from pathlib import Path

from textual.widgets import Input, Select

from helpers import cpu_only_snapshot, wait_until
from hf_tui.app import HfTuiApp
from hf_tui.screens.hub.try_model import TryScreen


async def test_try_keeps_a_lessons_file_and_a_picked_sample(tmp_path: Path) -> None:
    app = HfTuiApp(offline=True, sampler=cpu_only_snapshot, max_running_jobs=0)
    mine = str(tmp_path / "my.wav")
    async with app.run_test(size=(150, 45)) as pilot:
        await app.push_screen(TryScreen("acme/w", "automatic-speech-recognition", {"audio": mine}))
        await wait_until(pilot, lambda: isinstance(app.screen, TryScreen))
        screen = app.screen
        samples = screen.query_one("#samples-audio", Select)
        await pilot.pause()
        # the lesson's file stays: no sample is picked over it
        assert screen.query_one("#field-audio", Input).value == mine
        assert samples.value == Select.NULL
        sample = str(samples._options[-1][1])  # the tone every machine has
        samples.value = sample  # picking a sample still fills the field
        await wait_until(pilot, lambda: screen.query_one("#field-audio", Input).value == sample)
        await app.pop_screen()
        await app.push_screen(
            TryScreen("acme/w", "automatic-speech-recognition", {"audio": sample})
        )
        await wait_until(pilot, lambda: isinstance(app.screen, TryScreen))
        await pilot.pause()
        assert app.screen.query_one("#samples-audio", Select).value == sample
        assert app.screen.query_one("#field-audio", Input).value == sample
