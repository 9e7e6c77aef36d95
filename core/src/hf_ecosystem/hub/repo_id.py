"""Repo id validation and the `REPO[@REVISION]` syntax."""

from __future__ import annotations

import re

from hf_ecosystem.errors import InvalidRepoIdError

_PART = r"[A-Za-z0-9](?:[A-Za-z0-9._\-]{0,94}[A-Za-z0-9_])?"
_REPO_ID = re.compile(rf"^(?:{_PART}/)?{_PART}$")
_REVISION_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._\-]{0,63}$")
REVISION_NAME_HINT = "Use letters, digits, '.', '_' and '-' (e.g. v1)."


def is_revision_name(name: str) -> bool:
    """True for a version tag we create (a folder name in the local hub, a tag on the Hub):
    no '/', no '..', no leading '.' or '-'."""
    return bool(_REVISION_NAME.match(name))


def validate_repo_id(repo_id: str) -> str:
    """Return the repo id stripped, or raise InvalidRepoIdError naming what is wrong."""
    # Callers outside the type checker (CLI, JSON) can pass anything.
    value = repo_id.strip() if isinstance(repo_id, str) else ""  # pyright: ignore[reportUnnecessaryIsInstance]
    if not value:
        raise InvalidRepoIdError("Empty repo id")
    if ".." in value or "--" in value or not _REPO_ID.match(value):
        raise InvalidRepoIdError(f"Invalid repo id: {value!r}")
    return value


def split_revision(spec: str) -> tuple[str, str | None]:
    """Split `org/name@revision` into a validated repo id and an optional revision."""
    repo, _, revision = spec.partition("@")
    return validate_repo_id(repo), (revision.strip() or None)
