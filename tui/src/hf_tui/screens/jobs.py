"""The Jobs screen: a placeholder until the job engine lands."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import Center
from textual.screen import Screen
from textual.widgets import Footer, Header, Static


class JobsScreen(Screen[None]):
    """Background jobs (downloads, inference, training) will be listed here."""

    def compose(self) -> ComposeResult:
        yield Header()
        with Center(id="jobs-placeholder"):
            yield Static(
                "[b]Jobs[/b]\n\nBackground jobs — downloads, inference, fine-tuning — will show "
                "here, with live progress and logs, and keep running after you close hf-tui.\n"
                "Not available yet.",
                id="jobs-text",
            )
        yield Footer()
