"""HfScreen: what every screen of the app shares (typed app, worker errors, timers)."""

from __future__ import annotations

import inspect
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any, ClassVar, cast

from textual import on
from textual.screen import Screen
from textual.timer import Timer
from textual.worker import Worker, WorkerState

from hf_tui.errors import describe_error

if TYPE_CHECKING:
    from hf_ecosystem.snippets import CodeRequest
    from hf_tui.app import HfTuiApp

SHOW_CODE_KEY = "ctrl+o"  # every screen with code to show binds this key to `show_code`


def focus_first(screen: Screen[Any]) -> None:
    """Focus the screen's list or first field (its AUTO_FOCUS selector), as on opening it."""
    selector = screen.AUTO_FOCUS
    if not selector:
        return
    for widget in screen.query(selector):
        if widget.focusable:
            widget.focus()
            return


class HfScreen(Screen[None]):
    """A screen that reports its workers' failures once, redacted, and stops its timers on leaving.

    A failed worker's error goes through `describe_error` (redacted, no traceback), is shown in
    place by `worker_failed` and then notified as plain text (never read as markup), unless its
    group is in `QUIET_GROUPS` (errors a panel shows by itself).
    """

    QUIET_GROUPS: ClassVar[frozenset[str]] = frozenset()

    def __init__(self, name: str | None = None, id: str | None = None) -> None:
        super().__init__(name=name, id=id)
        self._timers_by_name: dict[str, Timer] = {}

    def focus_list(self) -> None:
        """Focus this screen's list or first field, as on opening it (the digit keys call it)."""
        focus_first(self)

    @property
    def hf_app(self) -> HfTuiApp:
        """The app, typed."""
        return cast("HfTuiApp", self.app)

    # -- timers: one per name, re-armed after each use, all stopped when the screen goes ----------

    def rearm(self, delay: float, callback: Callable[[], object], *, name: str = "poll") -> None:
        """Run `callback` once after `delay`, replacing the timer of that name (no pile-ups)."""
        self.disarm(name)

        def fire() -> object:
            self._timers_by_name.pop(name, None)  # fired: no longer armed
            return callback()

        self._timers_by_name[name] = self.set_timer(delay, fire, name=name)

    def is_armed(self, name: str = "poll") -> bool:
        """Whether the timer of that name is waiting to fire."""
        return name in self._timers_by_name

    def disarm(self, name: str = "poll") -> None:
        """Stop the timer of that name, if armed."""
        timer = self._timers_by_name.pop(name, None)
        if timer is not None:
            timer.stop()

    def stop_timers(self) -> None:
        """Stop every named timer."""
        for name in list(self._timers_by_name):
            self.disarm(name)

    def on_unmount(self) -> None:
        self.stop_timers()

    # -- worker failures ---------------------------------------------------------------------------

    @on(Worker.StateChanged)
    async def _worker_state_changed(self, event: Worker.StateChanged) -> None:
        if event.state != WorkerState.ERROR:
            return
        title, hint = describe_error(event.worker.error)
        shown = self.worker_failed(event.worker.group, title, hint)
        if inspect.isawaitable(shown):
            await shown
        if event.worker.group not in self.QUIET_GROUPS:
            self.notify(hint or title, title=title, severity="error", markup=False)

    # -- show code ---------------------------------------------------------------------------------

    def code_requests(self) -> list[CodeRequest]:
        """What this screen does now, as snippet requests; none (after saying why) when there is
        nothing to show yet."""
        return []

    def action_show_code(self) -> None:
        """Open the Python that does what this screen does, built from the values on it."""
        from hf_ecosystem.snippets import snippet_for
        from hf_tui.modals.show_code import ShowCodeModal

        requests = self.code_requests()
        if requests:
            self.app.push_screen(ShowCodeModal([snippet_for(r) for r in requests]))

    def worker_failed(self, group: str, title: str, hint: str) -> Awaitable[None] | None:
        """Show a failed worker's (already redacted) error in place; the base then notifies it."""
        return None
