"""The Textual app: for now a shell that shows which hub backend is in use."""

from __future__ import annotations

from textual import on, work
from textual.app import App, ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.widgets import Footer, Header, Static
from textual.worker import Worker, WorkerState

from hf_ecosystem.config import Settings, load_settings
from hf_ecosystem.errors import HfEcoError
from hf_ecosystem.hub.local import LocalHub
from hf_ecosystem.hub.selection import BackendChoice, select_backend
from hf_tui import __version__
from hf_tui.messages import BackendSelected


class HfTuiApp(App[int]):
    """hf-tui: browse the Hub, see the machine, run jobs."""

    TITLE = "hf-tui"
    CSS_PATH = "app.tcss"
    BINDINGS = [Binding("q", "quit", "Quit"), Binding("ctrl+c", "quit", "Quit", show=False)]

    def __init__(self, settings: Settings | None = None, *, offline: bool = False) -> None:
        super().__init__()
        self.settings = settings
        self.offline = offline
        self.backend_choice: BackendChoice | None = None

    def compose(self) -> ComposeResult:
        yield Header()
        with Vertical(id="welcome"):
            yield Static(
                f"hf-tui {__version__} — a terminal workbench for Hugging Face", id="title"
            )
            yield Static("Connecting…", id="backend")
        yield Footer()

    def on_mount(self) -> None:
        self.sub_title = "connecting…"
        self.choose_backend()

    @work(thread=True, exclusive=True, exit_on_error=False, group="hub")
    def choose_backend(self) -> None:
        """Pick the backend off the event loop (probing the endpoint can take seconds)."""
        settings = self.settings or load_settings()
        choice = select_backend(settings, offline=self.offline or None)
        if isinstance(choice.backend, LocalHub):
            choice.backend.refresh()  # index build/refresh here, off the event loop
        self.post_message(BackendSelected(choice))

    @on(BackendSelected)
    def show_backend(self, message: BackendSelected) -> None:
        self.backend_choice = message.choice
        self.sub_title = message.choice.backend.description
        self.query_one("#backend", Static).update(f"Backend: {message.choice.description}")

    @on(Worker.StateChanged)
    def worker_failed(self, event: Worker.StateChanged) -> None:
        if event.state != WorkerState.ERROR or event.worker.error is None:
            return
        error = event.worker.error
        title = error.title if isinstance(error, HfEcoError) else type(error).__name__
        hint = error.hint if isinstance(error, HfEcoError) else str(error)
        self.query_one("#backend", Static).update(f"Backend unavailable: {title}")
        self.notify(hint or title, title=title, severity="error", timeout=10)


def run_app(*, offline: bool = False) -> int:
    """Run the TUI until the user quits; fatal start-up errors exit with a message."""
    try:
        settings = load_settings()
    except HfEcoError as exc:
        import sys

        sys.stderr.write(f"hf-tui cannot start: {exc}\n")
        return 2
    result = HfTuiApp(settings, offline=offline).run()
    return result or 0
