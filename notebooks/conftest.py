"""The lessons run as tests under nbval (`pytest --nbval-lax notebooks/`, part of `make test`).

Every lesson cell is marked `lesson` (select them with `-m lesson`) and `slow` (`make test-fast`
leaves them out). Each notebook's kernel starts with its own environment: HF_HUB_OFFLINE=1 (a
test never leaves the machine, so every lesson takes its offline path and says so), and an
HFTUI_HOME/HF_HOME kept in pytest's cache folder, so the demo hub the first lesson seeds is reused
by the others and by later runs (`pytest --cache-clear` starts from an empty one).
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Generator, Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

HERE = Path(__file__).parent
# Inherited variables that would point a lesson elsewhere than its own folders.
_DROP = ("HF_TOKEN", "HUGGING_FACE_HUB_TOKEN", "HF_ENDPOINT", "HFTUI_LOCAL_HUB", "HFTUI_CONFIG")


def lesson_environment(home: Path) -> dict[str, str]:
    """The variables a lesson kernel starts with under test (`home` holds its state folders)."""
    return {
        "HFTUI_HOME": str(home / "hftui_home"),
        "HF_HOME": str(home / "hf_home"),
        "HF_HUB_CACHE": str(home / "hf_home" / "hub"),
        "HF_HUB_OFFLINE": "1",
        "HF_HUB_DISABLE_TELEMETRY": "1",
        "HF_UPDATE_DOWNLOAD_COUNTS": "0",
        "TOKENIZERS_PARALLELISM": "false",
        "MPLBACKEND": "Agg",
    }


_SESSION_HOME: list[Path] = []


def _lessons_home(config: pytest.Config) -> Path:
    """pytest's cache folder for the lessons' state; a temp folder when the cache is off."""
    cache = getattr(config, "cache", None)
    if cache is not None:
        return cache.mkdir("hf-tui-lessons")
    if not _SESSION_HOME:  # -p no:cacheprovider: one folder for this session
        _SESSION_HOME.append(Path(tempfile.mkdtemp(prefix="hf-tui-lessons-")))
    return _SESSION_HOME[0]


@contextmanager
def lesson_env(config: pytest.Config) -> Generator[None]:
    """os.environ as a lesson kernel should inherit it, restored afterwards."""
    saved = dict(os.environ)
    for name in _DROP:
        os.environ.pop(name, None)
    os.environ.update(lesson_environment(_lessons_home(config)))
    try:
        yield
    finally:
        os.environ.clear()
        os.environ.update(saved)


def _is_lesson(item: pytest.Item) -> bool:
    return item.path.suffix == ".ipynb" and HERE in item.path.parents


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Lesson cells are `lesson` and `slow` tests."""
    for item in items:
        if _is_lesson(item):
            item.add_marker(pytest.mark.lesson)
            item.add_marker(pytest.mark.slow)


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_setup(item: pytest.Item) -> Iterator[None]:
    """nbval starts a notebook's kernel while setting up its first cell: give it the lesson env."""
    if not _is_lesson(item):
        yield
        return
    # nbval would also start its own Coverage inside the kernel (when pytest-cov runs); the kernel
    # is already measured through coverage's subprocess patch ([tool.coverage.run] patch), and
    # the second Coverage hangs the kernel's start-up. Hide the option while nbval sets up.
    # (pytest_runtest_teardown below saves what the kernel measured.)
    option = item.config.option
    cov_source = getattr(option, "cov_source", None)
    option.cov_source = None
    try:
        with lesson_env(item.config):
            yield
    finally:
        option.cov_source = cov_source


# Run in a lesson kernel before nbval kills it (SIGKILL: no atexit, so coverage would be lost).
_SAVE_COVERAGE = """
try:
    import coverage as _coverage
    _current = _coverage.Coverage.current()
    if _current is not None:
        _current.stop()
        _current.save()
except Exception:
    pass
"""


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_teardown(item: pytest.Item, nextitem: pytest.Item | None) -> Iterator[None]:
    """After a notebook's last cell, save the coverage its kernel measured."""
    kernel = getattr(item.parent, "kernel", None)
    last = nextitem is None or nextitem.parent is not item.parent
    if _is_lesson(item) and last and kernel is not None and kernel.is_alive():
        kernel.await_idle(kernel.kc.execute(_SAVE_COVERAGE), 60)
    yield


def pytest_sessionfinish() -> None:
    """Remove the temp folder used when pytest's cache was off."""
    for home in _SESSION_HOME:
        shutil.rmtree(home, ignore_errors=True)
