"""Sample inputs built on this machine: a sine-wave WAV (stdlib) and a real photo (scikit-learn)."""

from __future__ import annotations

import math
import wave
from pathlib import Path
from typing import Any, cast


def write_sine_wav(
    path: Path, seconds: float = 1.0, rate: int = 16000, freq: float = 440.0
) -> Path:
    """Write a mono 16-bit sine-wave WAV (stdlib only), a stand-in for speech."""
    n = int(seconds * rate)
    frames = bytearray()
    for i in range(n):
        sample = int(0.3 * 32767 * math.sin(2 * math.pi * freq * i / rate))
        frames += sample.to_bytes(2, "little", signed=True)
    with wave.open(str(path), "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(rate)
        out.writeframes(bytes(frames))
    return path


def write_sample_image(path: Path) -> Path:
    """Save a real photo (scikit-learn's sample 'china.jpg', 427×640) as a JPEG; needs Pillow."""
    from PIL import Image
    from sklearn.datasets import load_sample_images

    samples = cast("Any", load_sample_images())  # a Bunch: attributes the type hints do not know
    Image.fromarray(samples.images[0]).save(path)
    return path
