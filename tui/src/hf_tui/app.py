"""The Textual app: Models, Datasets, Device, Jobs and Runs screens over the shared core."""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterable, Iterator
from functools import partial
from typing import TYPE_CHECKING, Any

from textual import on, work
from textual.app import App, SystemCommand
from textual.binding import Binding
from textual.message import Message
from textual.reactive import reactive
from textual.screen import Screen
from textual.worker import Worker, WorkerState

from hf_ecosystem.config import Settings, load_settings
from hf_ecosystem.device.types import DeviceSnapshot
from hf_ecosystem.errors import HfEcoError
from hf_ecosystem.hub.selection import BackendChoice, select_backend
from hf_ecosystem.hub.types import RepoKind
from hf_tui.errors import describe_error
from hf_tui.hub_jobs import HubJobsChecked, HubJobWatch
from hf_tui.messages import BackendSelected, DeviceSummarised, JobLaunched, UserResolved
from hf_tui.modals.help import HelpScreen
from hf_tui.palette import binding_commands
from hf_tui.screens.base import HfScreen, focus_first
from hf_tui.screens.hub.datasets import DatasetsScreen
from hf_tui.screens.hub.models import ModelsScreen

if TYPE_CHECKING:
    from hf_ecosystem.jobs.manager import JobManager

SCREENS_HELP = {
    "models": ("Models", "Search Hub models: filters, sorts, cards"),
    "datasets": ("Datasets", "Search Hub datasets"),
    "device": ("Device", "CPUs, RAM, each GPU's memory and load"),
    "jobs": ("Jobs", "Background jobs: progress, events, cancel"),
    "runs": ("Runs", "Training runs: live curves, compare, resume, evaluate"),
    "learn": ("Learn", "The course: lessons, open in Jupyter, do it here"),
}


class HfTuiApp(App[int]):
    """hf-tui: browse the Hub, see the machine, run jobs."""

    TITLE = "hf-tui"
    CSS_PATH = "app.tcss"
    MODES = {
        "models": ModelsScreen,
        "datasets": DatasetsScreen,
    }
    DEFAULT_MODE = "models"
    BINDINGS = [
        Binding("1", "go('models')", "Models"),
        Binding("2", "go('datasets')", "Datasets"),
        Binding("3", "go('device')", "Device"),
        Binding("4", "go('jobs')", "Jobs"),
        Binding("5", "go('runs')", "Runs"),
        Binding("6", "go('learn')", "Learn"),
        Binding("question_mark", "help", "Help"),
        Binding("q", "quit", "Quit"),
        # Focus moves as soon as the app reads tab, not after the key has gone through the
        # focused field's queue: keys typed right after a tab (a burst from a fast typist or a
        # paste over SSH) go to the next field, not the one being left.
        Binding("tab", "app.focus_next", "Next field", show=False, priority=True),
        Binding("shift+tab", "app.focus_previous", "Previous field", show=False, priority=True),
    ]

    backend_choice: reactive[BackendChoice | None] = reactive(None, init=False)
    _backend_error: str | None = None  # kept in the header until a backend is chosen
    user_line: reactive[str] = reactive("…", init=False)
    device_line: reactive[str] = reactive("…", init=False)

    def __init__(
        self,
        settings: Settings | None = None,
        *,
        offline: bool = False,
        sampler: Callable[[], DeviceSnapshot] | None = None,
        max_running_jobs: int | None = None,
    ) -> None:
        super().__init__()
        self.settings = settings
        self.offline = offline
        self.sampler = sampler  # how the machine is read; tests pass a fixed one
        self.max_running_jobs = max_running_jobs  # None: one per GPU; tests pass 0 (queue only)
        self._job_manager: JobManager | None = None
        self.hub_jobs = HubJobWatch(self)  # a finished seed or publish refreshes the lists
        self.add_mode("device", self._device_screen)  # per instance: it gets the app's sampler
        self.add_mode("jobs", self._jobs_screen)
        self.add_mode("runs", self._runs_screen)
        self.add_mode("learn", self._learn_screen)

    def job_manager(self) -> JobManager:
        """The app's job manager (made on first use, in whichever worker needs it first)."""
        if self._job_manager is None:
            from hf_ecosystem.jobs.manager import JobManager

            self._job_manager = JobManager(self.settings, max_running=self.max_running_jobs)
        return self._job_manager

    def _learn_screen(self) -> Screen[None]:
        from hf_tui.screens.learn import LearnScreen

        return LearnScreen()

    def _runs_screen(self) -> Screen[None]:
        from hf_tui.screens.runs.runs import RunsScreen

        return RunsScreen()

    def _jobs_screen(self) -> Screen[None]:
        # Imported on first visit, like the Device screen: the job store is not needed at start.
        from hf_tui.screens.jobs import JobsScreen

        return JobsScreen()

    def _device_screen(self) -> Screen[None]:
        # Imported on first visit: the Device screen's widgets are not needed at start-up.
        from hf_tui.screens.device import DeviceScreen

        return DeviceScreen(sampler=self.sampler)

    def on_mount(self) -> None:
        self.sub_title = "connecting…"
        # Start the background work after the first frame so it does not delay it.
        self.call_after_refresh(self.choose_backend)
        self.call_after_refresh(self.summarise_device)

    # -- start-up work, off the event loop ---------------------------------------------------

    @work(thread=True, exclusive=True, exit_on_error=False, group="backend")
    def choose_backend(self) -> None:
        """Pick the backend (probing the endpoint can take seconds) and warm the local index."""
        from hf_ecosystem.hub.local import LocalHub

        settings = self.settings or load_settings()
        choice = select_backend(settings, offline=self.offline or None)
        empty = False
        if isinstance(choice.backend, LocalHub):
            choice.backend.refresh()
            empty = choice.backend.count() == 0
        self.post_message(BackendSelected(choice, empty_local_hub=empty))
        self.resolve_user(choice)

    @work(thread=True, exclusive=True, exit_on_error=False, group="user")
    def resolve_user(self, choice: BackendChoice) -> None:
        """Who is logged in, without ever touching the token on screen."""
        from hf_ecosystem.hub import auth

        if choice.backend.is_offline or not auth.current_token():
            line = "not logged in" if not auth.current_token() else "token set (offline)"
        else:
            try:
                line = f"@{auth.whoami(self.settings).name}"
            except HfEcoError as exc:
                line = f"login problem: {exc.title}"
        self.post_message(UserResolved(line))

    @work(thread=True, exclusive=True, exit_on_error=False, group="device-summary")
    def summarise_device(self) -> None:
        """One line about the machine for the header."""
        if self.sampler is None:
            from hf_ecosystem.device import snapshot

            self.sampler = snapshot
        self.post_message(DeviceSummarised(self.sampler().summary()))

    @on(BackendSelected)
    def _backend_selected(self, message: BackendSelected) -> None:
        self.backend_choice = message.choice
        if message.empty_local_hub:
            self.notify(
                "Seed it with a real model, real datasets and a tiny model per task: "
                "ctrl+p → 'Seed the demo hub', or `hf-tui demo seed`.",
                title="The local hub is empty",
                timeout=15,
            )

    def action_seed_demo(self) -> None:
        """Launch the demo-seed job (after confirmation); progress shows on the Jobs screen."""
        from hf_tui.modals.confirm import ConfirmModal

        def answered(yes: bool | None) -> None:
            if yes:
                self.launch_seed()

        question = (
            "Add the demo to the local hub?\nall-MiniLM-L6-v2, BBC News, WNUT-16, digits and a "
            "tiny random model for every task. It runs as a background job (about a minute)."
        )
        self.push_screen(ConfirmModal(question, "Seed"), answered)

    @work(thread=True, exclusive=True, exit_on_error=False, group="seed")
    def launch_seed(self) -> None:
        """Queue the job off the event loop."""
        from hf_ecosystem.jobs.spec import JobSpec

        record = self.job_manager().launch(JobSpec.create("demo-seed"))
        self.post_message(JobLaunched(record.id))
        self.call_from_thread(
            self.notify,
            f"Job {record.id} started: see Jobs (4). The lists show its repos when it is done.",
            title="Seeding the demo hub",
        )

    @on(JobLaunched)
    def _job_launched(self, message: JobLaunched) -> None:
        self.hub_jobs.add(message.job_id)  # every screen's launches bubble up to here

    @on(HubJobsChecked)
    def _hub_jobs_checked(self, message: HubJobsChecked) -> None:
        self.hub_jobs.checked(message)

    @on(UserResolved)
    def _user_resolved(self, message: UserResolved) -> None:
        self.user_line = message.line

    @on(DeviceSummarised)
    def _device_summarised(self, message: DeviceSummarised) -> None:
        self.device_line = message.line

    def on_device_screen_sampled(self, message: Message) -> None:
        """While the Device screen polls, the header's device line follows it."""
        snapshot = getattr(message, "snapshot", None)
        if isinstance(snapshot, DeviceSnapshot):
            self.device_line = snapshot.summary()

    def watch_backend_choice(self) -> None:
        self._update_sub_title()

    def watch_user_line(self) -> None:
        self._update_sub_title()

    def watch_device_line(self) -> None:
        self._update_sub_title()

    def _update_sub_title(self) -> None:
        choice = self.backend_choice
        backend = choice.backend.description if choice else self._backend_error or "connecting…"
        self.sub_title = f"{backend} · {self.user_line} · {self.device_line}"

    @on(Worker.StateChanged)
    def _worker_failed(self, event: Worker.StateChanged) -> None:
        if event.state != WorkerState.ERROR or event.worker.error is None:
            return
        if event.worker.node is not self:
            return  # screens report their own workers' errors
        error = event.worker.error
        title, hint = describe_error(error)
        if event.worker.group == "backend":
            # The user and device lines arrive later and redraw the header: keep the failure in it.
            self._backend_error = f"backend unavailable: {title}"
            self._update_sub_title()
        self.notify(hint or title, title=title, severity="error", timeout=10, markup=False)

    # -- navigation ---------------------------------------------------------------------------

    async def action_go(self, mode: str) -> None:
        """Show a screen's list: switch to its mode, close any page left open on it, focus it."""
        if self.current_mode != mode:
            await self.switch_mode(mode)
        while len(self.screen_stack) > 1:
            await self.pop_screen()
        screen = self.screen
        if isinstance(screen, HfScreen):
            screen.focus_list()
        else:
            focus_first(screen)

    def open_detail(self, repo_id: str, kind: RepoKind) -> None:
        """Push the Detail screen of a repo."""
        # Imported on first use: markdown rendering and plots are not needed at start.
        if kind == "dataset":
            from hf_tui.screens.hub.dataset_detail import DatasetDetailScreen

            self.push_screen(DatasetDetailScreen(repo_id))
            return
        from hf_tui.screens.hub.model_detail import ModelDetailScreen

        self.push_screen(ModelDetailScreen(repo_id))

    def open_new_training(
        self, model: str = "", *, clone: tuple[str, dict[str, Any]] | None = None
    ) -> None:
        """Push the New-training form (pre-filled with `model`, or with a run's spec to clone)."""
        from hf_tui.screens.runs.new_training import NewTrainingScreen

        self.push_screen(NewTrainingScreen(model, clone=clone))

    def open_evaluate_form(self, model: str | None = None) -> None:
        """Push the Evaluate form (pre-filled with `model` when given)."""
        from hf_tui.screens.runs.evaluate_form import EvaluateFormScreen

        self.push_screen(EvaluateFormScreen(model))

    def open_run(self, job_id: str) -> None:
        """Push the Run view of a training job."""
        from hf_tui.screens.runs.run_view import RunViewScreen

        self.push_screen(RunViewScreen(job_id))

    def open_evaluation(self, job_id: str) -> None:
        """Push the Evaluate view of an evaluate job."""
        from hf_tui.screens.runs.evaluation_view import EvaluationViewScreen

        self.push_screen(EvaluationViewScreen(job_id))

    def open_publish(self, job_id_or_dir: str) -> None:
        """Push the Publish screen of a training run (by job id) or of a model folder."""
        from hf_tui.screens.runs.publish import PublishScreen

        self.push_screen(PublishScreen(job_id_or_dir))

    def action_help(self) -> None:
        """Show the keys of the app and of the current screen."""
        keys = [
            (b.key_display or b.key, b.description)
            for b in self.screen.BINDINGS
            if isinstance(b, Binding) and b.description
        ]
        self.push_screen(HelpScreen(keys))

    def get_system_commands(self, screen: Screen[object]) -> Iterable[SystemCommand]:
        commands = [*super().get_system_commands(screen), *self._app_commands(screen)]
        yield from commands
        # Then every other action the footer or the help names on this screen.
        yield from binding_commands(self, screen, (c.title for c in commands))

    def _app_commands(self, screen: Screen[object]) -> Iterator[SystemCommand]:
        for mode, (title, help_text) in SCREENS_HELP.items():
            yield SystemCommand(f"Go to {title}", help_text, partial(self.action_go, mode))
        yield SystemCommand("Help", "Keys of every screen", self.action_help)
        yield SystemCommand(
            "Seed the demo hub", "Demo models and datasets for offline use", self.action_seed_demo
        )
        yield SystemCommand(
            "New training", "Fine-tune a model: presets, live YAML preview", self.open_new_training
        )
        # On a model's Detail page the form starts with that model.
        model = getattr(screen, "repo_id", None) if getattr(screen, "kind", "") == "model" else None
        yield SystemCommand(
            "Evaluate a model",
            "Any model on any dataset: metrics, confusion, errors",
            lambda: self.open_evaluate_form(model),
        )
        publish = getattr(screen, "action_publish", None)
        if callable(publish):  # the Runs table, a Run view, an Evaluate view, the Publish screen
            yield SystemCommand(
                "Publish", "Push this model to the Hub or the local hub, card first", publish
            )
        if isinstance(screen, ModelsScreen | DatasetsScreen):
            yield SystemCommand("Focus search", "Type a query", screen.action_focus_search)
            yield SystemCommand(
                "Toggle filters", "Show or hide filters", screen.action_toggle_filters
            )
            yield SystemCommand("Refresh results", "Run the search again", screen.action_refresh)


def run_app(*, offline: bool = False) -> int:
    """Run the TUI until the user quits; fatal start-up errors exit with a message."""
    try:
        settings = load_settings()
    except HfEcoError as exc:
        sys.stderr.write(f"hf-tui cannot start: {exc}\n")
        return 2
    result = HfTuiApp(settings, offline=offline).run()
    if note := farewell(settings):
        sys.stderr.write(note + "\n")
    return result or 0


def farewell(settings: Settings) -> str | None:
    """What to tell a user who quits while jobs run: they go on, and where to find them."""
    from hf_ecosystem.jobs.manager import JobManager

    try:
        active = JobManager(settings).active()
    except HfEcoError:
        return None
    if not active:
        return None
    running = sum(r.status != "queued" for r in active)
    queued = len(active) - running
    parts = [f"{running} running"] if running else []
    parts += [f"{queued} queued"] if queued else []
    shown = ", ".join(f"{r.id} ({r.spec.describe()})" for r in active[:3])
    more = f" and {len(active) - 3} more" if len(active) > 3 else ""
    return (
        f"{' and '.join(parts)} job(s) keep going in the background: {shown}{more}.\n"
        "Follow them with `hf-tui jobs list` / `hf-tui jobs logs ID --follow`, "
        "or open hf-tui and press 4 (Jobs)."
    )
