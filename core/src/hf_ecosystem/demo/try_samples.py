"""Sample files to Try image and audio models on: the demo hub's digits and spoken digits, and a
tone written on first use. Light: reads CSV files, imports nothing heavy (the UI calls it)."""

from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from hf_ecosystem.config import Settings, private_dir

SampleKind = Literal["image", "audio"]
DIGITS = "hf-tui-demo/digits"
SPOKEN_DIGITS = "hf-tui-demo/spoken-digits"
TONE_NAME = "tone-440hz.wav"


@dataclass(frozen=True, slots=True)
class SampleInput:
    """One file a Try form can offer: its path and how it reads in a list."""

    path: str
    label: str


def _rows(folder: Path) -> list[tuple[str, str]]:
    """(file, label) rows of a demo dataset's metadata.csv whose file exists."""
    try:
        with (folder / "metadata.csv").open(newline="", encoding="utf-8") as handle:
            rows = list(csv.reader(handle))[1:]
    except OSError:
        return []
    return [(r[0], r[1]) for r in rows if len(r) >= 2 and (folder / r[0]).is_file()]


def _dataset_samples(
    settings: Settings, repo_id: str, limit: int, describe: str
) -> list[SampleInput]:
    """One file per distinct label of a demo dataset, from the first local hub root holding it;
    `describe` formats the label ("digit {}")."""
    for root in settings.local_hub_roots:
        folder = root / "datasets" / repo_id
        found: dict[str, SampleInput] = {}
        for name, label in _rows(folder):
            if label not in found and len(found) < limit:
                found[label] = SampleInput(
                    str(folder / name), f"{describe.format(label)} · {repo_id}"
                )
        if found:
            return list(found.values())
    return []


def tone_sample(settings: Settings) -> SampleInput:
    """A 1 s 440 Hz tone WAV in $HFTUI_HOME/samples (written once, stdlib only)."""
    from hf_ecosystem.demo.samples import write_sine_wav

    path = private_dir(settings.home / "samples") / TONE_NAME
    if not path.is_file():
        staging = path.with_suffix(".part")
        write_sine_wav(staging)
        staging.replace(path)
    return SampleInput(str(path), "440 Hz tone (not speech)")


def sample_inputs(settings: Settings, kind: SampleKind, limit: int = 10) -> list[SampleInput]:
    """Files to offer for an image or audio input, demo hub first; [] for images without it."""
    if kind == "image":
        return _dataset_samples(settings, DIGITS, limit, "digit {}")
    spoken = _dataset_samples(settings, SPOKEN_DIGITS, limit, 'spoken "{}"')
    return [*spoken, tone_sample(settings)]
