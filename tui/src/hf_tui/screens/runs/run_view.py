"""The Run view: one training run's progress, live loss and eval curves, numbers and log."""

from __future__ import annotations

from pathlib import Path

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.widgets import Footer, Header, ProgressBar, RichLog, Static

from hf_ecosystem.jobs.events import JobEvent
from hf_ecosystem.jobs.store import JobRecord
from hf_ecosystem.training.runs import RunHistory, earlier_events, run_model_dir
from hf_tui.format import STATUS_STYLES, duration
from hf_tui.messages import JobUpdated
from hf_tui.screens.base import HfScreen
from hf_tui.widgets.data_table import DataTable
from hf_tui.widgets.job_follower import JobFollower, settle_bar, show_events
from hf_tui.widgets.metric_curves import MetricCurves

POLL_SECONDS = 1.0
LOGGED = {"log", "error", "artifact", "result", "status"}  # events the log tail shows
# Speeds and timings are numbers to read, not curves to watch.
NOT_CURVES = {"eval_runtime", "eval_samples_per_second", "eval_steps_per_second"}


def eval_curves(history: RunHistory) -> dict[str, list[tuple[int, float]]]:
    """The evaluation metrics other than the loss, by short name."""
    return {
        name.removeprefix("eval_"): points
        for name, points in sorted(history.steps.items())
        if name.startswith("eval_") and name != "eval_loss" and name not in NOT_CURVES
    }


def speed_line(record: JobRecord, history: RunHistory) -> str:
    """`step 120 / 200 · eta 1m05s · 3.2 steps/s · 51 samples/s · GPU 1,234 MB`."""
    parts: list[str] = []
    if history.progress is not None:
        done, total = history.progress
        parts.append(f"step {done:g}" + (f" / {total:g}" if total else ""))
        if record.is_active:
            parts.append(f"eta {duration(history.eta)}")
        if history.rate:
            parts.append(f"{history.rate:.3g} steps/s")
    last = history.last
    samples = last.get("samples_per_second", last.get("train_samples_per_second"))
    if samples is not None:
        parts.append(f"{samples:.3g} samples/s")
    if "gpu_memory_mb" in last:
        parts.append(f"GPU {last['gpu_memory_mb']:,.0f} MB")
    return " · ".join(parts) or "waiting for the first step…"


class RunViewScreen(HfScreen):
    """Tails a run's events from a timer-driven worker; a finished run shows its whole history."""

    BINDINGS = [
        Binding("escape", "app.pop_screen", "Back"),
        Binding("ctrl+r", "reload", "Reload"),
        Binding("p", "publish", "Publish"),
    ]

    def __init__(self, job_id: str, *, interval: float = POLL_SECONDS) -> None:
        super().__init__()
        self.job_id = job_id
        self.interval = interval
        self.history = RunHistory()
        self.record: JobRecord | None = None
        self._first_read = True  # the first update since follow(): its prelude came with it

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static(Text(f"Run {self.job_id}", style="bold"), id="run-title")
        with Horizontal(id="run-head"):
            yield Static("Loading…", id="run-status")
            yield ProgressBar(id="run-progress", show_eta=False)
        with Horizontal(id="run-plots"):
            yield MetricCurves("loss", placeholder="No loss logged yet.", id="loss-curves")
            yield MetricCurves("evaluation", placeholder="No evaluation yet.", id="eval-curves")
        with Horizontal(id="run-bottom"):
            with Vertical(id="run-latest-pane"):
                yield DataTable(id="run-latest", show_cursor=False, zebra_stripes=True)
            yield RichLog(id="run-log", wrap=True, markup=False, max_lines=2000)
        yield JobFollower(interval=self.interval, prelude=self._earlier)
        yield Footer()

    def on_mount(self) -> None:
        latest = self.query_one("#run-latest", DataTable)
        latest.add_column("metric", key="metric")
        latest.add_column("value", key="value")
        latest.add_column("step", key="step")
        latest.border_title = "Latest"
        self.query_one("#run-log", RichLog).border_title = "Log"
        self.query_one(JobFollower).follow(self.job_id)

    def _earlier(self, record: JobRecord) -> list[JobEvent]:
        """A continuation's curves start with the run it continues (read in the follower's
        thread)."""
        return earlier_events(self.hf_app.job_manager(), record)

    @on(JobUpdated)
    def _updated(self, message: JobUpdated) -> None:
        resumed = any(e.data.get("kind") == "resumed-from" for e in message.events)
        first, self._first_read = self._first_read, False
        if resumed and not first:
            # The continuation now says which step it took over at: read the two halves again.
            self.action_reload()
            return
        self.record = message.record
        self.history.extend(message.events)
        log = self.query_one("#run-log", RichLog)
        show_events(message.events, log, logged=LOGGED)
        self._show()

    def _show(self) -> None:
        record, history = self.record, self.history
        if record is None:
            return
        config = record.spec.params.get("config", {})
        title = Text(f"Run {record.id}  ", style="bold")
        title.append(record.status, style=STATUS_STYLES.get(record.status, ""))
        title.append(
            f"  ·  {config.get('task', '?')} · {Path(str(config.get('model', '?'))).name}"
            f" · {Path(str(config.get('dataset', '?'))).name}",
            style="dim",
        )
        self.query_one("#run-title", Static).update(title)
        status = Text(speed_line(record, history))
        if record.error:
            status.append(
                f"\n{record.error.get('title', '')}: {record.error.get('hint', '')}", style="red"
            )
        elif (saved := run_model_dir(record, history)) is not None:
            status.append(f"\nmodel: {saved}", style="green")
        self.query_one("#run-status", Static).update(status)
        bar = self.query_one("#run-progress", ProgressBar)
        if history.progress is not None and history.progress[1]:
            bar.update(total=history.progress[1], progress=history.progress[0])
            bar.display = True
        settle_bar(bar, record)  # an ended run's bar is full, stopped or hidden: never animated
        self.query_one("#loss-curves", MetricCurves).show(
            {
                "train loss": history.steps.get("loss", []),
                "eval loss": history.steps.get("eval_loss", []),
            }
        )
        self.query_one("#eval-curves", MetricCurves).show(eval_curves(history))
        latest = self.query_one("#run-latest", DataTable)
        latest.clear()
        for name in sorted(history.last):
            points = history.steps.get(name) or [(0, history.last[name])]
            latest.add_row(name, f"{history.last[name]:.4g}", str(points[-1][0]), key=name)

    def action_publish(self) -> None:
        """Open the Publish screen of this run's saved model."""
        if self.record is None or run_model_dir(self.record, self.history) is None:
            self.notify("This run has saved no model yet.", severity="warning")
            return
        self.hf_app.open_publish(self.job_id)

    def action_reload(self) -> None:
        """Read the whole run again."""
        self.history = RunHistory()
        self._first_read = True
        self.query_one("#run-log", RichLog).clear()
        self.query_one(JobFollower).follow(self.job_id)

    def worker_failed(self, group: str, title: str, hint: str) -> None:
        if group == JobFollower.GROUP:
            self.query_one("#run-status", Static).update(Text(f"{title}\n{hint}", style="red"))
