"""Session-scoped pytest fixtures over the builders: each tiny model is built once per session.

Use them from a test module by assignment (no conftest edits needed):
`from models import fixtures` then `tiny_model = fixtures.tiny_model`.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from hf_ecosystem.demo.samples import write_sample_image, write_sine_wav
from hf_ecosystem.demo.tiny_models import build_tiny


@pytest.fixture(scope="session")
def tiny_model(tmp_path_factory: pytest.TempPathFactory) -> Callable[[str], Path]:
    """A function task → folder of that task's tiny model, built on first use and kept."""
    root = tmp_path_factory.mktemp("tiny-models")
    built: dict[str, Path] = {}

    def get(task: str) -> Path:
        if task not in built:
            built[task] = build_tiny(task, root / task)
        return built[task]

    return get


@pytest.fixture(scope="session")
def sample_image(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A real photo saved as JPEG (skips when Pillow is missing)."""
    pytest.importorskip("PIL", reason="Pillow is needed for image inputs")
    return write_sample_image(tmp_path_factory.mktemp("image") / "china.jpg")


@pytest.fixture(scope="session")
def sine_wav(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One second of a 440 Hz tone as a 16 kHz mono WAV."""
    return write_sine_wav(tmp_path_factory.mktemp("audio") / "tone.wav")
