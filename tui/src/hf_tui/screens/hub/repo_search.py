"""The search screen shared by Models and Datasets: search box, filters, results, states."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.message import Message
from textual.widgets import Footer, Header, Input, Static
from textual.worker import get_current_worker

from hf_ecosystem.hub.selection import BackendChoice
from hf_ecosystem.hub.types import RepoKind, RepoSummary, SearchFilters, Sort
from hf_ecosystem.snippets import CodeRequest, SearchCode
from hf_tui.screens.base import SHOW_CODE_KEY, HfScreen
from hf_tui.widgets.filter_sidebar import FilterSidebar
from hf_tui.widgets.results_table import ResultsTable

DEBOUNCE_SECONDS = 0.25
PAGE_SIZE = 50
Pages = Iterator[list[RepoSummary]]


class RepoSearchScreen(HfScreen):
    """Search-as-you-type over the active backend, with filters, sorts and paging."""

    KIND: RepoKind = "model"
    AUTO_FOCUS = "#results"  # the list: keys act at once, `/` and `f` lead to the fields
    BINDINGS = [
        Binding("slash", "focus_search", "Search"),
        Binding("f", "focus_filters", "Filters"),
        Binding("escape", "focus_results", "Back to the list", show=False),
        Binding("ctrl+r", "refresh", "Refresh"),
        Binding(SHOW_CODE_KEY, "show_code", "Code"),
    ]

    @dataclass
    class PageLoaded(Message):
        """A page of results arrived for search number `generation`."""

        generation: int
        results: list[RepoSummary]
        pages: Pages
        append: bool

    def __init__(self) -> None:
        super().__init__()
        self.generation = 0
        self._pages: Pages | None = None
        self._last_query: tuple[SearchFilters, Sort, BackendChoice] | None = None
        self._reindex = False
        self._refocus = False  # give the list the focus back once it has loaded

    def compose(self) -> ComposeResult:
        noun = f"{self.KIND}s"
        yield Header()
        with Horizontal():
            yield FilterSidebar(self.KIND, id="filters")
            with Vertical(id="results-pane"):
                yield Input(placeholder=f"Search {noun} (/ to focus)", id="search")
                yield Static("Connecting…", id="status")
                yield ResultsTable(self.KIND, id="results")
        yield Footer()

    def on_mount(self) -> None:
        self.watch(self.app, "backend_choice", self._backend_changed, init=True)

    # -- triggering searches ----------------------------------------------------------------

    def _backend_changed(self, choice: BackendChoice | None) -> None:
        if choice is not None:
            self.start_search(force=True)

    @on(Input.Changed, "#search")
    @on(FilterSidebar.Changed)
    def _debounced(self) -> None:
        self.rearm(DEBOUNCE_SECONDS, self.start_search, name="debounce")

    @on(Input.Submitted, "#search")
    def _submitted(self) -> None:
        self.disarm("debounce")
        self.start_search()
        self.action_focus_results()

    def current_filters(self) -> tuple[SearchFilters, Sort]:
        """What the user asked for."""
        sidebar = self.query_one(FilterSidebar)
        return sidebar.filters(self.query_one("#search", Input).value), sidebar.sort

    def show_search(self, filters: SearchFilters, sort: Sort) -> None:
        """Search for `filters` in `sort` order, the filters shown (Learn's "do it here")."""
        self.query_one("#search", Input).value = filters.query
        sidebar = self.query_one(FilterSidebar)
        sidebar.set_filters(filters, sort)
        sidebar.display = True
        self.start_search()
        self.action_focus_results()

    def code_requests(self) -> list[CodeRequest]:
        """This search, as the text and filters on screen say."""
        filters, sort = self.current_filters()
        return [SearchCode(self.KIND, filters, sort)]

    def start_search(self, *, force: bool = False) -> None:
        """Start a new search unless nothing changed; a running one is cancelled (exclusive)."""
        choice = self.hf_app.backend_choice
        if choice is None:
            return
        filters, sort = self.current_filters()
        if not force and self._last_query == (filters, sort, choice):
            return  # e.g. a widget reporting its initial value, or a key that changed nothing
        self._last_query = (filters, sort, choice)
        self.generation += 1
        table = self.query_one(ResultsTable)
        # A loading table cannot hold the focus: Textual would hand it to the search box, where
        # the next digit or letter would be typed. It comes back when the results arrive.
        self._refocus = self._refocus or self.focused is table
        table.loading = True
        self.run_search(choice, filters, sort, self.generation)

    @work(thread=True, exclusive=True, exit_on_error=False, group="search")
    def run_search(
        self, choice: BackendChoice, filters: SearchFilters, sort: Sort, generation: int
    ) -> None:
        """Fetch the first page off the event loop."""
        from hf_ecosystem.hub.local import LocalHub

        backend = choice.backend
        if self._reindex and isinstance(backend, LocalHub):
            self._reindex = False
            backend.refresh()
        pages: Pages
        if self.KIND == "model":
            pages = iter(backend.iter_model_pages(filters, sort, PAGE_SIZE))  # type: ignore[arg-type]
        else:
            pages = iter(backend.iter_dataset_pages(filters, sort, PAGE_SIZE))  # type: ignore[arg-type]
        first = next(pages, [])
        if not get_current_worker().is_cancelled:
            self.post_message(self.PageLoaded(generation, first, pages, append=False))

    @work(thread=True, exclusive=True, exit_on_error=False, group="search-more")
    def load_more(self, pages: Pages, generation: int) -> None:
        """Fetch the next page."""
        page = next(pages, [])
        if not get_current_worker().is_cancelled:
            self.post_message(self.PageLoaded(generation, page, pages, append=True))

    @on(ResultsTable.NeedMore)
    def _need_more(self) -> None:
        if self._pages is not None:
            self.query_one("#status", Static).update(self._status_text(loading_more=True))
            self.load_more(self._pages, self.generation)

    # -- showing results --------------------------------------------------------------------

    @on(PageLoaded)
    def _page_loaded(self, message: PageLoaded) -> None:
        if message.generation != self.generation:
            return  # a stale answer to an older query
        table = self.query_one(ResultsTable)
        self._stop_loading(table)
        has_more = len(message.results) >= PAGE_SIZE
        table.show(message.results, has_more=has_more, append=message.append)
        self._pages = message.pages if has_more else None
        self.query_one("#status", Static).update(self._status_text())

    def _status_text(self, *, loading_more: bool = False) -> str:
        choice = self.hf_app.backend_choice
        table = self.query_one(ResultsTable)
        noun = f"{self.KIND}s"
        where = ""
        if choice is not None and choice.backend.is_offline:
            where = f" · offline: local hub ({choice.reason})"
        if table.row_count == 0:
            filters, _ = self.current_filters()
            if filters.is_empty():
                return (
                    f"No {noun} here yet{where}. Seed the demo (ctrl+p → 'Seed the demo hub'), "
                    "add repos to the local hub, or go online."
                )
            return f"No {noun} match these filters{where}. Clear some filters or change the text."
        more = (
            " · loading more…" if loading_more else (" · scroll for more" if table.has_more else "")
        )
        return f"{table.row_count} {noun}{more}{where}"

    def worker_failed(self, group: str, title: str, hint: str) -> None:
        if group in {"search", "search-more"}:
            self._stop_loading(self.query_one(ResultsTable))
            # Text, not markup: an error's own brackets are shown as they are.
            self.query_one("#status", Static).update(Text.assemble((title, "bold"), f" — {hint}"))

    @on(ResultsTable.Selected)
    def _open(self, message: ResultsTable.Selected) -> None:
        self.hf_app.open_detail(message.repo_id, message.kind)

    # -- actions ----------------------------------------------------------------------------

    def action_focus_search(self) -> None:
        """Focus the search box."""
        self.query_one("#search", Input).focus()

    def _stop_loading(self, table: ResultsTable) -> None:
        table.loading = False
        if self._refocus:
            self._refocus = False
            table.focus()

    def focus_list(self) -> None:
        self.action_focus_results()

    def action_focus_results(self) -> None:
        """Leave the search box or a filter for the results list (once loaded, if loading)."""
        table = self.query_one(ResultsTable)
        if table.loading:
            self._refocus = True
            self.set_focus(None)  # no field keeps the keys meanwhile
        else:
            table.focus()

    def action_focus_filters(self) -> None:
        """Show the filters and focus the first; from inside them, hide them again."""
        sidebar = self.query_one(FilterSidebar)
        if sidebar.display and self.focused is not None and sidebar in self.focused.ancestors:
            sidebar.display = False
            self.action_focus_results()
            return
        sidebar.display = True
        sidebar.focus_first()

    def action_toggle_filters(self) -> None:
        """Show or hide the filter sidebar."""
        sidebar = self.query_one(FilterSidebar)
        sidebar.display = not sidebar.display
        if not sidebar.display:
            self.action_focus_results()

    def action_refresh(self) -> None:
        """Run the search again (re-reading the local hub's folders first)."""
        self._reindex = True
        self.start_search(force=True)
