"""The New-training form: presets, fields, a live YAML preview, inline errors; Start launches."""

from __future__ import annotations

import re
import time
from dataclasses import dataclass
from typing import Any

from pydantic import ValidationError
from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.message import Message
from textual.widgets import Button, Checkbox, Footer, Header, Input, Label, Select, Static, TextArea

from hf_ecosystem.config import default_home
from hf_ecosystem.snippets import CodeRequest, TrainCode
from hf_ecosystem.tasks import TRAIN_TASKS
from hf_ecosystem.training.estimate import MachineSpeed
from hf_ecosystem.training.fast_defaults import FastDefaults, for_run
from hf_ecosystem.training.spec import TrainSpec, TrainSpecError, placement_yaml
from hf_tui.messages import JobLaunched
from hf_tui.screens.base import SHOW_CODE_KEY, HfScreen
from hf_tui.screens.runs.training_presets import CLEARED, DEFAULT_PRESET, PRESET_FIELDS, PRESETS
from hf_tui.screens.runs.training_text import estimate_text, fast_text
from hf_tui.widgets.slurm_fields import SlurmFields

# name, label, placeholder
FIELDS = (
    ("model", "model", "repo id or local folder"),
    ("dataset", "dataset", "repo id, local folder or data file"),
    ("text_column", "text column", "text"),
    ("label_column", "label column", "label"),
    ("target_column", "target column", "seq2seq only"),
    ("epochs", "epochs", "give epochs or max steps"),
    ("max_steps", "max steps", "give epochs or max steps"),
    ("batch_size", "batch size", "16"),
    ("max_length", "max length", "128 tokens per text"),
    ("max_train_samples", "max train samples", "blank: every training row"),
    ("learning_rate", "learning rate", "5e-5"),
    ("validation_split", "validation split", "0.2 (held out when no eval split)"),
    ("seed", "seed", "42"),
    ("output_dir", "output dir", "default: $HFTUI_HOME/runs/<job id>"),
)
# LoRA on a quantised base (QLoRA): int8 here and on GPUs; int4 needs CUDA (bitsandbytes NF4).
QUANT_CHOICES = [
    ("full precision", "none"), ("int8 + LoRA", "int8"), ("int4 + LoRA (QLoRA, GPU)", "int4"),
]  # fmt: skip
INT_FIELDS = {"max_steps", "batch_size", "seed", "max_length", "max_train_samples"}
FLOAT_FIELDS = {"epochs", "learning_rate", "validation_split"}
# What a preset sets: the fields it names; epochs or max_steps, whichever it leaves out, is cleared.
ESTIMATE_DELAY = 0.4  # seconds of quiet typing before the estimate reads the model and data
_QUOTED = re.compile(r"'([A-Za-z_][\w.]*)'")


def field_of(error: TrainSpecError) -> str | None:
    """The form field a TrainSpecError names (`'lora.r'` -> `lora`), if any."""
    match = _QUOTED.search(error.title)
    return match.group(1).split(".")[0] if match else None


def field_errors(data: dict[str, Any]) -> dict[str, str]:
    """Every field's problem at once (TrainSpec.parse stops at the first), by form field."""
    try:
        TrainSpec.model_validate(data)
    except ValidationError as exc:
        errors: dict[str, str] = {}
        for item in exc.errors():
            message = item["msg"].removeprefix("Value error, ")
            loc = [str(part) for part in item["loc"]]
            if not loc:  # a rule across fields: shown next to the first field it names
                match = _QUOTED.search(message)
                loc = [match.group(1)] if match else ["form"]
            errors.setdefault(loc[0], message)
        return errors
    return {}


class NewTrainingScreen(HfScreen):
    """Fill in a run (or pick a preset); the YAML it becomes updates as you type."""

    AUTO_FOCUS = "#field-model"  # the first field to fill (the dataset when a model is given)
    BINDINGS = [
        Binding("escape", "app.pop_screen", "Back"),
        Binding("ctrl+s", "start", "Start"),
        Binding(SHOW_CODE_KEY, "show_code", "Code"),
    ]

    QUIET_GROUPS = frozenset({"train-estimate"})  # shown in place: the run can start anyway

    @dataclass
    class Estimated(Message):
        """The wall-time estimate of `spec` is ready."""

        spec: TrainSpec
        text: Text

    def __init__(
        self,
        model: str = "",
        *,
        clone: tuple[str, dict[str, Any]] | None = None,
        preset: str = DEFAULT_PRESET,
        dataset: str = "",
    ) -> None:
        """`clone`: (job id, config) of a run whose spec fills the form (not its output_dir);
        otherwise `preset` (a key of PRESETS), `model` and `dataset` fill it."""
        super().__init__()
        self.clone = clone
        self.model = str(clone[1].get("model", "")) if clone else model
        self.dataset = dataset
        self.spec: TrainSpec | None = None
        self.errors: dict[str, str] = {}
        self._preset = preset  # the preset the fields hold (a clone: none applied)
        self._speed: MachineSpeed | None = None  # measured once, in the estimate's thread
        self._estimated: TrainSpec | None = None

    def compose(self) -> ComposeResult:
        yield Header()
        title = f"Clone of run {self.clone[0]}" if self.clone else "New training run"
        yield Static(Text(title, style="bold"), id="train-title")
        with Horizontal(id="train-body"):
            with VerticalScroll(id="train-form"):
                yield from self._row(
                    "preset",
                    "preset",
                    Select(
                        [(label, key) for key, (label, _) in PRESETS.items()],
                        value=self._preset,
                        allow_blank=False,
                        id="preset",
                    ),
                )
                yield from self._row(
                    "task",
                    "task",
                    Select(
                        [(task, task) for task in TRAIN_TASKS],
                        value="text-classification",
                        allow_blank=False,
                        id="field-task",
                    ),
                )
                for name, label, placeholder in FIELDS:
                    value = {"model": self.model, "dataset": self.dataset}.get(name, "")
                    yield from self._row(
                        name, label, Input(value, placeholder=placeholder, id=f"field-{name}")
                    )
                yield Checkbox("LoRA adapters (peft): train a few weights only", id="field-lora")
                yield Static("", id="error-lora", classes="field-error")
                quantization = Select(
                    QUANT_CHOICES, value="none", allow_blank=False, id="field-quantization"
                )
                yield from self._row("quantization", "base weights", quantization)
                yield SlurmFields(id="slurm-fields")
            with Vertical(id="train-side"):
                yield Static("", id="form-error")
                yield Static("", id="train-estimate")
                yield TextArea("", read_only=True, id="yaml-preview")
                yield Static("", id="command-preview")
                with Horizontal(id="train-actions"):
                    yield Button("Start (ctrl+s)", variant="primary", id="start")
                    yield Button("Back (esc)", id="back")
        yield Footer()

    def _row(self, name: str, label: str, field: Input | Select[str]) -> ComposeResult:
        with Horizontal(classes="form-row"):
            yield Label(label, classes="form-label")
            yield field
        yield Static("", id=f"error-{name}", classes="field-error")

    def on_mount(self) -> None:
        self.query_one("#yaml-preview", TextArea).border_title = "Config (YAML)"
        if self.clone is None:
            self.apply_preset(self._preset)
        else:
            self.fill_from(self.clone[1])
        self.refresh_preview()
        if self.model:
            self.query_one("#field-dataset", Input).focus()

    # -- the form -----------------------------------------------------------------------------

    def apply_preset(self, key: str) -> None:
        """Fill the fields a preset sets; numeric fields it does not set are cleared."""
        values = PRESETS[key][1]
        self.query_one("#field-task", Select).value = values["task"]
        for name in PRESET_FIELDS:
            if name in values or name in CLEARED:  # epochs or max_steps, never both
                value = values.get(name)
                self.query_one(f"#field-{name}", Input).value = "" if value is None else str(value)
        self.query_one("#field-lora", Checkbox).value = bool(values.get("lora"))
        self.query_one("#field-quantization", Select).value = values.get("quantization") or "none"

    def fill_from(self, config: dict[str, Any]) -> None:
        """Fill every field from a run's config; a fresh output_dir (blank: the default)."""
        self.query_one("#field-task", Select).value = config.get("task", "text-classification")
        for name, _, _ in FIELDS:
            value = None if name == "output_dir" else config.get(name)
            self.query_one(f"#field-{name}", Input).value = "" if value is None else str(value)
        self.query_one("#field-lora", Checkbox).value = bool(config.get("lora"))
        self.query_one("#field-quantization", Select).value = config.get("quantization") or "none"

    def _kept(self) -> dict[str, Any]:
        """A clone's settings the form has no field for (scheduler, eval strategy, LoRA rank…)."""
        if self.clone is None:
            return {}
        shown = {name for name, _, _ in FIELDS} | {"task", "lora", "quantization"}
        return {k: v for k, v in self.clone[1].items() if k not in shown}

    def form_data(self) -> tuple[dict[str, Any], dict[str, str]]:
        """The fields as TrainSpec data (blank ones left out), and per-field conversion errors."""
        data: dict[str, Any] = {**self._kept(), "task": self.query_one("#field-task", Select).value}
        errors: dict[str, str] = {}
        for name, _, _ in FIELDS:
            text = self.query_one(f"#field-{name}", Input).value.strip()
            if not text:
                continue
            try:
                data[name] = (
                    int(text)
                    if name in INT_FIELDS
                    else (float(text) if name in FLOAT_FIELDS else text)
                )
            except ValueError:
                kind = "a whole number" if name in INT_FIELDS else "a number"
                errors[name] = f"{name} must be {kind} (got {text!r})"
        if self.query_one("#field-lora", Checkbox).value:
            data["lora"] = (self.clone[1].get("lora") if self.clone else None) or {}
        if (base := self.query_one("#field-quantization", Select).value) in ("int8", "int4"):
            data["quantization"] = base
        return data, errors

    def code_requests(self) -> list[CodeRequest]:
        """This run, once the form is valid (its problems are shown otherwise)."""
        spec = self.validate()
        if spec is None:
            self.notify("Fix the form first: the code is built from a valid config.",
                        severity="warning")  # fmt: skip
            return []
        given = spec.model_dump(mode="json", exclude_defaults=True)
        return [TrainCode(given, spec.model_dump(mode="json"))]

    def validate(self) -> TrainSpec | None:
        """Check the form; show each problem next to its field. The spec when valid."""
        data, errors = self.form_data()
        spec: TrainSpec | None = None
        summary_text = next(iter(errors.values()), "")
        if not errors:
            try:
                spec = TrainSpec.parse(data)
            except TrainSpecError as exc:
                summary_text = exc.title.removeprefix("Invalid training config: ")
                errors = field_errors(data) or {field_of(exc) or "form": summary_text}
        self.errors = errors
        self.spec = spec
        for name in [f[0] for f in FIELDS] + ["task", "lora", "quantization"]:
            label = self.query_one(f"#error-{name}", Static)
            label.update(errors.get(name, ""))
            label.display = name in errors
            widget = self.query_one(f"#field-{name}")
            widget.set_class(name in errors, "bad")
        summary = self.query_one("#form-error", Static)
        if errors:
            more = f" (+{len(errors) - 1} more)" if len(errors) > 1 else ""
            summary.update(Text(f"Not valid yet: {summary_text}{more}", style="bold red"))
        else:
            summary.update(Text("Valid: Start saves this config and launches the run.", "green"))
        return spec

    def refresh_preview(self) -> None:
        """Validate and show the YAML and the command it corresponds to."""
        spec = self.validate()
        preview = self.query_one("#yaml-preview", TextArea)
        settings = self.hf_app.settings
        home = settings.home if settings is not None else default_home()
        command = Text("command: ", style="dim")
        command.append(f"hf-tui run train --config {home}/configs/<timestamp>.yaml")
        self.query_one("#command-preview", Static).update(command)
        if spec is None:
            preview.load_text("# fix the highlighted field to see the config\n")
            self.query_one("#train-estimate", Static).update("")
        else:
            preview.load_text(spec.to_yaml() + placement_yaml(*self._placement()))
            if spec != self._estimated:
                self.rearm(ESTIMATE_DELAY, lambda: self.estimate(spec), name="estimate")

    @on(Input.Changed)
    @on(Checkbox.Changed)
    @on(Select.Changed, "#field-task")
    @on(Select.Changed, "#field-quantization")
    @on(Select.Changed, "#field-on")
    def _changed(self) -> None:
        self.refresh_preview()

    @on(Select.Changed, "#preset")
    def _preset_changed(self, event: Select.Changed) -> None:
        if isinstance(event.value, str) and event.value != self._preset:
            self._preset = event.value
            self.apply_preset(event.value)

    # -- the estimate -------------------------------------------------------------------------

    @work(thread=True, exclusive=True, exit_on_error=False, group="train-estimate")
    def estimate(self, spec: TrainSpec) -> None:
        """Estimate the run's wall time off the event loop (reads the model and the data)."""
        from hf_ecosystem.training.estimate import estimate_run, machine_speed

        self._estimated = spec
        if self._speed is None:
            self._speed = machine_speed(self.hf_app.job_manager())
        choice = self.hf_app.backend_choice
        found = estimate_run(spec, self._speed, choice.backend if choice else None)
        text = estimate_text(found)
        text.append_text(fast_text(self._fast_defaults(spec)))
        self.post_message(self.Estimated(spec, text))

    def _fast_defaults(self, spec: TrainSpec) -> FastDefaults | None:
        """What the run will use on this machine's GPUs (core decides; None without one)."""
        from hf_ecosystem.device.inventory import snapshot

        machine = (self.hf_app.sampler or snapshot)()
        share = bool(getattr(self.hf_app.settings, "share_gpus", False))
        return for_run(spec.model_dump(), cuda=bool(machine.gpus), snapshot=machine, share=share)

    @on(Estimated)
    def _estimated_shown(self, message: Estimated) -> None:
        if message.spec == self.spec:  # not for a form changed since
            self.query_one("#train-estimate", Static).update(message.text)

    # -- start --------------------------------------------------------------------------------

    @on(Button.Pressed, "#start")
    def action_start(self) -> None:
        """Save the config and launch the run (nothing is launched while the form is invalid)."""
        spec = self.validate()
        if spec is None:
            name = next(iter(self.errors))
            self.notify(self.errors[name], title="Fix the form first", severity="error")
            if name not in ("form",):
                self.query_one(f"#field-{name}").focus()
            return
        self.query_one("#start", Button).disabled = True
        self.start(spec, *self._placement())

    def _placement(self) -> tuple[str, dict[str, Any]]:
        return self.query_one(SlurmFields).placement()

    @on(Button.Pressed, "#back")
    def _back(self) -> None:
        self.app.pop_screen()

    @work(thread=True, exclusive=True, exit_on_error=False, group="train-start")
    def start(self, spec: TrainSpec, where: str, options: dict[str, Any]) -> None:
        """Write $HFTUI_HOME/configs/<timestamp>.yaml, then launch the train job (here or, as
        the config says too, on Slurm)."""
        from hf_ecosystem.jobs.slurm import place
        from hf_ecosystem.jobs.spec import JobSpec
        from hf_ecosystem.preflight import check_spec

        manager = self.hf_app.job_manager()
        job = place(JobSpec.create("train", config=spec.to_dict()), where, **options)
        check_spec(job, manager.settings)  # a misspelt model or dataset is refused at once
        folder = manager.settings.home / "configs"
        folder.mkdir(parents=True, exist_ok=True)
        stamp = time.strftime("%Y%m%d-%H%M%S")
        path, n = folder / f"{stamp}.yaml", 1
        while path.exists():
            path, n = folder / f"{stamp}-{n}.yaml", n + 1
        path.write_text(spec.to_yaml() + placement_yaml(where, options), encoding="utf-8")
        record = manager.launch(job)
        self.post_message(JobLaunched(record.id, path))

    @on(JobLaunched)
    def _launched(self, message: JobLaunched) -> None:
        from hf_tui.screens.runs.run_view import RunViewScreen

        self.app.notify(
            f"Config: {message.saved}\nAgain later: hf-tui run train --config {message.saved}",
            title=f"Run {message.job_id} launched",
        )
        self.app.switch_screen(RunViewScreen(message.job_id))

    def worker_failed(self, group: str, title: str, hint: str) -> None:
        if group == "train-estimate":
            self._estimated = None
            text = Text(f"No time estimate: {title}", style="dim")
            self.query_one("#train-estimate", Static).update(text)
        if group == "train-start":
            self.query_one("#start", Button).disabled = False
            error = Text(f"{title}\n{hint}", style="bold red")
            self.query_one("#form-error", Static).update(error)
