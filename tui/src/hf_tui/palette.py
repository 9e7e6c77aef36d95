"""The command palette's share of each screen: every action its footer or its help names."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from functools import partial
from typing import Any

from textual.app import App, SystemCommand
from textual.binding import Binding
from textual.dom import DOMNode
from textual.screen import Screen


def screen_bindings(screen: Screen[object]) -> list[tuple[DOMNode, Binding]]:
    """What the footer shows (the active bindings) and what the help lists (the screen's own)."""
    found = [(active.node, active.binding) for active in screen.active_bindings.values()]
    found += [(screen, b) for b in screen.BINDINGS if isinstance(b, Binding)]
    return found


def binding_commands(
    app: App[Any], screen: Screen[object], titles: Iterable[str]
) -> Iterator[SystemCommand]:
    """A palette command, titled as the footer names it, for each named binding of `screen`
    whose name is not already a title in `titles`."""
    taken = {title.lower() for title in titles}
    for node, binding in screen_bindings(screen):
        name = binding.description
        if not name or name.lower() in taken:
            continue
        taken.add(name.lower())
        key = binding.key_display or app.get_key_display(binding)
        help_text = binding.tooltip or f"key: {key}"
        yield SystemCommand(name, help_text, partial(app.run_action, binding.action, node))
