"""The Detail screen of a dataset: card, metadata and files, plus a streamed preview and stats."""

from __future__ import annotations

import threading
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, ClassVar

from rich.cells import cell_len, set_cell_size
from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll
from textual.message import Message
from textual.widgets import Select, Static, TabbedContent, TabPane
from textual.worker import get_current_worker

from hf_ecosystem.data.types import DatasetInfoSummary, DatasetStats, PreviewPage
from hf_ecosystem.hub.types import DatasetSummary, RepoDetails, RepoFile, RepoKind
from hf_ecosystem.paths import user_path
from hf_ecosystem.snippets import CodeRequest, PreviewCode, StatsCode
from hf_tui.screens.hub.detail import DetailScreen
from hf_tui.widgets.data_table import DataTable
from hf_tui.widgets.stats_panel import StatsPanel

if TYPE_CHECKING:
    from hf_ecosystem.hub.backend import HubBackend

PREVIEW_ROWS = 100
SHORT_COLUMN = 24  # a preview column this wide or narrower keeps its width
LONG_COLUMN_MIN = 16  # the least width a capped long-text column is given


class DatasetDetailScreen(DetailScreen):
    """A Hub, local-hub or local-file dataset: everything DetailScreen shows, plus its data."""

    KIND: ClassVar[RepoKind] = "dataset"
    QUIET_GROUPS = frozenset({"inspect", "preview", "stats"})  # shown in their panes
    # Added to DetailScreen's keys (Textual merges BINDINGS down the class tree); its t, f and
    # e keys stay hidden here by DetailScreen.check_action.
    BINDINGS = [
        Binding("p", "show_tab('tab-preview')", "Preview"),
        Binding("s", "show_tab('tab-stats')", "Statistics"),
        Binding("c", "show_tab('tab-card')", "Card", show=False),
    ]

    @dataclass
    class Inspected(Message):
        """Configs and splits are known."""

        info: DatasetInfoSummary

    @dataclass
    class Previewed(Message):
        """A preview page arrived."""

        page: PreviewPage

    @dataclass
    class Summarised(Message):
        """Statistics of a split arrived."""

        stats: DatasetStats

    def __init__(self, spec: str, *, config: str = "", split: str = "", tab: str = "card") -> None:
        """`config`, `split` and `tab` (card, preview, stats): what to show first when it has
        them (Learn's "do it here"); otherwise the first config, train and the card."""
        super().__init__(spec)
        self.wanted = (config, split)
        self.first_tab = f"tab-{tab}"
        self.info: DatasetInfoSummary | None = None
        self._stats_for: tuple[str | None, str | None] | None = None
        self._stats_cancel = threading.Event()

    @property
    def is_local_path(self) -> bool:
        """True when the dataset is a file or folder on this machine, not a repo."""
        return "/" in self.repo_id and user_path(self.repo_id).exists()

    def compose_main(self) -> ComposeResult:
        with TabbedContent(id="dataset-tabs", initial=self.first_tab):
            with TabPane("Card", id="tab-card"), VerticalScroll(id="card-pane"):
                yield from self.compose_card()
            with TabPane("Preview", id="tab-preview"), VerticalScroll(id="preview-pane"):
                with Horizontal(id="split-pickers"):
                    yield Select[str]([], prompt="config", id="config-select")
                    yield Select[str]([], prompt="split", id="split-select")
                yield Static("Reading the dataset's layout…", id="preview-status")
                yield DataTable(id="preview-table", zebra_stripes=True, header_height=2)
            with TabPane("Statistics", id="tab-stats"), VerticalScroll(id="stats-pane"):
                yield StatsPanel(id="stats-panel")

    def on_mount(self) -> None:
        # DetailScreen's on_mount runs too (Textual calls each class's handler): data only here.
        self.query_one("#action-try").display = False
        self.query_one("#action-fine-tune").display = False
        self.inspect()

    def code_requests(self) -> list[CodeRequest]:
        """The preview and the statistics of the config and split picked."""
        split, config = self._selected("#split-select"), self._selected("#config-select")
        if split is None:
            self.notify("Pick a split first (the Preview tab).", severity="warning")
            return []
        return [PreviewCode(self.repo_id, split, config, PREVIEW_ROWS),
                StatsCode(self.repo_id, split, config)]  # fmt: skip

    # -- details for a local file or folder (no repo behind it) -------------------------------

    def fetch_info(self, backend: HubBackend) -> RepoDetails:
        return backend.dataset_info(self.repo_id)

    def fetch_details(self) -> tuple[RepoDetails, str]:
        """Repo details and card; for a local path, its files and its README if it has one."""
        if not self.is_local_path:
            return super().fetch_details()
        from hf_ecosystem.safe_files import read_text_bounded

        path = user_path(self.repo_id)
        files = [path] if path.is_file() else sorted(p for p in path.rglob("*") if p.is_file())
        rel = (lambda p: p.name) if path.is_file() else (lambda p: str(p.relative_to(path)))
        details = RepoDetails(
            summary=DatasetSummary(id=str(path), source="file"),
            files=tuple(RepoFile(rel(p), p.stat().st_size) for p in files[:500]),
            local_path=str(path),
        )
        readme = path / "README.md"
        card = read_text_bounded(readme, root=path, errors="replace") if readme.is_file() else ""
        return details, card

    # -- layout, preview, statistics ------------------------------------------------------------

    def _offline(self) -> bool | None:
        choice = self.hf_app.backend_choice
        return choice.backend.is_offline if choice is not None else None

    @work(thread=True, exclusive=True, exit_on_error=False, group="inspect")
    def inspect(self) -> None:
        """Configs and splits (reads the card and lists files; no data is downloaded)."""
        from hf_ecosystem.data.sources import inspect_dataset

        self.post_message(self.Inspected(inspect_dataset(self.repo_id, offline=self._offline())))

    @on(Inspected)
    def _inspected(self, message: Inspected) -> None:
        self.info = message.info
        names = list(message.info.config_names)
        configs = self.query_one("#config-select", Select)
        configs.set_options([(n, n) for n in names])
        if names:
            configs.value = self.wanted[0] if self.wanted[0] in names else names[0]
        self._fill_splits()

    def _fill_splits(self) -> None:
        if self.info is None:
            return
        config = self._selected("#config-select")
        chosen = next((c for c in self.info.configs if c.name == config), self.info.configs[0])
        splits = self.query_one("#split-select", Select)
        splits.set_options([(s, s) for s in chosen.split_names])
        names = chosen.split_names
        if names:
            first = self.wanted[1] if self.wanted[1] in names else "train"
            splits.value = first if first in names else names[0]

    def _selected(self, selector: str) -> str | None:
        value = self.query_one(selector, Select).value
        return value if isinstance(value, str) else None

    @on(Select.Changed, "#config-select")
    def _config_changed(self) -> None:
        self._fill_splits()

    @on(Select.Changed, "#split-select")
    def _split_changed(self) -> None:
        split = self._selected("#split-select")
        if split is None:
            return
        self.query_one("#preview-status", Static).update(f"Reading the first rows of {split}…")
        self.load_preview(self._selected("#config-select"), split)
        if self.query_one(TabbedContent).active == "tab-stats":
            self.start_stats()

    @work(thread=True, exclusive=True, exit_on_error=False, group="preview")
    def load_preview(self, config: str | None, split: str) -> None:
        """The first rows only: streamed, never the whole dataset."""
        from hf_ecosystem.data.preview import preview

        page = preview(self.repo_id, split=split, config=config, rows=PREVIEW_ROWS,
                       offline=self._offline())  # fmt: skip
        if not get_current_worker().is_cancelled:
            self.post_message(self.Previewed(page))

    @on(Previewed)
    def _previewed(self, message: Previewed) -> None:
        page = message.page
        table = self.query_one("#preview-table", DataTable)
        table.clear(columns=True)
        cells = [[_cell(v) for v in row] for row in page.rows]
        natural = [
            max([cell_len(column.name), cell_len(column.type), *(cell_len(r[i]) for r in cells)])
            for i, column in enumerate(page.columns)
        ]
        # the tabs' width: known even while the Preview tab is hidden
        widths = preview_widths(natural, self.query_one("#dataset-tabs").size.width - 2)
        for column, width in zip(page.columns, widths, strict=True):
            label = Text(f"{column.name}\n{column.type}", style="bold")
            table.add_column(label, key=column.name, width=width)
        for row in cells:
            table.add_row(*(_fit(v, w) for v, w in zip(row, widths, strict=False)))
        total = f" of {page.total_rows:,}" if page.total_rows is not None else ""
        cut = f" · {page.truncated_cells} long cells cut" if page.truncated_cells else ""
        self.query_one("#preview-status", Static).update(
            f"{page.config}/{page.split}: first {len(page.rows)} rows{total}"
            f" · {page.seconds * 1000:.0f} ms{cut}"
        )

    def action_show_tab(self, tab: str) -> None:
        """Switch tabs."""
        self.query_one(TabbedContent).active = tab

    @on(TabbedContent.TabActivated)
    def _tab_activated(self, event: TabbedContent.TabActivated) -> None:
        if event.pane.id == "tab-stats":
            self.start_stats()

    def start_stats(self) -> None:
        """Compute the selected split's statistics (once per split) in a worker."""
        key = (self._selected("#config-select"), self._selected("#split-select"))
        if key[1] is None or key == self._stats_for:
            return
        self._stats_for = key
        self._stats_cancel.set()  # stop a pass over another split
        self._stats_cancel = threading.Event()
        self.query_one(StatsPanel).show_loading(f"Computing statistics of {key[1]} (one pass)…")
        self.compute_stats(key[0], key[1], self._stats_cancel)

    @work(thread=True, exclusive=True, exit_on_error=False, group="stats")
    def compute_stats(self, config: str | None, split: str, cancel: threading.Event) -> None:
        """One streaming pass over the split."""
        from hf_ecosystem.data.stats import compute_stats

        stats = compute_stats(self.repo_id, split=split, config=config, offline=self._offline(),
                              cancel=cancel)  # fmt: skip
        if not cancel.is_set():
            self.post_message(self.Summarised(stats))

    @on(Summarised)
    def _summarised(self, message: Summarised) -> None:
        self.query_one(StatsPanel).show(message.stats)

    def on_unmount(self) -> None:
        self._stats_cancel.set()

    async def worker_failed(self, group: str, title: str, hint: str) -> None:
        message = Text(f"{title}\n{hint}", style="red")
        if group == "stats":
            self._stats_for = None
            self.query_one(StatsPanel).show_loading(str(message))
        elif group in {"inspect", "preview"}:
            self.query_one("#preview-status", Static).update(message)
        else:
            await super().worker_failed(group, title, hint)


def preview_widths(natural: list[int], available: int) -> list[int | None]:
    """Column widths for a preview: None (as wide as their cells) when every column fits in
    `available` cells; otherwise short columns (a label, a number) keep their width and the long
    text columns share what is left, so no short column is pushed off the screen."""
    padding = 2  # DataTable's cell_padding on each side, 1 + 1
    if sum(n + padding for n in natural) <= available:
        return [None] * len(natural)
    long = [i for i, n in enumerate(natural) if n > SHORT_COLUMN]
    short_total = sum(n + padding for i, n in enumerate(natural) if i not in long)
    share = (available - short_total) // max(1, len(long)) - padding
    cap = max(LONG_COLUMN_MIN, share)
    return [min(n, cap) if i in long else None for i, n in enumerate(natural)]


def _fit(text: str, width: int | None) -> str:
    """`text` cut to `width` cells with an ellipsis (a capped column crops without one)."""
    if width is None or cell_len(text) <= width:
        return text
    return set_cell_size(text, width - 1) + "…"


def _cell(value: Any) -> str:
    text = "∅" if value is None else str(value)
    return text if len(text) <= 80 else text[:79] + "…"
