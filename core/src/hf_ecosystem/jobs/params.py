"""Checks of job parameters: each takes (field name, value) and returns the clean value or raises
JobSpecError naming the field. Kinds list them in `hf_ecosystem.jobs.kinds`."""

from __future__ import annotations

import importlib
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from hf_ecosystem.errors import HfEcoError
from hf_ecosystem.hub.repo_id import REVISION_NAME_HINT, is_revision_name, validate_repo_id
from hf_ecosystem.paths import user_path

Check = Callable[[str, Any], Any]


class JobSpecError(HfEcoError):
    """A job spec is invalid; the title names the field."""

    default_title = "Invalid job"
    default_hint = "Fix the named field and launch again."


def text(name: str, value: Any) -> str:
    """A non-empty string, stripped."""
    if not isinstance(value, str) or not value.strip():
        raise JobSpecError(f"Invalid job: {name!r} must be a non-empty string")
    return value.strip()


def repo(name: str, value: Any) -> str:
    """A valid repo id."""
    try:
        return validate_repo_id(text(name, value))
    except HfEcoError as exc:
        raise JobSpecError(f"Invalid job: {name!r} is not a repo id ({value!r})", exc.hint) from exc


def revision_name(name: str, value: Any) -> str:
    """A version tag: refused at launch, not inside the job (`--tag ../../x`)."""
    given = text(name, value)
    if not is_revision_name(given):
        problem = f"Invalid job: {name!r} is not a version tag ({given!r})"
        raise JobSpecError(problem, REVISION_NAME_HINT)
    return given


def model(name: str, value: Any) -> str:
    """A repo id or an existing local folder."""
    given = text(name, value)
    if user_path(given).is_dir():
        return str(user_path(given).resolve())
    return repo(name, given)


def existing_path(name: str, value: Any) -> str:
    """A path that exists, made absolute."""
    given = text(name, value)
    path = user_path(given)
    if not path.exists():
        raise JobSpecError(f"Invalid job: {name!r} does not exist: {given}")
    return str(path.resolve())


def int_param(name: str, value: Any, low: int = 1, high: int = 1 << 20) -> int:
    """An integer from low to high (a bool is not one)."""
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise JobSpecError(f"Invalid job: {name!r} must be an integer from {low} to {high}")
    return value


def boolean(name: str, value: Any) -> bool:
    """true or false."""
    if not isinstance(value, bool):
        raise JobSpecError(f"Invalid job: {name!r} must be true or false")
    return value


def repo_kind(name: str, value: Any) -> str:
    """'model' or 'dataset'."""
    if value not in ("model", "dataset"):
        raise JobSpecError(f"Invalid job: {name!r} must be 'model' or 'dataset'")
    return str(value)


def file_names(name: str, value: Any) -> list[str]:
    """A list of non-empty file names."""
    items: list[object] = list(value) if isinstance(value, list) else []  # pyright: ignore[reportUnknownArgumentType]
    names = [v for v in items if isinstance(v, str) and v]
    if not isinstance(value, list) or len(names) != len(items):
        raise JobSpecError(f"Invalid job: {name!r} must be a list of file names")
    return names


def job_id(name: str, value: Any) -> str:
    """A job id (letters, digits and dashes)."""
    given = text(name, value)
    if not given.replace("-", "").isalnum():
        raise JobSpecError(f"Invalid job: {name!r} is not a job id ({value!r})")
    return given


def fraction(name: str, value: Any) -> float:
    """A number strictly between 0 and 1."""
    if isinstance(value, bool) or not isinstance(value, int | float) or not 0 < value < 1:
        raise JobSpecError(f"Invalid job: {name!r} must be a number between 0 and 1")
    return float(value)


def int_between(low: int, high: int) -> Check:
    """An integer check with these bounds."""

    def check(name: str, value: Any) -> int:
        return int_param(name, value, low, high)

    return check


def resolve(path: str) -> Any:
    """The object an import path ("package.module:name") names, imported now."""
    module, _, attr = path.partition(":")
    return getattr(importlib.import_module(module), attr)


def by_path(path: str) -> Check:
    """A check that lives in a domain package, imported when it first runs (jobs stays below)."""

    def check(name: str, value: Any) -> Any:
        found: Check = resolve(path)
        return found(name, value)

    return check


@dataclass(frozen=True, slots=True)
class Param:
    """One field of a kind: whether it must be given and how it is checked."""

    check: Check
    required: bool = False
    free_text: bool = False  # typed by a person: stored redacted (a pasted token never lands)
