"""The Evaluate form: any model on any dataset, with the equivalent command; Evaluate launches."""

from __future__ import annotations

import re
import shlex
from typing import Any

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.widgets import Button, Footer, Header, Input, Label, Select, Static, TextArea

from hf_ecosystem.errors import HfEcoError
from hf_ecosystem.evaluation.analysis import normalize_task  # light: no torch/evaluate at import
from hf_ecosystem.jobs.spec import JobSpec
from hf_ecosystem.snippets import CodeRequest, EvaluateCode
from hf_tui.messages import JobLaunched
from hf_tui.screens.base import SHOW_CODE_KEY, HfScreen

# value (a task name `hf-tui run evaluate --task` accepts), label
TASKS = (
    ("text-classification", "text classification"),
    ("summarization", "summarization"),
    ("translation", "translation"),
    ("causal-lm", "perplexity (causal LM)"),
)
DEFAULT_TASK = "text-classification"
# name (the evaluate job's param), label, placeholder
FIELDS = (
    ("model", "model", "repo id or local folder"),
    ("dataset", "dataset", "repo id, data file or folder"),
    ("dataset_config", "dataset config", "optional: the dataset's config name"),
    ("split", "split", "default: test, else validation, else train"),
    ("text_column", "text column", "text"),
    ("label_column", "label column", "label"),
    ("target_column", "target column", "guessed: summary, target, …"),
    ("src_lang", "source language", "optional: e.g. en"),
    ("tgt_lang", "target language", "e.g. de"),
    ("max_samples", "max samples", "blank: every row"),
    ("batch_size", "batch size", "16"),
)
PLACEHOLDERS = {name: placeholder for name, _, placeholder in FIELDS}
INT_FIELDS = {"max_samples", "batch_size"}
REQUIRED = {"model", "dataset"}
DEFAULT_MAX_SAMPLES = 500
# The fields only some tasks use (every other field is for every task).
TASK_FIELDS = {
    "text-classification": {"label_column"},
    "summarization": {"target_column"},
    "translation": {"target_column", "src_lang", "tgt_lang"},
    "causal-lm": set[str](),
}
OPTIONAL_FIELDS = set().union(*TASK_FIELDS.values())
FLAGS = {"src_lang": "--source-lang", "tgt_lang": "--target-lang"}  # the rest: --name-with-dashes
_QUOTED = re.compile(r"'(\w+)'")
_LANGUAGE = re.compile(r"[A-Za-z0-9_-]+")  # en, fr_XX, fra_Latn, zh-Hans


def flag_of(name: str) -> str:
    """The `hf-tui run evaluate` option of a field."""
    return FLAGS.get(name, "--" + name.replace("_", "-"))


def command_line(task: str, values: dict[str, str]) -> str:
    """The `hf-tui run evaluate` command for a task and the filled-in fields, shell-quoted."""
    words = ["hf-tui", "run", "evaluate"]
    first = [name for name in ("model", "dataset") if name in values]
    for name in [*first, "task", *(n for n in values if n not in first)]:
        value = task if name == "task" else values[name]
        if value:
            words += [flag_of(name), shlex.quote(value)]
    return " ".join(words)


class EvaluateFormScreen(HfScreen):
    """Pick a model, a dataset and a task; the command it equals updates as you type."""

    # #form-error and #command-preview are styled in app.tcss (shared with the training form).

    AUTO_FOCUS = "#field-model"  # the first field to fill (the dataset when a model is given)
    BINDINGS = [
        Binding("escape", "app.pop_screen", "Back"),
        Binding("ctrl+s", "evaluate", "Evaluate"),
        Binding(SHOW_CODE_KEY, "show_code", "Code"),
    ]

    def __init__(
        self,
        model: str | None = None,
        *,
        task: str = DEFAULT_TASK,
        fields: dict[str, str] | None = None,
    ) -> None:
        """`task` (a value of TASKS) and `fields` (by FIELDS name) fill the form (Learn's "do it
        here"); `model` alone is the Detail page's way in."""
        super().__init__()
        self.model = model or (fields or {}).get("model", "")
        self.first_task = task
        self.given = fields or {}
        self.spec: JobSpec | None = None
        self.errors: dict[str, str] = {}

    @property
    def picked_task(self) -> str:
        """The task picked in the form."""
        value = self.query_one("#field-task", Select).value
        return value if isinstance(value, str) else DEFAULT_TASK

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static(Text("Evaluate a model", style="bold"), id="evaluate-title")
        with Horizontal(id="evaluate-body"):
            with VerticalScroll(id="evaluate-form"):
                task = Select(
                    [(label, value) for value, label in TASKS],
                    value=self.first_task,
                    allow_blank=False,
                    id="field-task",
                )
                yield from self._row("task", "task", task)
                defaults = {"model": self.model, "max_samples": str(DEFAULT_MAX_SAMPLES)}
                defaults.update(self.given)
                for name, label, placeholder in FIELDS:
                    field = Input(
                        defaults.get(name, ""), placeholder=placeholder, id=f"field-{name}"
                    )
                    yield from self._row(name, label, field)
            with Vertical(id="evaluate-side"):
                yield Static("", id="form-error")
                yield TextArea("", read_only=True, soft_wrap=True, id="command-preview")
                with Horizontal(id="evaluate-actions"):
                    yield Button("Evaluate (ctrl+s)", variant="primary", id="evaluate")
                    yield Button("Back (esc)", id="back")
        yield Footer()

    def _row(self, name: str, label: str, field: Input | Select[str]) -> ComposeResult:
        with Horizontal(classes="form-row", id=f"row-{name}"):
            yield Label(label, classes="form-label")
            yield field
        yield Static("", id=f"error-{name}", classes="field-error")

    def on_mount(self) -> None:
        self.query_one("#command-preview", TextArea).border_title = "Equivalent command"
        self.refresh_form()
        if self.model:
            self.query_one("#field-dataset", Input).focus()

    # -- the form -----------------------------------------------------------------------------

    def used_fields(self) -> list[str]:
        """The fields the picked task uses, in form order."""
        extra = TASK_FIELDS[self.picked_task]
        return [name for name, _, _ in FIELDS if name not in OPTIONAL_FIELDS or name in extra]

    def texts(self) -> dict[str, str]:
        """The used fields' text, trimmed."""
        return {
            name: self.query_one(f"#field-{name}", Input).value.strip()
            for name in self.used_fields()
        }

    def form_params(self) -> tuple[dict[str, Any], dict[str, str]]:
        """The evaluate job's params (blank fields left out) and the problems found on the way."""
        params: dict[str, Any] = {"task": normalize_task(self.picked_task)}
        errors: dict[str, str] = {}
        for name, text in self.texts().items():
            if not text:
                if name in REQUIRED:
                    errors[name] = f"{name} is required: {PLACEHOLDERS[name]}"
                continue
            if name in INT_FIELDS:
                try:
                    params[name] = int(text)
                except ValueError:
                    errors[name] = f"{name} must be a whole number (got {text!r})"
                continue
            params[name] = text
        if self.picked_task == "translation" and "tgt_lang" not in params:
            errors["tgt_lang"] = "translation needs a target language (e.g. de)"
        for name in ("src_lang", "tgt_lang"):
            code = params.get(name)
            if code is not None and not (1 < len(code) < 16 and _LANGUAGE.fullmatch(code)):
                errors[name] = f"{code!r} is not a language code: use e.g. en, de, fr_XX"
        return params, errors

    def code_requests(self) -> list[CodeRequest]:
        """This evaluation, once the form is valid (its problems are shown otherwise)."""
        spec = self.validate()
        if spec is None:
            self.notify("Fix the form first: the code is built from a valid evaluation.",
                        severity="warning")  # fmt: skip
            return []
        return [EvaluateCode(dict(spec.params))]

    def validate(self) -> JobSpec | None:
        """Check the form, show each problem next to its field; the job spec when valid."""
        params, errors = self.form_params()
        spec: JobSpec | None = None
        if not errors:
            try:
                spec = JobSpec.create("evaluate", **params)
            except HfEcoError as exc:  # JobSpecError names the field in quotes
                match = _QUOTED.search(exc.title)
                name = match.group(1) if match and match.group(1) in params else "form"
                errors[name] = exc.title.removeprefix("Invalid job: ")
        self.errors, self.spec = errors, spec
        for name in ["task", *(f[0] for f in FIELDS)]:
            label = self.query_one(f"#error-{name}", Static)
            label.update(errors.get(name, ""))
            label.display = name in errors
            self.query_one(f"#field-{name}").set_class(name in errors, "bad")
        summary = self.query_one("#form-error", Static)
        if errors:
            first = next(iter(errors.values()))
            more = f" (+{len(errors) - 1} more)" if len(errors) > 1 else ""
            summary.update(Text(f"Not valid yet: {first}{more}", style="bold red"))
        else:
            summary.update(Text("Valid: Evaluate launches this as a background job.", "green"))
        return spec

    def refresh_form(self) -> None:
        """Show the task's fields, validate, and update the command preview."""
        used = set(self.used_fields())
        for name in OPTIONAL_FIELDS:
            self.query_one(f"#row-{name}").display = name in used
        self.validate()
        preview = self.query_one("#command-preview", TextArea)
        preview.load_text(command_line(self.picked_task, self.texts()))

    @on(Input.Changed)
    @on(Select.Changed, "#field-task")
    def _changed(self) -> None:
        self.refresh_form()

    # -- launch -------------------------------------------------------------------------------

    @on(Button.Pressed, "#evaluate")
    def action_evaluate(self) -> None:
        """Launch the evaluate job (nothing is launched while the form is invalid)."""
        spec = self.validate()
        if spec is None:
            name = next(iter(self.errors))
            self.notify(self.errors[name], title="Fix the form first", severity="error")
            if name != "form":
                self.query_one(f"#field-{name}").focus()
            return
        self.query_one("#evaluate", Button).disabled = True
        self.launch(spec)

    @on(Button.Pressed, "#back")
    def _back(self) -> None:
        self.app.pop_screen()

    @work(thread=True, exclusive=True, exit_on_error=False, group="evaluate-launch")
    def launch(self, spec: JobSpec) -> None:
        """Queue the job off the event loop (the job store is SQLite on disk)."""
        from hf_ecosystem.preflight import check_spec

        manager = self.hf_app.job_manager()
        check_spec(spec, manager.settings)  # a misspelt model or dataset is refused at once
        record = manager.launch(spec)
        self.post_message(JobLaunched(record.id))

    @on(JobLaunched)
    def _launched(self, message: JobLaunched) -> None:
        from hf_tui.screens.runs.evaluation_view import EvaluationViewScreen

        self.app.notify("Progress and results follow here.", title=f"Evaluation {message.job_id}")
        self.app.switch_screen(EvaluationViewScreen(message.job_id))

    def worker_failed(self, group: str, title: str, hint: str) -> None:
        if group == "evaluate-launch":
            self.query_one("#evaluate", Button).disabled = False
            error = Text(f"{title}\n{hint}", style="bold red")
            self.query_one("#form-error", Static).update(error)
