"""The experiment trackers a run reports to (`report_to`): which are installed, how each runs here.

TensorBoard ships with hf-ecosystem; trackio (local-first, Hugging Face's) and wandb are extras
(`hf-ecosystem[trackio]`, `hf-ecosystem[wandb]`). Presence is read from the import system without
importing them (this runs in the UI process too). wandb with no key configured runs offline: its
run folder goes under the run's folder, for `wandb sync` later; nothing is sent.
"""

from __future__ import annotations

import importlib.util
import netrc
import os
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Literal
from urllib.parse import urlsplit

from hf_ecosystem.errors import HfEcoError

Tracker = Literal["tensorboard", "trackio", "wandb", "none"]
PROJECT = "hf-tui"  # the trackio/wandb project our runs go to, unless the user names another
_PACKAGES: dict[str, str] = {"tensorboard": "tensorboard", "trackio": "trackio", "wandb": "wandb"}
_EXTRAS: dict[str, str] = {"trackio": "trackio", "wandb": "wandb"}


class TrackerMissingError(HfEcoError):
    """`report_to` names a tracker whose package is not installed."""

    default_title = "Tracker not installed"
    default_hint = "Install it, or report to tensorboard."


def missing_trackers(report_to: Iterable[str]) -> list[str]:
    """The trackers of `report_to` whose package cannot be imported here."""
    return [
        name
        for name in report_to
        if name in _PACKAGES and importlib.util.find_spec(_PACKAGES[name]) is None
    ]


def check_trackers(report_to: Iterable[str]) -> None:
    """Raise TrackerMissingError for the first tracker of `report_to` that is not installed."""
    missing = missing_trackers(report_to)
    if not missing:
        return
    name = missing[0]
    extra = _EXTRAS.get(name)
    how = (
        f"pip install 'hf-ecosystem[{extra}]' (or `uv tool install hf-tui --with {name}`)"
        if extra
        else f"pip install {_PACKAGES[name]}"
    )
    raise TrackerMissingError(
        f"report_to names {name!r}, which is not installed",
        f"Install it with {how}, or report to tensorboard (the default).",
    )


def wandb_key_configured(environ: Mapping[str, str] | None = None) -> bool:
    """Whether wandb would find credentials: its key variables, or a netrc entry for its host."""
    env = os.environ if environ is None else environ
    if env.get("WANDB_API_KEY") or env.get("WANDB_IDENTITY_TOKEN_FILE"):
        return True
    host = urlsplit(env.get("WANDB_BASE_URL") or "https://api.wandb.ai").hostname or ""
    path = Path(env.get("NETRC") or Path.home() / ".netrc").expanduser()
    try:
        entry = netrc.netrc(str(path)).authenticators(host)
    except (OSError, netrc.NetrcParseError):
        return False
    return bool(entry and entry[2])


def tracker_environment(
    report_to: Iterable[str], run_dir: Path, environ: Mapping[str, str] | None = None
) -> dict[str, str]:
    """The variables a run sets while it trains; what the user set already is left alone."""
    env = os.environ if environ is None else environ
    wanted: dict[str, str] = {}
    if "wandb" in report_to:
        wanted["WANDB_DIR"] = str(run_dir)  # the offline run lands in <run_dir>/wandb/
        wanted["WANDB_PROJECT"] = PROJECT
        if not wandb_key_configured(env):
            wanted["WANDB_MODE"] = "offline"  # no key: never prompt, never send; sync later
    return {name: value for name, value in wanted.items() if not env.get(name)}


def tracker_notes(report_to: Iterable[str], environ: Mapping[str, str]) -> list[str]:
    """One line per tracker saying where its records go (for the job's log), given the run's
    environment (the process's plus `tracker_environment`)."""
    notes: list[str] = []
    chosen = set(report_to)
    if "trackio" in chosen:
        notes.append(f"trackio: project {PROJECT}; view it with `trackio show --project {PROJECT}`")
    if "wandb" in chosen:
        project = environ.get("WANDB_PROJECT", PROJECT)
        if environ.get("WANDB_MODE") == "offline":
            folder = Path(environ.get("WANDB_DIR", ".")) / "wandb"
            notes.append(f"wandb: offline, project {project}; upload later: `wandb sync {folder}`")
        else:
            notes.append(f"wandb: project {project}")
    return notes
