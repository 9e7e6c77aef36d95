"""One inference result, shown the way its task reads best: bars, highlights, text."""

from __future__ import annotations

from typing import Any

from rich.text import Text
from textual.widgets import Static

ENTITY_STYLES = ["bold black on cyan", "bold black on green", "bold black on yellow",
                 "bold black on magenta", "bold white on blue", "bold black on red"]  # fmt: skip
BAR_WIDTH = 30


def label_bars(scores: list[dict[str, Any]], limit: int = 10) -> Text:
    """Labels with their scores as bars, highest first."""
    text = Text()
    width = max((len(str(s["label"])) for s in scores[:limit]), default=5)
    for item in scores[:limit]:
        score = float(item["score"])
        filled = round(max(0.0, min(1.0, score)) * BAR_WIDTH)
        text.append(f"{item['label']!s:<{width}} ")
        text.append("█" * filled, style="green")
        text.append("░" * (BAR_WIDTH - filled), style="dim")
        text.append(f" {score:.3f}\n")
    return text


def highlighted(source: str, spans: list[tuple[int, int, str]]) -> Text:
    """`source` with each (start, end, name) span styled per name, plus a legend."""
    text = Text(source)
    styles: dict[str, str] = {}
    for start, end, name in spans:
        style = styles.setdefault(name, ENTITY_STYLES[len(styles) % len(ENTITY_STYLES)])
        if 0 <= start < end <= len(source):
            text.stylize(style, start, end)
    if styles:
        text.append("\n\n")
        for name, style in styles.items():
            text.append(f" {name} ", style=style)
            text.append(" ")
    return text


def render_result(output_kind: str, output: Any, given: Any) -> Text:
    """A Rich Text for one output of a task with this output kind."""
    if output_kind == "label-scores" and isinstance(output, list):
        return label_bars(output)
    if output_kind == "entities" and isinstance(output, list):
        source = given if isinstance(given, str) else str(given.get("text", ""))
        spans = [(int(e["start"]), int(e["end"]), str(e["entity"])) for e in output]
        return highlighted(source, spans) if spans else Text("No entities found.")
    if output_kind == "answer-span" and isinstance(output, dict):
        context = str(given.get("context", "")) if isinstance(given, dict) else ""
        text = Text("Answer: ", style="bold")
        text.append(str(output.get("answer", "")), style="bold green")
        text.append(f"  (score {float(output.get('score', 0)):.3f})\n\n")
        text.append_text(highlighted(context, [(output["start"], output["end"], "answer")]))
        return text
    if output_kind == "embedding" and isinstance(output, list):
        head = ", ".join(f"{v:.4f}" for v in output[:8])
        norm = sum(v * v for v in output) ** 0.5
        return Text(f"{len(output)} dimensions · norm {norm:.3f}\n[{head}, …]")
    if output_kind == "similarity" and isinstance(output, dict) and "score" in output:
        return Text(f"cosine similarity {float(output['score']):.4f}", style="bold")
    if isinstance(output, dict) and "text" in output:
        return Text(str(output["text"]))
    return Text(repr(output))


class ResultView(Static):
    """The result area of the Try screen."""

    DEFAULT_CSS = """
    ResultView { height: auto; padding: 0 1; }
    """

    def show(self, output_kind: str, output: Any, given: Any) -> None:
        """Render a finished result."""
        self.update(render_result(output_kind, output, given))
