"""A model's memory estimate: weights per dtype, totals, the peak's breakdown and a verdict."""

from __future__ import annotations

from typing import Literal

from textual.app import ComposeResult
from textual.containers import Vertical
from textual.content import Content
from textual.widgets import Collapsible, Static

from hf_ecosystem.device.memory import BREAKDOWN_LABELS, MemoryEstimate
from hf_tui.format import human_bytes, human_count

State = Literal["empty", "loading", "ready", "error"]
MODE_LABELS = {"inference": "inference", "full": "full fine-tuning", "lora": "LoRA fine-tuning"}
VERDICT_STYLES = {"gpu": "$success", "cpu": "$warning", "none": "$error"}


def weights_line(estimate: MemoryEstimate) -> Content:
    """'weights  fp32 474.6 MiB · fp16 237.3 MiB · …', the chosen dtype in bold."""
    parts = [
        Content.styled(f"{dtype} {human_bytes(size)}", "bold" if dtype == estimate.dtype else "")
        for dtype, size in estimate.weights_by_dtype.items()
    ]
    return Content.assemble(Content.styled("weights  ", "$text-muted"), Content(" · ").join(parts))


def breakdown_lines(estimate: MemoryEstimate) -> Content:
    """One line per non-zero part of the peak, bytes right-aligned, then the totals."""
    lines = [Content.styled(f"at the peak of {MODE_LABELS[estimate.mode]}", "bold")]
    for key, size in estimate.breakdown.items():
        if size:
            lines.append(Content(f"  {BREAKDOWN_LABELS[key]:<18}{human_bytes(size):>12}"))
    lines.append(
        Content.styled(f"  {'inference':<18}{human_bytes(estimate.inference_bytes):>12}", "bold")
    )
    if estimate.training_bytes is not None:
        label = MODE_LABELS[estimate.mode]
        lines.append(
            Content.styled(f"  {label:<18}{human_bytes(estimate.training_bytes):>12}", "bold")
        )
    return Content("\n").join(lines)


class MemoryPanel(Vertical):
    """Shows one MemoryEstimate (or loading, or an error); reusable on any screen."""

    DEFAULT_CSS = """
    MemoryPanel {
        height: auto;
        border: round $accent;
        border-title-color: $accent;
        padding: 0 1;
    }
    MemoryPanel > Static {
        height: auto;
    }
    MemoryPanel > .memory-verdict {
        margin-top: 1;
        text-style: bold;
    }
    MemoryPanel Collapsible {
        margin-top: 1;
        border-top: none;
        padding: 0;
    }
    MemoryPanel .memory-assumptions {
        color: $text-muted;
    }
    """

    def __init__(self, *, id: str | None = None, classes: str | None = None) -> None:
        super().__init__(id=id, classes=classes)
        self.border_title = "Memory"
        self.state: State = "empty"
        self.estimate: MemoryEstimate | None = None

    def compose(self) -> ComposeResult:
        yield Static("No estimate yet.", classes="memory-title")
        yield Static("", classes="memory-weights")
        yield Static("", classes="memory-breakdown")
        yield Static("", classes="memory-verdict")
        with Collapsible(title="Assumptions (what is counted, what is not)", collapsed=True):
            yield Static("", classes="memory-assumptions")

    def _set(self, part: str, content: Content | str) -> None:
        self.query_one(f".memory-{part}", Static).update(content)

    def _clear(self, *parts: str) -> None:
        for part in parts:
            self._set(part, "")
        self.query_one(".memory-verdict", Static).remove_class("gpu", "cpu", "none")

    def show_loading(self) -> None:
        """Clear the panel and show a loading indicator until `show` or `show_error`."""
        self.state, self.estimate = "loading", None
        self._clear("weights", "breakdown", "verdict", "assumptions")
        self._set("title", Content.styled("Estimating…", "$text-muted"))
        self.loading = True

    def show_error(self, title: str, hint: str = "") -> None:
        """Show why there is no estimate, and how to fix it."""
        self.state, self.estimate, self.loading = "error", None, False
        self._set("title", Content.styled(title, "bold $error"))
        self._clear("breakdown", "verdict", "assumptions")
        self._set("weights", hint)

    def show(self, estimate: MemoryEstimate) -> None:
        """Render an estimate: weights per dtype, breakdown, totals, verdict, assumptions."""
        self.state, self.estimate, self.loading = "ready", estimate, False
        e = estimate
        title = (
            f"{e.model + '  ·  ' if e.model else ''}{human_count(e.parameters)} parameters  ·  "
            f"{e.dtype}  ·  batch {e.batch} x seq {e.seq}"
        )
        self._set("title", Content.styled(title, "bold"))
        self._set("weights", weights_line(e))
        self._set("breakdown", breakdown_lines(e))
        self._clear("verdict")
        verdict = self.query_one(".memory-verdict", Static)
        if e.verdict is None:
            verdict.update(Content.styled("no verdict: the device is unknown", "$text-muted"))
        else:
            verdict.add_class(e.verdict.kind)
            verdict.update(Content.styled(e.verdict.text, VERDICT_STYLES[e.verdict.kind]))
        self._set("assumptions", Content("\n").join(Content(f"· {a}") for a in e.assumptions))
