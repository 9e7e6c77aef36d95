"""Prepare a lesson in any environment: check versions, pick OFFLINE, seed the demo hub, a work dir.

`setup_lesson()` is each lesson's setup cell. It decides OFFLINE once, visibly: offline when
HF_HUB_OFFLINE (or the offline setting) says so or the Hub endpoint does not answer quickly; then
it sets HF_HUB_OFFLINE=1 for the kernel so the libraries never wait on the network. Models and
datasets of the demo hub resolve to local folders either way (`LessonEnv.model`/`.dataset`).
"""

from __future__ import annotations

import gc
import os
import platform
import re
import shutil
import sys
import urllib.error
import urllib.request
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path

from hf_ecosystem.config import Settings, load_settings
from hf_ecosystem.course.lessons import LessonError
from hf_ecosystem.hub.types import RepoKind

PROBE_TIMEOUT = 2.0
# What the lessons are written against (transformers 5 APIs, datasets 4 loaders, hub 1.x client).
MIN_VERSIONS: dict[str, str] = {
    "torch": "2.4",
    "transformers": "5.0",
    "datasets": "4.0",
    "huggingface_hub": "1.0",
    "evaluate": "0.4",
}
# Imported before the setup cell, these read HF_HUB_OFFLINE too early to follow our switch.
_HF_LIBRARIES = ("huggingface_hub", "transformers", "datasets")


def hub_reachable(endpoint: str, timeout: float = PROBE_TIMEOUT) -> bool:
    """True when the endpoint answers an HTTP request within `timeout` (any status counts)."""
    try:
        request = urllib.request.Request(f"{endpoint.rstrip('/')}/api/whoami-v2", method="GET")
        with urllib.request.urlopen(request, timeout=timeout):
            return True
    except urllib.error.HTTPError:
        return True  # 401 without a token: the Hub is there
    except (urllib.error.URLError, OSError, ValueError):
        return False


def decide_offline(
    settings: Settings,
    timeout: float = PROBE_TIMEOUT,
    probe: Callable[[str, float], bool] | None = None,
) -> tuple[bool, str]:
    """(offline, why): the offline setting wins; else offline when the endpoint does not answer."""
    if settings.offline:
        return True, "HF_HUB_OFFLINE=1" if os.environ.get("HF_HUB_OFFLINE") else "offline setting"
    reachable = (probe or hub_reachable)(settings.endpoint, timeout)
    if reachable:
        return False, f"{settings.endpoint} answered within {timeout:g} s"
    return True, f"{settings.endpoint} did not answer within {timeout:g} s"


def _parse(version: str) -> tuple[int, ...]:
    """The leading release numbers of a version ("2.15.0+cu128" -> (2, 15, 0))."""
    found = re.match(r"\d+(?:\.\d+)*", version.strip())
    return tuple(int(part) for part in found.group(0).split(".")) if found else ()


def check_versions(minimum: Mapping[str, str] = MIN_VERSIONS) -> dict[str, str]:
    """Installed versions of the lesson libraries; LessonError naming one missing or too old."""
    found: dict[str, str] = {"python": platform.python_version()}
    for name, least in minimum.items():
        try:
            version = metadata.version(name)
        except metadata.PackageNotFoundError:
            raise LessonError(f"{name} is not installed", "Run `make setup` (uv sync).") from None
        if _parse(version) < _parse(least):
            raise LessonError(
                f"{name} {version} is older than the {least} the lessons need",
                "Run `make setup` to install the locked versions.",
            )
        found[name] = version
    return found


@dataclass(frozen=True, slots=True)
class Cleanup:
    """What a lesson's clean-up did."""

    workdir_removed: bool
    cuda_before_bytes: int | None = None  # torch.cuda.memory_allocated() before / after
    cuda_after_bytes: int | None = None


@dataclass(frozen=True, slots=True)
class LessonEnv:
    """Where a lesson runs: its OFFLINE switch and why, the demo hub, a fresh work folder."""

    lesson: str
    offline: bool
    reason: str
    endpoint: str
    home: Path
    hf_home: Path
    hub_root: Path
    workdir: Path
    seeded_now: tuple[str, ...] = ()
    versions: dict[str, str] = field(default_factory=dict[str, str], hash=False)

    def resolve(self, repo_id: str, kind: RepoKind = "model") -> str:
        """What a loader takes for `repo_id`: its demo-hub folder, else the id (Hub or cache)."""
        from hf_ecosystem.hub.reference import resolve_reference

        settings = load_settings(offline=self.offline)
        return resolve_reference(repo_id, kind, settings, offline=self.offline).location

    def model(self, repo_id: str) -> str:
        """A model's folder in the demo hub (or the id, for the Hub or cache)."""
        return self.resolve(repo_id, "model")

    def dataset(self, repo_id: str) -> str:
        """A dataset's folder in the demo hub (or the id, for the Hub)."""
        return self.resolve(repo_id, "dataset")

    def summary(self) -> str:
        """The lines the setup cell prints."""
        libraries = ", ".join(f"{k} {v}" for k, v in self.versions.items())
        built = f"built {len(self.seeded_now)} repos now" if self.seeded_now else "ready"
        return "\n".join(
            [
                f"Lesson    {self.lesson}",
                f"OFFLINE = {self.offline}  ({self.reason})",
                f"demo hub  {self.hub_root} ({built})",
                f"work dir  {self.workdir}",
                f"versions  {libraries}",
            ]
        )

    def cleanup(self) -> Cleanup:
        """Remove the work folder, collect garbage and return cached GPU memory to the driver."""
        existed = self.workdir.exists()
        shutil.rmtree(self.workdir, ignore_errors=True)
        gc.collect()
        torch = sys.modules.get("torch")
        if torch is None or not torch.cuda.is_available():
            return Cleanup(existed)
        before = int(torch.cuda.memory_allocated())
        torch.cuda.empty_cache()
        return Cleanup(existed, before, int(torch.cuda.memory_allocated()))


def _seed(hub_root: Path, say: Callable[[str], None]) -> tuple[str, ...]:
    from hf_ecosystem.demo.seed import demo_steps, is_seeded, seed_demo_hub

    missing = [repo for kind, repo, _ in demo_steps() if not is_seeded(hub_root / kind / repo)]
    if not missing:
        return ()
    say(f"Seeding the demo hub in {hub_root}: {len(missing)} repos (once; about a minute) ...")
    return seed_demo_hub(hub_root).created


def setup_lesson(
    lesson: str,
    *,
    offline: bool | None = None,
    seed: bool = True,
    timeout: float = PROBE_TIMEOUT,
    say: Callable[[str], None] = print,
) -> LessonEnv:
    """Check versions, decide OFFLINE (or take `offline`), seed the demo hub, make a work dir.

    Sets HF_HUB_OFFLINE=1 for this process when offline, and HF_UPDATE_DOWNLOAD_COUNTS=0 and
    TOKENIZERS_PARALLELISM=false unless set. Prints a summary through `say`.
    """
    versions = check_versions()
    settings = load_settings()
    if offline is None:
        offline, reason = decide_offline(settings, timeout)
    else:
        reason = "chosen in the setup cell"
    os.environ.setdefault("HF_UPDATE_DOWNLOAD_COUNTS", "0")
    os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
    if offline and not os.environ.get("HF_HUB_OFFLINE"):
        early = [name for name in _HF_LIBRARIES if name in sys.modules]
        os.environ["HF_HUB_OFFLINE"] = "1"
        if early:
            say(f"note: {', '.join(early)} imported before the setup cell: restart the kernel")
    hub_root = settings.home / "hub"
    seeded = _seed(hub_root, say) if seed else ()
    workdir = settings.home / "course" / lesson.replace("/", "-")
    shutil.rmtree(workdir, ignore_errors=True)
    workdir.mkdir(parents=True)
    env = LessonEnv(
        lesson=lesson,
        offline=offline,
        reason=reason,
        endpoint=settings.endpoint,
        home=settings.home,
        hf_home=settings.hf_home,
        hub_root=hub_root,
        workdir=workdir,
        seeded_now=seeded,
        versions=versions,
    )
    say(env.summary())
    return env
