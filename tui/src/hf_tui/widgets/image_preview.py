"""An image drawn with half-block characters: two pixels a cell, in any true-colour terminal."""

from __future__ import annotations

from pathlib import Path

from rich.text import Text
from textual.widgets import Static

from hf_ecosystem.paths import user_path


def half_blocks(path: Path, width: int = 48) -> Text:
    """The image as rows of '▀' whose foreground is the upper pixel and background the lower."""
    from PIL import Image  # only when an image is shown

    with Image.open(path) as source:
        image = source.convert("RGB")
    height = max(2, round(image.height * width / max(image.width, 1) / 2) * 2)
    image = image.resize((width, height))
    data = image.tobytes()  # RGB triples, row by row
    text = Text()

    def rgb(x: int, y: int) -> str:
        i = 3 * (y * width + x)
        return f"rgb({data[i]},{data[i + 1]},{data[i + 2]})"

    for y in range(0, height, 2):
        for x in range(width):
            text.append("▀", style=f"{rgb(x, y)} on {rgb(x, y + 1)}")
        text.append("\n")
    return text


class ImagePreview(Static):
    """Shows a preview of an image file, or says why it cannot."""

    DEFAULT_CSS = """
    ImagePreview { height: auto; width: auto; }
    """

    def show_path(self, path: str, width: int = 48) -> None:
        """Preview `path` (a clear line instead when it is missing or not an image)."""
        try:
            self.update(half_blocks(user_path(path), width))
        except (OSError, ValueError) as exc:
            self.update(Text(f"No preview: {exc}", style="dim"))
