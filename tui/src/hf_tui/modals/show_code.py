"""Show code: the Python that does what the screen does, in two variants, ready to copy."""

from __future__ import annotations

from rich.syntax import Syntax
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Button, Static, TabbedContent, TabPane

from hf_ecosystem.snippets import Snippet, joined
from hf_ecosystem.snippets.types import VARIANTS


class ShowCodeModal(ModalScreen[None]):
    """Both variants of a screen's snippets in tabs; c copies the one shown."""

    DEFAULT_CSS = """
    ShowCodeModal { align: center middle; }
    ShowCodeModal #code-box {
        width: 90%; height: 85%; padding: 0 1; border: thick $accent; background: $surface;
    }
    ShowCodeModal #code-title { height: auto; text-style: bold; margin-bottom: 1; }
    ShowCodeModal #code-tabs { height: 1fr; }
    ShowCodeModal #code-actions { height: auto; align-vertical: middle; }
    ShowCodeModal #code-help { width: 1fr; color: $text-muted; }
    """
    BINDINGS = [
        Binding("escape", "dismiss", "Close"),
        Binding("c", "copy", "Copy"),
        Binding("v", "other_variant", "Other variant"),
    ]

    def __init__(self, snippets: list[Snippet]) -> None:
        super().__init__()
        self.snippets = snippets
        self.codes = {variant: joined(snippets, variant) for variant in VARIANTS}
        self.copied: str | None = None  # the last text handed to the clipboard

    def compose(self) -> ComposeResult:
        titles = " · ".join(" ".join(s.title.splitlines()) for s in self.snippets)
        with Vertical(id="code-box"):
            yield Static(f"Python for: {titles}", id="code-title", markup=False)
            with TabbedContent(id="code-tabs"):
                for variant, label in VARIANTS.items():
                    with TabPane(label, id=f"code-{variant}"), VerticalScroll():
                        yield self._body(variant)
            with Horizontal(id="code-actions"):
                yield Static(
                    "c copies the code shown · v the other variant · esc closes", id="code-help"
                )
                yield Button("Copy (c)", variant="primary", id="code-copy")

    def _body(self, variant: str) -> Static:
        code = self.codes[variant]
        if not code:
            notes = " ".join(s.note for s in self.snippets if s.note)
            return Static(notes or "No code for this variant.", classes="code-note", markup=False)
        return Static(Syntax(code, "python", line_numbers=False, word_wrap=False),
                      classes="code", id=f"code-text-{variant}")  # fmt: skip

    @property
    def variant(self) -> str:
        """The variant shown ("ecosystem" or "plain")."""
        return (self.query_one(TabbedContent).active or "code-ecosystem").removeprefix("code-")

    def action_other_variant(self) -> None:
        """Switch tabs."""
        other = "plain" if self.variant == "ecosystem" else "ecosystem"
        self.query_one(TabbedContent).active = f"code-{other}"

    @on(Button.Pressed, "#code-copy")
    def action_copy(self) -> None:
        """Copy the variant shown (through the terminal: OSC 52) and say what was copied."""
        code = self.codes[self.variant]
        label = VARIANTS[self.variant]
        if not code:
            self.notify(f"There is no {label} code here to copy.", severity="warning")
            return
        self.app.copy_to_clipboard(code)
        self.copied = code
        lines = code.count("\n") + 1
        self.notify(
            f"Copied the {label} code ({lines} lines). Terminals without OSC 52 clipboard "
            "support ignore it: select the text instead.",
            title="Copied",
        )
