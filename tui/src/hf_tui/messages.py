"""App-wide messages, named in the past tense."""

from __future__ import annotations

from dataclasses import dataclass

from textual.message import Message

from hf_ecosystem.hub.selection import BackendChoice


@dataclass
class BackendSelected(Message):
    """The hub backend was chosen (and the local index refreshed when offline)."""

    choice: BackendChoice
