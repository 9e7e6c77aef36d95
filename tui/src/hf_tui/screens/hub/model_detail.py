"""The Detail screen of a model: DetailScreen plus its memory estimate, Try, Fine-tune, Evaluate."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, ClassVar

from textual import on, work
from textual.app import ComposeResult
from textual.message import Message
from textual.widgets import Button

from hf_ecosystem.device.memory import MemoryEstimate
from hf_ecosystem.hub.types import RepoDetails, RepoKind
from hf_ecosystem.snippets import CodeRequest, MemoryCode, ModelCode
from hf_tui.format import human_count
from hf_tui.screens.hub.detail import DetailScreen
from hf_tui.widgets.memory_panel import MemoryPanel

if TYPE_CHECKING:
    from hf_ecosystem.hub.backend import HubBackend


class ModelDetailScreen(DetailScreen):
    """A model's page: what every repo shows, its memory against this machine, and the actions
    that need a model (Try when its task can run here, Fine-tune, Evaluate)."""

    KIND: ClassVar[RepoKind] = "model"
    QUIET_GROUPS = frozenset({"memory"})  # the memory panel shows its own error

    @dataclass
    class MemoryEstimated(Message):
        """The memory estimate (with its fit verdict) arrived."""

        estimate: MemoryEstimate

    memory_estimate: MemoryEstimate | None = None  # the one the memory panel shows

    def code_requests(self) -> list[CodeRequest]:
        """The model's details and loading, and the memory scenario the panel shows."""
        e = self.memory_estimate
        memory = MemoryCode(self.repo_id, mode="full")  # what estimate_memory asks for
        if e is not None:
            memory = MemoryCode(self.repo_id, e.dtype, e.batch, e.seq, e.mode)
        return [ModelCode(self.repo_id, self.model_task), memory]

    def compose_side(self) -> ComposeResult:
        yield MemoryPanel(id="memory")

    def on_mount(self) -> None:
        # DetailScreen's on_mount runs too (Textual calls each class's handler).
        self.query_one(MemoryPanel).show_loading()

    def fetch_info(self, backend: HubBackend) -> RepoDetails:
        return backend.model_info(self.repo_id)

    def meta_rows(self, details: RepoDetails) -> list[tuple[str, str]]:
        return [("parameters", human_count(details.summary.parameters))]

    @on(DetailScreen.Loaded)
    def _estimate_after_load(self) -> None:
        self.estimate_memory()

    @work(thread=True, exclusive=True, exit_on_error=False, group="memory")
    def estimate_memory(self) -> None:
        """Inference and training memory against this machine, off the event loop."""
        from hf_ecosystem.device.memory import estimate_for_repo

        choice = self.hf_app.backend_choice
        sampler = self.hf_app.sampler
        estimate = estimate_for_repo(
            self.repo_id,
            choice.backend if choice else None,
            train="full",
            snapshot=sampler() if sampler is not None else None,
        )
        self.post_message(self.MemoryEstimated(estimate))

    @on(MemoryEstimated)
    def _memory_estimated(self, message: MemoryEstimated) -> None:
        self.memory_estimate = message.estimate
        self.query_one(MemoryPanel).show(message.estimate)

    def enable_actions(self, task: str | None) -> None:
        from hf_ecosystem.inference.registry import TASKS

        if task in TASKS:
            self.model_task = task
            try_button = self.query_one("#action-try", Button)
            try_button.disabled = False
            try_button.tooltip = f"Run {task} on an input of yours, as a background job"
        self.query_one("#action-fine-tune", Button).disabled = False
        self.query_one("#action-evaluate", Button).disabled = False

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """Every key of the page works on a model."""
        return True

    async def worker_failed(self, group: str, title: str, hint: str) -> None:
        if group == "memory":
            self.query_one(MemoryPanel).show_error(title, hint)  # the rest of the page stands
            return
        await super().worker_failed(group, title, hint)
