"""Paths typed by a person: `~` expanded, and a `~user` that does not exist is a clear error."""

from __future__ import annotations

from pathlib import Path

from hf_ecosystem.errors import HfEcoError


def user_path(text: str | Path) -> Path:
    """`Path(text).expanduser()`, with HfEcoError naming the input when `~user` has no home
    (pathlib raises a bare RuntimeError that surfaced as "Unexpected error … a bug")."""
    try:
        return Path(text).expanduser()
    except RuntimeError as exc:
        raise HfEcoError(
            f"Cannot find the home folder in {str(text)!r}: {exc}",
            "Check the user name after '~', or give an absolute path.",
        ) from None
