"""A lesson's "do it here" step: which hf-tui screen does what the lesson teaches, with what inputs.

It lives in a notebook's `metadata.lesson.in_hf_tui.do` (optional) as
`{"screen": NAME, "inputs": {...}}`; `DO_SCREENS` is the closed set of NAMEs and the inputs each
takes (see lessons.py's docstring for the JSON shape and one example per screen).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal, cast, get_args

from hf_ecosystem.course.errors import LessonError
from hf_ecosystem.hub.types import SearchFilters, Sort

DoScreen = Literal[
    "models", "datasets", "model", "memory", "dataset", "try", "train", "evaluate", "publish",
    "runs", "jobs", "device",
]  # fmt: skip
InputKind = Literal["text", "texts", "sort", "tab", "try-input"]
_TEXT: InputKind = "text"
_SEARCH: dict[str, InputKind] = {
    "query": "text", "task": "text", "library": "text", "language": "text", "license": "text",
    "author": "text", "tags": "texts", "sort": "sort",
}  # fmt: skip
# Per screen: every input it takes (name -> kind) and the ones it needs.
DO_SCREENS: dict[DoScreen, tuple[dict[str, InputKind], frozenset[str]]] = {
    "models": (_SEARCH, frozenset()),
    "datasets": (_SEARCH, frozenset()),
    "model": ({"model": _TEXT}, frozenset({"model"})),
    "memory": ({"model": _TEXT}, frozenset({"model"})),
    "dataset": (
        {"dataset": _TEXT, "config": _TEXT, "split": _TEXT, "tab": "tab"},
        frozenset({"dataset"}),
    ),
    "try": ({"model": _TEXT, "task": _TEXT, "input": "try-input"}, frozenset({"model", "task"})),
    "train": ({"preset": _TEXT, "model": _TEXT, "dataset": _TEXT}, frozenset()),
    "evaluate": (
        {"model": _TEXT, "dataset": _TEXT, "task": _TEXT, "dataset_config": _TEXT, "split": _TEXT},
        frozenset(),
    ),
    "publish": ({"target": _TEXT}, frozenset({"target"})),
    "runs": ({}, frozenset()),
    "jobs": ({}, frozenset()),
    "device": ({}, frozenset()),
}
DATASET_TABS = ("card", "preview", "stats")
SCREEN_TITLES: dict[DoScreen, str] = {
    "models": "the Models search",
    "datasets": "the Datasets search",
    "model": "a model's page",
    "memory": "a model's page and its memory estimate",
    "dataset": "a dataset's page",
    "try": "Try a model",
    "train": "the New-training form",
    "evaluate": "the Evaluate form",
    "publish": "the Publish screen",
    "runs": "the Runs screen",
    "jobs": "the Jobs screen",
    "device": "the Device screen",
}


@dataclass(frozen=True, slots=True)
class DoHere:
    """The screen that does a lesson's step, and the inputs it opens with (checked on reading)."""

    screen: DoScreen
    inputs: dict[str, Any] = field(default_factory=dict[str, Any], hash=False)

    def text(self, name: str) -> str:
        """A text input ('' when not given)."""
        value = self.inputs.get(name, "")
        return value if isinstance(value, str) else ""

    def search(self) -> tuple[SearchFilters, Sort]:
        """The search a `models` or `datasets` step opens with."""
        filters = SearchFilters(
            query=self.text("query"),
            task=self.text("task") or None,
            library=self.text("library") or None,
            language=self.text("language") or None,
            license=self.text("license") or None,
            author=self.text("author") or None,
            tags=tuple(cast("list[str]", self.inputs.get("tags", []))),
        )
        return filters, Sort(self.text("sort") or Sort.DOWNLOADS.value)

    def try_fields(self) -> dict[str, str]:
        """A `try` step's input per field of its task's form (a bare text: the first field)."""
        from hf_ecosystem.inference.registry import get_task

        given = self.inputs.get("input")
        if given is None:
            return {}
        if isinstance(given, str):
            return {get_task(self.text("task")).input_fields[0]: given}
        return dict(cast("dict[str, str]", given))

    def describe(self) -> str:
        """`the Models search: task=text-classification, sort=name`."""
        parts: list[str] = []
        for name, value in self.inputs.items():
            if isinstance(value, list):
                value = ",".join(cast("list[str]", value))
            elif isinstance(value, dict):
                pairs = cast("dict[str, str]", value).items()
                value = "; ".join(f"{k}: {v}" for k, v in pairs)
            parts.append(f"{name}={value}")
        title = SCREEN_TITLES[self.screen]
        return f"{title}: {', '.join(parts)}" if parts else title

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready mapping, as in the notebook."""
        return {"screen": self.screen, "inputs": dict(self.inputs)}


def _bad(where: Path, message: str, hint: str) -> LessonError:
    return LessonError(f"{where.name}: in_hf_tui.do {message}", hint)


def _is_text(value: Any) -> bool:
    return isinstance(value, str) and bool(value.strip())


_ACCEPTS: dict[InputKind, tuple[str, Callable[[Any], bool]]] = {
    "text": ("a non-empty text", _is_text),
    "texts": (
        "a list of texts",
        lambda v: isinstance(v, list) and all(_is_text(x) for x in cast("list[Any]", v)),
    ),
    "sort": (f"one of {', '.join(s.value for s in Sort)}", lambda v: v in {s.value for s in Sort}),
    "tab": (f"one of {', '.join(DATASET_TABS)}", lambda v: v in DATASET_TABS),
    # a mapping's fields are checked against the task's in _check_try
    "try-input": (
        "a text, or a mapping of the task's fields to texts",
        lambda v: _is_text(v) or isinstance(v, Mapping),
    ),
}


def _check_input(screen: str, name: str, kind: InputKind, value: Any, where: Path) -> None:
    wanted, accepts = _ACCEPTS[kind]
    if not accepts(value):
        message = f"{screen} input {name!r} must be {wanted}, not {value!r:.60}"
        raise _bad(where, message, f"Fix metadata.lesson.in_hf_tui.do.inputs.{name}.")


def _check_try(inputs: Mapping[str, Any], where: Path) -> None:
    from hf_ecosystem.errors import HfEcoError
    from hf_ecosystem.inference.registry import get_task

    try:
        spec = get_task(str(inputs["task"]))
    except HfEcoError as exc:
        raise _bad(where, f"try: {exc.title}", exc.hint) from None
    given = inputs.get("input")
    if not isinstance(given, Mapping):
        return
    fields = cast("Mapping[Any, Any]", given)
    unknown = sorted(str(k) for k in fields if k not in spec.input_fields)
    if unknown or not all(isinstance(v, str) for v in fields.values()):
        raise _bad(
            where,
            f"try input for {spec.name} takes the texts {', '.join(spec.input_fields)}",
            f"Not: {', '.join(unknown) or 'a value that is not a text'}.",
        )


def do_here_from_metadata(data: Any, where: Path) -> DoHere:
    """A DoHere from `in_hf_tui.do`; LessonError naming an unknown screen, input or bad value."""
    if not isinstance(data, Mapping):
        raise _bad(where, "must be a mapping", 'Write {"screen": ..., "inputs": {...}}.')
    do = cast("Mapping[str, Any]", data)
    extra = sorted(set(do) - {"screen", "inputs"})
    if extra:
        raise _bad(where, f"has unknown keys {extra}", "It takes only screen and inputs.")
    screen = do.get("screen")
    if screen not in get_args(DoScreen):
        known = ", ".join(get_args(DoScreen))
        raise _bad(where, f"names an unknown screen {screen!r:.40}", f"Use one of: {known}.")
    name = cast("DoScreen", screen)
    inputs_data = do.get("inputs", {})
    if not isinstance(inputs_data, Mapping):
        raise _bad(where, "inputs must be a mapping", "Give the screen's inputs by name.")
    inputs = dict(cast("Mapping[str, Any]", inputs_data))
    kinds, required = DO_SCREENS[name]
    for key, value in inputs.items():
        if key not in kinds:
            takes = ", ".join(kinds) or "no inputs"
            raise _bad(where, f"{name} has no input {key!r}", f"It takes: {takes}.")
        _check_input(name, key, kinds[key], value, where)
    missing = sorted(required - set(inputs))
    if missing:
        raise _bad(where, f"{name} needs the input(s) {', '.join(missing)}", "Add them.")
    if name == "try":
        _check_try(inputs, where)
    return DoHere(name, inputs)
