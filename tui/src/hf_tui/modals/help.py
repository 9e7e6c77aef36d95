"""The help screen: what each key does, everywhere and on the current screen."""

from __future__ import annotations

from rich.table import Table
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Static

GLOBAL_KEYS = [
    ("1 / 2 / 3 / 4 / 5", "Models / Datasets / Device / Jobs / Runs"),
    ("/", "focus the search box"),
    ("j / k, ↑ / ↓", "move in a list"),
    ("enter", "open the selected repo"),
    ("esc", "back / close"),
    ("tab / shift+tab", "next / previous field"),
    ("f", "show or hide filters"),
    ("f / e (model page)", "fine-tune / evaluate this model (a form, prefilled)"),
    ("n (Runs)", "new training: presets, live YAML preview"),
    ("space / c (Runs)", "mark runs / compare them"),
    ("e / p (Runs)", "evaluate / publish the selected run (p also in Run and Evaluate views)"),
    ("ctrl+s (forms)", "start a training, launch an evaluation"),
    ("ctrl+s (Publish)", "publish with the edited card; ctrl+g regenerates the card"),
    ("ctrl+o", "show code: this screen's work as Python (hf_ecosystem / plain), to copy"),
    ("ctrl+p", "command palette: every screen and action"),
    ("?", "this help"),
    ("q", "quit"),
]


class HelpScreen(ModalScreen[None]):
    """Keys of the app and of the screen it was opened from."""

    BINDINGS = [
        Binding("escape", "dismiss", "Close"),
        Binding("question_mark", "dismiss", "Close", show=False),
        Binding("q", "dismiss", "Close", show=False),
    ]

    def __init__(self, screen_keys: list[tuple[str, str]]) -> None:
        super().__init__()
        self.screen_keys = screen_keys

    def compose(self) -> ComposeResult:
        table = Table(show_header=False, box=None, pad_edge=False)
        table.add_column(style="bold cyan", no_wrap=True)
        table.add_column()
        for key, what in GLOBAL_KEYS:
            table.add_row(key, what)
        if self.screen_keys:
            table.add_row("", "")
            table.add_row("[b]this screen[/b]", "")
            for key, what in self.screen_keys:
                table.add_row(key, what)
        with VerticalScroll(id="help-box"):
            yield Static("[b]hf-tui — keys[/b]  (esc to close)\n", id="help-title")
            yield Static(table, id="help-table")
            yield Static(
                "\nThe mouse works too: click rows, tabs and buttons; scroll lists with the wheel.",
                id="help-mouse",
            )
