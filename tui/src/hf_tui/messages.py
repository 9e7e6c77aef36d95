"""App-wide messages, named in the past tense."""

from __future__ import annotations

from dataclasses import dataclass

from textual.message import Message

from hf_ecosystem.hub.selection import BackendChoice


@dataclass
class BackendSelected(Message):
    """The hub backend was chosen (and the local index refreshed when offline)."""

    choice: BackendChoice
    empty_local_hub: bool = False


@dataclass
class UserResolved(Message):
    """The header's user part is known ("@name", "not logged in", …)."""

    line: str


@dataclass
class DeviceSummarised(Message):
    """The header's one-line device summary is known."""

    line: str
