"""The search screens' filter sidebar: task, library, language, license, author, tags, sort."""

from __future__ import annotations

from dataclasses import dataclass

from textual import on
from textual.app import ComposeResult
from textual.containers import VerticalScroll
from textual.events import Blur
from textual.message import Message
from textual.suggester import SuggestFromList
from textual.widgets import Input, Select

from hf_ecosystem.hub.licenses import license_ids
from hf_ecosystem.hub.types import RepoKind, SearchFilters, Sort

MODEL_TASKS = [
    "text-classification", "token-classification", "question-answering", "summarization",
    "translation", "text-generation", "fill-mask", "feature-extraction", "sentence-similarity",
    "zero-shot-classification", "image-classification", "object-detection", "image-to-text",
    "image-text-to-text", "visual-question-answering", "zero-shot-image-classification",
    "automatic-speech-recognition", "audio-classification", "text-to-speech",
]  # fmt: skip
LIBRARIES = [
    "transformers", "sentence-transformers", "diffusers", "timm", "peft", "gguf", "onnx",
    "safetensors", "pytorch", "keras", "spacy", "mlx",
]  # fmt: skip
_FIELDS = ("task", "library", "language", "license", "author", "tags")
SORT_LABELS = {
    Sort.DOWNLOADS: "Most downloads",
    Sort.LIKES: "Most likes",
    Sort.TRENDING: "Trending",
    Sort.UPDATED: "Recently updated",
    Sort.NAME: "Name",
}


class FilterInput(Input):
    """A filter field whose shown completion is its value: searched while shown, kept on leaving.

    A grey completion the search ignored would show one filter and apply another.
    """

    @dataclass
    class Completed(Message):
        """A completion was shown (or withdrawn): the value searched changed."""

    @property
    def shown_value(self) -> str:
        """What the field shows: the typed text, or the completion shown after it."""
        suggestion = self._suggestion
        shown = self.has_focus and self.cursor_at_end and len(suggestion) > len(self.value)
        return suggestion if shown else self.value

    def watch__suggestion(self) -> None:
        self.post_message(self.Completed())

    def _on_blur(self, event: Blur) -> None:
        completion = self._suggestion
        if self.cursor_at_end and len(completion) > len(self.value):
            self.value = completion  # keep what was shown (posts Changed)


class FilterSidebar(VerticalScroll):
    """Inputs for every filter and the sort; posts Changed when any of them changes."""

    @dataclass
    class Changed(Message):
        """A filter or the sort changed."""

        sidebar: FilterSidebar

    def __init__(self, kind: RepoKind, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.kind = kind

    def compose(self) -> ComposeResult:
        suggestions = {
            "task": MODEL_TASKS,
            "library": LIBRARIES,
            "license": license_ids(),
            "language": ["en", "fr", "de", "es", "zh", "ja", "multilingual"],
        }
        sort = Select(
            [(label, sort.value) for sort, label in SORT_LABELS.items()],
            value=Sort.DOWNLOADS.value,
            allow_blank=False,
            id="sort",
        )
        sort.border_title = "Sort"
        yield sort
        # Field names are border titles, not Label widgets: fewer widgets, a faster first frame.
        for name in _FIELDS:
            words = suggestions.get(name)
            field = FilterInput(
                placeholder="any" + (", comma-separated" if name == "tags" else ""),
                id=f"filter-{name}",
                suggester=SuggestFromList(words, case_sensitive=False) if words else None,
            )
            field.border_title = name.capitalize()
            yield field

    @on(Input.Changed)
    @on(Select.Changed)
    @on(FilterInput.Completed)
    def _changed(self, event: Input.Changed | Select.Changed | FilterInput.Completed) -> None:
        event.stop()
        self.post_message(self.Changed(self))

    def focus_first(self) -> None:
        """Focus the first filter field (the task), ready to type."""
        self.query_one(f"#filter-{_FIELDS[0]}", FilterInput).focus()

    def set_filters(self, filters: SearchFilters, sort: Sort) -> None:
        """Show these filters and this sort (Learn mode's "do it here" opens a search so)."""
        values = {
            "task": filters.task, "library": filters.library, "language": filters.language,
            "license": filters.license, "author": filters.author, "tags": ", ".join(filters.tags),
        }  # fmt: skip
        for name in _FIELDS:
            self.query_one(f"#filter-{name}", FilterInput).value = values[name] or ""
        self.query_one("#sort", Select).value = sort.value

    def _value(self, name: str) -> str | None:
        return self.query_one(f"#filter-{name}", FilterInput).shown_value.strip() or None

    def filters(self, query: str) -> SearchFilters:
        """The current filters with the search box's text."""
        tags = tuple(t.strip() for t in (self._value("tags") or "").split(",") if t.strip())
        return SearchFilters(
            query=query,
            task=self._value("task"),
            library=self._value("library"),
            language=self._value("language"),
            license=self._value("license"),
            author=self._value("author"),
            tags=tags,
        )

    @property
    def sort(self) -> Sort:
        """The chosen order."""
        value = self.query_one("#sort", Select).value
        return Sort(str(value)) if isinstance(value, str) else Sort.DOWNLOADS
