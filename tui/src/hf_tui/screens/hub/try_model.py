"""Try a model: an input form that fits its task, answered by the warm model worker (or a job
when none can answer), the result shown per task with the path that answered it."""

from __future__ import annotations

import json
import time
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, cast

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll
from textual.message import Message
from textual.widgets import Button, Footer, Header, Input, Label, Select, Static, TextArea

from hf_ecosystem.config import load_settings
from hf_ecosystem.demo.try_samples import SampleInput, sample_inputs
from hf_ecosystem.inference.device import INFERENCE_DTYPES
from hf_ecosystem.inference.registry import TaskSpec, get_task
from hf_ecosystem.inference.results import InferenceResult
from hf_ecosystem.jobs.results import result_as
from hf_ecosystem.paths import user_path
from hf_ecosystem.snippets import CodeRequest, TryCode
from hf_tui.messages import JobLaunched, JobUpdated
from hf_tui.screens.base import SHOW_CODE_KEY, HfScreen
from hf_tui.widgets.image_preview import ImagePreview
from hf_tui.widgets.job_follower import JobFollower
from hf_tui.widgets.result_view import ResultView

if TYPE_CHECKING:
    from hf_ecosystem.inference.warm_protocol import WarmAnswer

LONG_FIELDS = {"text", "context"}
FILE_FIELDS = {"image", "audio"}  # offered the demo hub's sample files
DTYPE_LABELS = {"auto": "dtype: auto", "int8": "int8 (quantised)", "int4": "int4 (quantised)"}
POLL_SECONDS = 0.25
TICK_SECONDS = 0.1
FIELD_HINTS = {
    "image": "path to an image file",
    "audio": "path to an audio file (wav, flac, mp3, ogg)",
    "labels": "candidate labels, comma-separated",
}


class TryScreen(HfScreen):
    """Run one input through a model: the warm worker answers (loading the model the first time),
    a background job when it cannot; tokens stream in as they come."""

    BINDINGS = [
        Binding("escape", "app.pop_screen", "Back"),
        Binding("ctrl+s", "run", "Run"),
        Binding(SHOW_CODE_KEY, "show_code", "Code"),
    ]

    @dataclass
    class Answered(Message):
        """The warm worker answered (a result or the input's error)."""

        answer: WarmAnswer

    @dataclass
    class TokenArrived(Message):
        """A generated piece of text came from the warm worker."""

        text: str

    def __init__(self, repo_id: str, task: str, inputs: dict[str, str] | None = None) -> None:
        """`inputs`: field values the form starts with instead of the task's example."""
        super().__init__()
        self.repo_id = repo_id
        self.inputs = inputs or {}
        self.spec: TaskSpec = get_task(task)
        self.job_id: str | None = None
        self.given: Any = None
        self.answered_by: str | None = None  # "warm", "cold" or "job" once a run finished
        self._streamed = ""
        self._last: tuple[str, dict[str, Any]] = ("", {})
        self._phase = ""
        self._started = 0.0
        self.samples: dict[str, list[SampleInput]] = {}

    def compose(self) -> ComposeResult:
        yield Header()
        title = Text(f"Try {self.repo_id}", style="bold")
        title.append(f"  ·  {self.spec.title} ({self.spec.name})", style="dim")
        yield Static(title, id="try-title")
        with VerticalScroll(id="try-form"):
            example = self.spec.example
            for name in self.spec.input_fields:
                value = example.get(name, "") if isinstance(example, dict) else example
                value = self.inputs.get(name, value)
                if isinstance(value, list):
                    value = ", ".join(str(v) for v in value)
                yield Label(f"{name}" + (f" — {FIELD_HINTS[name]}" if name in FIELD_HINTS else ""))
                if name in FILE_FIELDS:
                    yield from self._file_field(name)
                elif name in LONG_FIELDS:
                    yield TextArea(str(value), id=f"field-{name}", classes="try-long")
                else:
                    yield Input(str(value), id=f"field-{name}")
            with Horizontal(id="try-actions"):
                yield Button("Run (ctrl+s)", variant="primary", id="run")
                yield Select(
                    [(DTYPE_LABELS.get(d, d), d) for d in INFERENCE_DTYPES],
                    value="auto",
                    allow_blank=False,
                    id="try-dtype",
                    tooltip="The weights' dtype: int8/int4 load quantised "
                    "(bitsandbytes on a GPU, torchao on the CPU)",
                )
            if "image" in self.spec.input_fields:
                yield ImagePreview(id="try-image")
            yield Static("", id="try-status")
            yield ResultView(id="try-result")
        yield JobFollower(interval=POLL_SECONDS)
        yield Footer()

    def _file_field(self, name: str) -> ComposeResult:
        """A path input filled with the first sample file, and the list of samples to pick."""
        settings = self.hf_app.settings or load_settings()
        samples = sample_inputs(settings, "image" if name == "image" else "audio")
        self.samples[name] = samples
        first = samples[0].path if samples else ""
        given = self.inputs.get(name, first)
        yield Input(given, id=f"field-{name}", placeholder=f"{FIELD_HINTS[name]}")
        if samples:
            options = [(f"sample: {s.label}", s.path) for s in samples]
            if given in {s.path for s in samples}:
                yield Select(options, value=given, allow_blank=False, id=f"samples-{name}")
            else:  # a file of the lesson's: no sample picked (picking one would replace it)
                yield Select(options, prompt="samples", id=f"samples-{name}")
        else:
            yield Static("(seed the demo hub for sample files: hf-tui demo seed)", classes="hint")

    def on_mount(self) -> None:
        if "image" in self.spec.input_fields:
            self._preview_image()
        self.query_one(f"#field-{self.spec.input_fields[0]}").focus()

    @on(Select.Changed)
    def _sample_picked(self, event: Select.Changed) -> None:
        name = (event.select.id or "").removeprefix("samples-")
        if name in FILE_FIELDS and isinstance(event.value, str):
            self.query_one(f"#field-{name}", Input).value = event.value

    @on(Input.Changed, "#field-image")
    def _preview_image(self) -> None:
        path = self._value("image").strip()
        preview = self.query_one(ImagePreview)
        if path and user_path(path).is_file():
            preview.show_path(path)
        else:
            preview.update("")

    def _value(self, name: str) -> str:
        widget = self.query_one(f"#field-{name}")
        return widget.text if isinstance(widget, TextArea) else cast(Input, widget).value

    def current_input(self) -> tuple[Any, str]:
        """The input as the predictor takes it, and as the job's text parameter."""
        fields = self.spec.input_fields
        if len(fields) == 1:
            value = self._value(fields[0]).strip()
            return value, value
        data: dict[str, Any] = {name: self._value(name).strip() for name in fields}
        if "labels" in data:
            data["labels"] = [x.strip() for x in str(data["labels"]).split(",") if x.strip()]
        return data, json.dumps(data)

    def code_requests(self) -> list[CodeRequest]:
        """This model on the input in the form."""
        return [TryCode(self.repo_id, self.spec.name, self.current_input()[0])]

    @on(Button.Pressed, "#run")
    def action_run(self) -> None:
        """Launch the inference job."""
        given, text = self.current_input()
        empty = [
            k
            for k, v in (given.items() if isinstance(given, dict) else [("input", given)])
            if not v
        ]
        if empty:
            self.notify(f"Fill in: {', '.join(empty)}", severity="warning")
            return
        self.given = given
        dtype = self.query_one("#try-dtype", Select).value
        chosen = isinstance(dtype, str) and dtype != "auto"
        self._start(text, **({"dtype": dtype} if chosen else {}))

    def _start(self, text: str, **options: Any) -> None:
        """Clear the last result, start the ticking status, run the input."""
        self._streamed = ""
        self.answered_by = None
        self.job_id = None
        self.query_one(ResultView).update("")
        self.query_one("#run", Button).disabled = True
        self._phase, self._started = "Loading model…", time.monotonic()
        self._tick()
        self.launch(text, **options)

    def _tick(self) -> None:
        """The status while a run goes: its phase and the seconds since it started."""
        if self.answered_by is not None:
            return
        elapsed = time.monotonic() - self._started
        where = f" (job {self.job_id})" if self.job_id else ""
        self.query_one("#try-status", Static).update(f"{self._phase} {elapsed:.1f} s{where}")
        self.rearm(TICK_SECONDS, self._tick, name="tick")

    @work(thread=True, exclusive=True, exit_on_error=False, group="try")
    def launch(self, text: str, **options: Any) -> None:
        """Ask the warm worker (starting it the first time); queue a job when it cannot answer."""
        from hf_ecosystem.inference.warm_client import ask
        from hf_ecosystem.inference.warm_protocol import WarmRequest, WarmUnavailable
        from hf_ecosystem.jobs.spec import JobSpec

        self._last = (text, options)
        spec = JobSpec.create(
            "inference", task=self.spec.name, model=self.repo_id, input=text, **options
        )
        manager = self.hf_app.job_manager()
        request = WarmRequest.inference(spec.params, stream=self.spec.name == "text-generation")
        try:
            answer = ask(
                manager.settings,
                request,
                manager=manager,
                on_token=lambda piece: self.post_message(self.TokenArrived(piece)),
            )
        except WarmUnavailable:
            record = manager.launch(spec)  # the job path: loads the model in its own process
            self.post_message(JobLaunched(record.id))
            return
        self.post_message(self.Answered(answer))

    @on(JobLaunched)
    def _launched(self, message: JobLaunched) -> None:
        self.job_id = message.job_id
        self.query_one(JobFollower).follow(message.job_id)

    @on(TokenArrived)
    def _token(self, message: TokenArrived) -> None:
        self._phase = "Generating…"
        self._streamed += message.text
        self.query_one(ResultView).update(Text(self._streamed))

    @on(Answered)
    def _answered(self, message: Answered) -> None:
        answer = message.answer
        self.answered_by = answer.path
        self.disarm("tick")
        self.query_one("#run", Button).disabled = False
        status = self.query_one("#try-status", Static)
        if answer.result is None:
            error = answer.error or {}
            status.update(Text(f"{error.get('title', '')}\n{error.get('hint', '')}", style="red"))
            self._offer_fix(str(error.get("error", "")))
            return
        result = answer.result
        where = f"{result.device or '?'} · {result.dtype or '?'}"
        took = f"ran in {answer.compute_seconds:.2f} s"
        if answer.path == "cold":
            took = f"model loaded in {answer.load_seconds:.1f} s, {took}"
        status.update(f"Done · {answer.path}: {took} ({where}).")
        self.query_one(ResultView).show(self.spec.output_kind, result.output, self.given)

    @on(JobUpdated)
    def _updated(self, message: JobUpdated) -> None:
        if message.record.id != self.job_id:
            return
        status = self.query_one("#try-status", Static)
        for event in message.events:
            data = event.data
            if event.type == "log" and data.get("level") == "token":
                self._streamed += str(data.get("message", ""))
                self.query_one(ResultView).update(Text(self._streamed))
            elif event.type == "log":
                loaded = str(data.get("message", "")).startswith("loaded")
                self._phase = "Running…" if loaded else self._phase
        record = message.record
        if record.is_active:
            return
        self.answered_by = "job"
        self.disarm("tick")
        self.query_one("#run", Button).disabled = False
        if record.status == "succeeded":
            result = result_as(record, InferenceResult) or InferenceResult()
            where = f"{result.device or '?'} · {result.dtype or '?'}"
            took = time.monotonic() - self._started
            status.update(f"Done · job {record.id}: {took:.1f} s ({where}).")
            self.query_one(ResultView).show(self.spec.output_kind, result.output, self.given)
        else:
            error = record.error or {}
            title, hint = error.get("title", record.status), error.get("hint", "")
            status.update(Text(f"{title}\n{hint}", style="red"))
            self._offer_fix(str(error.get("error", "")))

    def _offer_fix(self, error: str) -> None:
        """Pickle weights, remote code and out-of-memory each get a question and a rerun."""
        from hf_tui.modals.confirm import ConfirmModal

        text, options = self._last
        offers = {
            "PickleWeightsError": (
                f"{self.repo_id} has only pickle weights, which can run code when loaded.\n"
                "Load them anyway? Only if you trust the publisher.",
                "Load pickle",
                {"allow_pickle": True},
            ),
            "RemoteCodeError": (
                f"{self.repo_id} needs its own Python code, which would run on this machine.\n"
                "Allow it for this run? Only if you trust the publisher.",
                "Trust code",
                {"trust_remote_code": True},
            ),
            "InferenceOutOfMemoryError": (
                "The GPU ran out of memory. Retry on the CPU (slower, more RAM)?",
                "Retry on CPU",
                {"device": "cpu"},
            ),
        }
        if error not in offers:
            return
        question, label, extra = offers[error]

        def answered(yes: bool | None) -> None:
            if yes:
                self._start(text, **{**options, **extra})

        self.app.push_screen(ConfirmModal(question, label), answered)

    def worker_failed(self, group: str, title: str, hint: str) -> None:
        if group in {"try", JobFollower.GROUP}:
            self.answered_by = ""  # ended, by no path
            self.disarm("tick")
            self.query_one("#try-status", Static).update(Text(f"{title}\n{hint}", style="red"))
            self.query_one("#run", Button).disabled = False
