"""The Publish screen: the files to upload, the model card to edit, then the job and its outcome."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.message import Message
from textual.widgets import (
    Button,
    Checkbox,
    Footer,
    Header,
    Input,
    Label,
    ProgressBar,
    RichLog,
    Static,
    TextArea,
)

from hf_ecosystem.errors import InvalidRepoIdError
from hf_ecosystem.hub.repo_id import validate_repo_id
from hf_ecosystem.jobs.store import JobRecord
from hf_ecosystem.publishing.plan import PublishPlan, SecretFileError
from hf_ecosystem.publishing.staging import default_repo_id
from hf_ecosystem.snippets import CodeRequest, PublishCode
from hf_tui.messages import JobLaunched, JobUpdated
from hf_tui.screens.base import SHOW_CODE_KEY, HfScreen
from hf_tui.screens.runs.publish_outcome import outcome_text
from hf_tui.widgets.job_follower import JobFollower, show_events
from hf_tui.widgets.publish_plan_view import PublishPlanView

if TYPE_CHECKING:
    from hf_ecosystem.training.runs import RunSummary

POLL_SECONDS = 0.5
REGENERATE_SECONDS = 0.4  # the card follows the repo id and license once typing pauses
# name, label, placeholder
FIELDS = (
    ("repo", "repo id", "org/name"),
    ("tag", "tag", "v1 (optional)"),
    ("license", "license", "empty: the base model's"),
    ("message", "commit message", "default: Upload <name>"),
)


class PublishScreen(HfScreen):
    """Plan (files, sizes, refusals), card preview to edit, Publish as a job, watch the outcome."""

    BINDINGS = [
        Binding("escape", "app.pop_screen", "Back"),
        Binding("ctrl+s", "publish", "Publish"),
        Binding("ctrl+g", "regenerate", "Regenerate card"),
        Binding("ctrl+r", "reload", "Reload files"),
        Binding(SHOW_CODE_KEY, "show_code", "Code"),
    ]

    @dataclass
    class Planned(Message):
        """The folder was planned: its files, or the secrets that refuse it."""

        source: Path
        run: RunSummary | None
        plan: PublishPlan | None
        refusal: SecretFileError | None

    @dataclass
    class CardReady(Message):
        """A model card was generated for the current repo id and license."""

        text: str
        origin: str
        license: str | None
        warnings: tuple[str, ...]

    def __init__(self, target: str, *, interval: float = POLL_SECONDS) -> None:
        super().__init__()
        self.target = target  # a train job id or a model folder
        self.interval = interval
        self.source: Path | None = None
        self.run: RunSummary | None = None
        self.plan: PublishPlan | None = None
        self.job_id: str | None = None
        self.record: JobRecord | None = None
        self.card_path: Path | None = None
        self._generated = ""  # the card as last generated: anything else is the user's edit
        self._local_touched = self._private_touched = False  # untouched private: repo's own

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static(Text(f"Publish {self.target}", style="bold"), id="publish-title")
        with Horizontal(id="publish-body"):
            with VerticalScroll(id="publish-form"):
                for name, label, placeholder in FIELDS:
                    with Horizontal(classes="form-row"):
                        yield Label(label, classes="form-label")
                        yield Input(placeholder=placeholder, id=f"field-{name}")
                    yield Static("", id=f"error-{name}", classes="field-error")
                yield Checkbox("into the local hub (offline, on this machine)", id="field-local")
                yield Checkbox("private repo (Hub only)", True, id="field-private")
                yield PublishPlanView(id="publish-plan")
                yield Static("", id="publish-outcome")
                yield ProgressBar(id="publish-progress", show_eta=False)
                yield RichLog(id="publish-log", wrap=True, markup=False, max_lines=500)
            with Vertical(id="publish-side"):
                yield Static("Generating the model card…", id="card-status")
                yield TextArea("", id="publish-card")
                with Horizontal(id="publish-actions"):
                    yield Button("Publish (ctrl+s)", variant="primary", disabled=True, id="publish")
                    yield Button("Regenerate card (ctrl+g)", id="regenerate")
                    yield Button("Back (esc)", id="back")
        yield JobFollower(interval=self.interval, when_finished=self._refresh_local_hub)
        yield Footer()

    def on_mount(self) -> None:
        self.query_one("#publish-card", TextArea).border_title = "Model card (README.md): edit me"
        self.query_one("#publish-log", RichLog).border_title = "Publish job"
        self.query_one("#publish-progress").display = False
        self.query_one("#publish-log").display = False
        with self.prevent(Checkbox.Changed):
            self.query_one("#field-local", Checkbox).value = self.local_by_default()
        self.query_one("#field-private", Checkbox).disabled = self.local
        self.watch(self.app, "backend_choice", self._backend_chosen, init=False)
        self.load(self.local)

    def local_by_default(self) -> bool:
        """Offline (flag, setting, or the local hub in use): publish into the local hub."""
        app = self.hf_app
        choice = app.backend_choice
        offline_setting = app.settings is not None and app.settings.offline
        return app.offline or offline_setting or (choice is not None and choice.backend.is_offline)

    def _backend_chosen(self) -> None:
        if not self._local_touched:
            with self.prevent(Checkbox.Changed):
                self.query_one("#field-local", Checkbox).value = self.local_by_default()
            self.query_one("#field-private", Checkbox).disabled = self.local

    # -- the plan -----------------------------------------------------------------------------

    @work(thread=True, exclusive=True, exit_on_error=False, group="publish-load")
    def load(self, local: bool) -> None:
        """Find the model folder and plan its upload with the run's warnings, off the event loop."""
        from hf_ecosystem.publishing.staging import plan_source, publish_source

        manager = self.hf_app.job_manager()
        source, run = publish_source(self.target, manager)
        try:
            plan = plan_source(source, run, settings=manager.settings, remote=not local)
            self.post_message(self.Planned(source, run, plan, None))
        except SecretFileError as exc:
            self.post_message(self.Planned(source, run, None, exc))

    @on(Planned)
    def _planned(self, message: Planned) -> None:
        self.source, self.run, self.plan = message.source, message.run, message.plan
        title = Text(f"Publish {message.source}", style="bold")
        if message.run is not None:
            title.append(f"  ·  run {message.run.record.id}", style="dim")
        self.query_one("#publish-title", Static).update(title)
        repo = self.query_one("#field-repo", Input)
        if not repo.value:
            user = self.hf_app.user_line
            model = str(message.run.config.get("model", "")) if message.run else ""
            with self.prevent(Input.Changed):
                repo.value = default_repo_id(
                    user[1:] if user.startswith("@") else None, model or str(message.source)
                )
        self.query_one(PublishPlanView).show(message.plan, message.refusal)
        self._enable_publish()
        unedited = self.query_one("#publish-card", TextArea).text == self._generated
        if message.plan is not None and unedited:  # a reload keeps the user's edits
            self.action_regenerate()

    def _enable_publish(self) -> None:
        launching = self.job_id == ""
        busy = launching or (self.record is not None and self.record.is_active)
        self.query_one("#publish", Button).disabled = self.plan is None or busy
        self.query_one("#regenerate", Button).disabled = self.plan is None

    def action_reload(self) -> None:
        """Plan the folder again (after moving a secret out of it, say)."""
        self.load(self.local)

    # -- the card -----------------------------------------------------------------------------

    def action_regenerate(self, confirmed: bool = False) -> None:
        """Build the card again from the run and the form (asks first if it was edited)."""
        from hf_tui.modals.confirm import ConfirmModal

        if self.plan is None:
            return
        edited = self.query_one("#publish-card", TextArea).text != self._generated
        if edited and not confirmed:

            def answered(yes: bool | None) -> None:
                if yes:
                    self.action_regenerate(confirmed=True)

            question = "Regenerate the model card?\nYour edits to the card are replaced."
            self.app.push_screen(ConfirmModal(question, "Regenerate"), answered)
            return
        repo = self._check_repo()
        if repo is not None:
            self.generate_card(self.plan, repo, self._value("license") or None, self.local)

    @on(Button.Pressed, "#regenerate")
    def _regenerate_pressed(self) -> None:
        self.action_regenerate()

    @work(thread=True, exclusive=True, exit_on_error=False, group="publish-card")
    def generate_card(
        self, plan: PublishPlan, repo_id: str, license: str | None, local: bool
    ) -> None:
        """The card prepare_card would publish (base model card looked up off the event loop)."""
        from hf_ecosystem.publishing.hub import prepare_card

        settings = self.hf_app.job_manager().settings
        card = prepare_card(
            plan, repo_id, run=self.run, license=license, settings=settings, remote=not local
        )
        self.post_message(self.CardReady(card.text, card.origin, card.license, card.warnings))

    @on(CardReady)
    def _card_ready(self, message: CardReady) -> None:
        self._generated = message.text
        self.query_one("#publish-card", TextArea).load_text(message.text)
        origin = {
            "generated": "generated from the run and the base model's card",
            "folder": "the folder's own README.md",
        }.get(message.origin, message.origin)
        status = Text(f"Card: {origin} · license {message.license or 'none'}")
        if message.origin == "generated":
            status.append("\nEdit 'Intended uses & limitations' before publishing.", style="dim")
        for warning in message.warnings:
            status.append(f"\n{warning}", style="yellow")
        self.query_one("#card-status", Static).update(status)

    @on(Input.Changed, "#field-repo, #field-license")
    def _identity_changed(self, event: Input.Changed) -> None:
        if event.input.id == "field-repo":
            self._check_repo()
        if self.query_one("#publish-card", TextArea).text != self._generated:
            return  # the user's edits win; ctrl+g regenerates on request
        self.rearm(REGENERATE_SECONDS, self._regenerate_if_valid, name="regenerate")

    def _regenerate_if_valid(self) -> None:
        if self._check_repo() is not None:
            self.action_regenerate()

    @on(Checkbox.Changed, "#field-local")
    def _local_changed(self) -> None:
        self._local_touched = True
        self.query_one("#field-private", Checkbox).disabled = self.local

    @on(Checkbox.Changed, "#field-private")
    def _private_changed(self) -> None:
        self._private_touched = True

    def _private(self) -> bool | None:
        """The visibility to set: only one the user chose, and never for the local hub."""
        chosen = self._private_touched and not self.local
        return self.query_one("#field-private", Checkbox).value if chosen else None

    # -- publishing ---------------------------------------------------------------------------

    @property
    def local(self) -> bool:
        """Into the local hub rather than the Hub."""
        return self.query_one("#field-local", Checkbox).value

    def _value(self, name: str) -> str:
        return self.query_one(f"#field-{name}", Input).value.strip()

    def _check_repo(self) -> str | None:
        """The valid repo id, or None with the problem shown under the field."""
        error = self.query_one("#error-repo", Static)
        field = self.query_one("#field-repo", Input)
        try:
            repo = validate_repo_id(field.value)
        except InvalidRepoIdError as exc:
            error.update(f"{exc.title}: {exc.hint}")
            error.display = True
            field.set_class(True, "bad")
            return None
        error.update("")
        error.display = False
        field.set_class(False, "bad")
        return repo

    def code_requests(self) -> list[CodeRequest]:
        """This folder published as the repo the form names (once the repo id is valid)."""
        repo = self._check_repo()
        if self.source is None or repo is None:
            self.notify("Nothing to publish yet: a folder and a valid repo id come first.",
                        severity="warning")  # fmt: skip
            return []
        return [PublishCode(str(self.source), repo, private=self._private(), local=self.local,
                            tag=self._value("tag") or None,
                            commit_message=self._value("message") or None)]  # fmt: skip

    @on(Button.Pressed, "#publish")
    def action_publish(self) -> None:
        """Save the edited card and launch the publish job (nothing starts while invalid)."""
        if self.plan is None or self.source is None:
            self.notify("There is nothing to publish from this folder.", severity="warning")
            return
        if self.query_one("#publish", Button).disabled:
            self.notify("A publish job is already running.", severity="warning")
            return
        repo = self._check_repo()
        if repo is None:
            self.query_one("#field-repo", Input).focus()
            return
        params: dict[str, Any] = {
            "source": str(self.source),
            "repo_id": repo,
            "local": self.local,
            "private": self._private(),
            "tag": self._value("tag"),
            "license": self._value("license"),
            "commit_message": self._value("message"),
            "run": self.run.record.id if self.run is not None else None,
        }
        self.job_id = ""  # launching: Publish stays disabled until the job is known
        self._enable_publish()
        text = self.query_one("#publish-card", TextArea).text
        self.launch({k: v for k, v in params.items() if v not in (None, "")}, text)

    @on(Button.Pressed, "#back")
    def _back(self) -> None:
        self.app.pop_screen()

    @work(thread=True, exclusive=True, exit_on_error=False, group="publish-launch")
    def launch(self, params: dict[str, Any], card_text: str) -> None:
        """Save the edited card (a broken card or a pasted token stops here), then launch."""
        from hf_ecosystem.jobs.spec import JobSpec
        from hf_ecosystem.publishing.staging import stage_card

        manager = self.hf_app.job_manager()
        card = stage_card(card_text, params["source"], manager.settings)
        record = manager.launch(JobSpec.create("publish", **params, card=str(card)))
        self.post_message(JobLaunched(record.id, card))

    @on(JobLaunched)
    def _launched(self, message: JobLaunched) -> None:
        self.job_id, self.card_path = message.job_id, message.saved
        self.query_one("#publish-progress").display = True
        log = self.query_one("#publish-log", RichLog)
        log.display = True
        log.clear()
        log.write(f"card saved to {message.saved}")
        self.notify(f"Job {message.job_id}: progress here and on Jobs (4).", title="Publishing")
        self.query_one(JobFollower).follow(message.job_id)

    def _refresh_local_hub(self, record: JobRecord) -> None:
        """A finished local publish re-reads the local hub, for search (follower's thread)."""
        from hf_ecosystem.hub.local import LocalHub

        choice = self.hf_app.backend_choice
        if record.status == "succeeded" and choice and isinstance(choice.backend, LocalHub):
            choice.backend.refresh()

    @on(JobUpdated)
    def _updated(self, message: JobUpdated) -> None:
        if message.record.id != self.job_id:
            return
        self.record = message.record
        log = self.query_one("#publish-log", RichLog)
        bar = self.query_one("#publish-progress", ProgressBar)
        show_events(message.events, log, bar)
        self._show_outcome(message.record)
        self._enable_publish()

    def _show_outcome(self, record: JobRecord) -> None:
        text, done = outcome_text(record)
        if done:
            bar = self.query_one("#publish-progress", ProgressBar)
            bar.update(total=bar.total or 1, progress=bar.total or 1)
        self.query_one("#publish-outcome", Static).update(text)

    def worker_failed(self, group: str, title: str, hint: str) -> None:
        if group == "publish-load":
            self.plan = None
            self._enable_publish()
            self.query_one(PublishPlanView).refuse(Text(f"{title}\n{hint}"))
        elif group == "publish-launch":
            self.job_id = None
            self._enable_publish()
