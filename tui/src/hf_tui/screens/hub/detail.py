"""DetailScreen: what a model's and a dataset's pages share (card, metadata, license, files);
ModelDetailScreen and DatasetDetailScreen fill in the hooks."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, ClassVar

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, ItemGrid, VerticalScroll
from textual.message import Message
from textual.widgets import Button, Footer, Header, Markdown, Static

from hf_ecosystem.errors import CardError, HfEcoError
from hf_ecosystem.hub.cards import ParsedCard, parse_card_text
from hf_ecosystem.hub.types import RepoDetails, RepoKind
from hf_tui.format import human_bytes, human_count, human_date
from hf_tui.messages import JobLaunched
from hf_tui.screens.base import SHOW_CODE_KEY, HfScreen
from hf_tui.widgets.data_table import DataTable
from hf_tui.widgets.license_panel import LicensePanel

if TYPE_CHECKING:
    from hf_ecosystem.hub.backend import HubBackend


def fenced(text: str) -> str:
    """`text` as a markdown code block whose fence no line of it can close."""
    longest = max((len(m) for m in re.findall(r"`+", text)), default=0)
    fence = "`" * max(3, longest + 1)
    return f"{fence}\n{text}\n{fence}"


class DetailScreen(HfScreen):
    """Everything about one repo; loads in a worker, never blocks the UI. Subclasses name their
    `KIND` and fill in `fetch_info`, `compose_side` and `enable_actions`."""

    KIND: ClassVar[RepoKind]

    BINDINGS = [
        Binding("escape", "app.pop_screen", "Back"),
        Binding("ctrl+r", "reload", "Reload"),
        Binding("t", "try", "Try it"),
        Binding("f", "fine_tune", "Fine-tune"),
        Binding("e", "evaluate", "Evaluate"),
        Binding(SHOW_CODE_KEY, "show_code", "Code"),
    ]

    @dataclass
    class Loaded(Message):
        """Details and card text arrived."""

        details: RepoDetails
        card_text: str

    def __init__(self, repo_id: str) -> None:
        super().__init__()
        self.repo_id = repo_id
        self.parsed: ParsedCard | None = None
        self.card_error: CardError | None = None
        self.model_task: str | None = None

    @property
    def kind(self) -> RepoKind:
        """Model or dataset."""
        return self.KIND

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static(Text(f"{self.repo_id}  ·  {self.kind}", style="bold"), id="detail-title")
        with Horizontal(id="detail-body"):
            yield from self.compose_main()
            with VerticalScroll(id="side-pane"):
                yield Static("Loading…", id="meta")
                yield from self.compose_side()
                yield LicensePanel(id="license")
                yield DataTable(id="eval-results", show_cursor=False)
                yield DataTable(id="files", cursor_type="row", zebra_stripes=True)
                # A grid: the buttons wrap to a second row when the pane is narrow.
                with ItemGrid(min_column_width=17, id="actions"):
                    yield Button("Try", disabled=True, id="action-try", tooltip="Loading…")
                    yield Button(
                        "Download",
                        disabled=True,
                        id="action-download",
                        tooltip="Download into the cache as a background job",
                    )
                    yield Button(
                        "Fine-tune",
                        disabled=True,
                        id="action-fine-tune",
                        tooltip="Loading…",
                    )
                    yield Button(
                        "Evaluate",
                        disabled=True,
                        id="action-evaluate",
                        tooltip="Loading…",
                    )
        yield Footer()

    def compose_main(self) -> ComposeResult:
        """The wide left pane: the card (datasets add preview and statistics)."""
        with VerticalScroll(id="card-pane"):
            yield from self.compose_card()

    def compose_side(self) -> ComposeResult:
        """Panels between the metadata and the license (a model adds its memory estimate)."""
        yield from ()

    def compose_card(self) -> ComposeResult:
        """The rendered card and, when it is malformed, the problem."""
        yield Static("", id="card-error")
        yield Markdown("Loading the card…", id="card")

    def on_mount(self) -> None:
        self.query_one("#card-error").display = False
        self.query_one("#eval-results").display = False
        files = self.query_one("#files", DataTable)
        files.add_columns("file", "size")
        files.border_title = "Files"
        self.load()
        # A download, seed or publish that ended re-reads the hub: so does the card (Download
        # turns into "already local").
        self.watch(self.app, "backend_choice", self._hub_changed, init=False)

    def _hub_changed(self) -> None:
        self.load()

    @work(thread=True, exclusive=True, exit_on_error=False, group="detail")
    def load(self) -> None:
        """Fetch details and the card off the event loop."""
        details, card = self.fetch_details()
        self.post_message(self.Loaded(details, card))

    def fetch_details(self) -> tuple[RepoDetails, str]:
        """The repo's details and card text from the backend (runs in the load worker)."""
        choice = self.hf_app.backend_choice
        if choice is None:
            raise HfEcoError("Not connected yet", "Wait for the backend, then reload (ctrl+r).")
        backend = choice.backend
        return self.fetch_info(backend), backend.card(self.repo_id, self.KIND)

    def fetch_info(self, backend: HubBackend) -> RepoDetails:
        """The repo's details from the backend (runs in the load worker)."""
        raise NotImplementedError

    def action_reload(self) -> None:
        """Load again."""
        self.load()

    @on(Loaded)
    async def _loaded(self, message: Loaded) -> None:
        try:
            self.parsed, self.card_error = parse_card_text(message.card_text, self.KIND), None
        except CardError as exc:
            self.parsed, self.card_error = None, exc
        self._show_meta(message.details)
        self._show_files(message.details)
        self._enable_actions(message.details)
        license_id = self.parsed.license if self.parsed else message.details.summary.license
        self.query_one(LicensePanel).show_license(license_id)
        card = self.query_one("#card", Markdown)
        error = self.query_one("#card-error", Static)
        if self.card_error is not None:
            error.update(Text(f"{self.card_error.title}\n{self.card_error.hint}", style="bold red"))
            error.display = True
            await card.update(fenced(message.card_text))
        elif not message.card_text.strip():
            await card.update("*This repo has no card (README.md).*")
        else:
            await card.update(self.parsed.body if self.parsed else message.card_text)

    def _enable_actions(self, details: RepoDetails) -> None:
        task = details.summary.task or (self.parsed.pipeline_tag if self.parsed else None)
        self.query_one(
            "#action-try", Button
        ).tooltip = f"No runnable task for this repo ({task or 'no pipeline tag'})"
        self.query_one(
            "#action-fine-tune", Button
        ).tooltip = "Open the training form with this model filled in"
        self.query_one(
            "#action-evaluate", Button
        ).tooltip = "Evaluate this model on a dataset: metrics, confusion, errors"
        self.enable_actions(task)
        download = self.query_one("#action-download", Button)
        download.disabled = bool(details.local_path)  # already on this machine
        if details.local_path:
            download.tooltip = f"Already local: {details.local_path}"

    def enable_actions(self, task: str | None) -> None:
        """Enable what this kind of repo offers besides Download (nothing here)."""

    @on(Button.Pressed, "#action-try")
    def action_try(self) -> None:
        """Open the Try screen for this model's task."""
        from hf_tui.screens.hub.try_model import TryScreen

        if self.model_task is not None:
            self.app.push_screen(TryScreen(self.repo_id, self.model_task))

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """Trying, fine-tuning and evaluating are for models: their keys are hidden (and do
        nothing) unless a subclass offers them."""
        return action not in ("try", "fine_tune", "evaluate")

    @on(Button.Pressed, "#action-fine-tune")
    def action_fine_tune(self) -> None:
        """Open the New-training form with this model filled in."""
        if not self.query_one("#action-fine-tune", Button).disabled:
            self.hf_app.open_new_training(self.repo_id)

    @on(Button.Pressed, "#action-evaluate")
    def action_evaluate(self) -> None:
        """Open the Evaluate form with this model filled in."""
        if not self.query_one("#action-evaluate", Button).disabled:
            self.hf_app.open_evaluate_form(self.repo_id)

    @on(Button.Pressed, "#action-download")
    def action_download(self) -> None:
        """Download this repo into the cache as a job."""
        self.launch_download()

    @work(thread=True, exclusive=True, exit_on_error=False, group="download")
    def launch_download(self) -> None:
        """Queue the download job off the event loop."""
        from hf_ecosystem.jobs.spec import JobSpec

        spec = JobSpec.create("download", repo_id=self.repo_id, repo_type=self.KIND)
        record = self.hf_app.job_manager().launch(spec)
        self.post_message(JobLaunched(record.id))  # the app follows it and re-reads the hub
        self.app.call_from_thread(
            self.notify, f"Job {record.id}: progress on the Jobs screen (4).", title="Downloading"
        )

    def _show_meta(self, details: RepoDetails) -> None:
        s = details.summary
        p = self.parsed
        rows: list[tuple[str, str]] = [
            ("task", s.task or (p.pipeline_tag if p else None) or "—"),
            ("library", s.library or (p.library_name if p else None) or "—"),
            ("languages", ", ".join(s.languages or (p.languages if p else ())) or "—"),
            ("base model", ", ".join(p.base_models) if p and p.base_models else "—"),
            ("datasets", ", ".join(p.datasets) if p and p.datasets else "—"),
            ("tags", ", ".join((p.tags if p else ()) or s.tags) or "—"),
            ("downloads", human_count(s.downloads)),
            ("likes", human_count(s.likes)),
            ("updated", human_date(s.last_modified)),
        ]
        rows.extend(self.meta_rows(details))
        rows.append(("total size", human_bytes(details.total_size)))
        text = Text()
        for label, value in rows:
            text.append(f"{label:<11}", style="bold")
            text.append(f"{value}\n")
        meta = self.query_one("#meta", Static)
        meta.border_title = "Metadata"
        meta.update(text)
        table = self.query_one("#eval-results", DataTable)
        table.clear(columns=True)
        if p and p.results:
            table.add_columns("task", "dataset", "metric", "value")
            for r in p.results:
                table.add_row(r.task, r.dataset, r.metric, str(r.value))
            table.border_title = f"Evaluation results ({p.model_name or 'model-index'})"
            table.display = True

    def meta_rows(self, details: RepoDetails) -> list[tuple[str, str]]:
        """Metadata rows only this kind of repo has (a model's parameter count)."""
        return []

    def _show_files(self, details: RepoDetails) -> None:
        files = self.query_one("#files", DataTable)
        files.clear()
        for f in details.files:
            files.add_row(f.path, human_bytes(f.size), key=f.path)
        files.border_title = f"Files ({len(details.files)}, {human_bytes(details.total_size)})"

    async def worker_failed(self, group: str, title: str, hint: str) -> None:
        if group == "detail":
            self.query_one("#meta", Static).update(Text(f"{title}\n{hint}", style="red"))
            await self.query_one("#card", Markdown).update(f"**{title}**\n\n{hint}")
