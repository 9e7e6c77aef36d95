"""What a publish starts from, decided before its job: the folder (given, or a run's final model)
and an edited model card, checked and saved where the job reads it.

Light at import (the TUI process calls it): stdlib and the job store only.
"""

from __future__ import annotations

import re
import time
from pathlib import Path

from hf_ecosystem.config import Settings
from hf_ecosystem.errors import HfEcoError
from hf_ecosystem.hub.cards import parse_card_text
from hf_ecosystem.jobs.manager import JobManager
from hf_ecosystem.paths import user_path
from hf_ecosystem.publishing.plan import plan_publish
from hf_ecosystem.training.runs import RunSummary, get_run

_NOT_IN_NAME = re.compile(r"[^A-Za-z0-9._-]+")


def publish_source(
    target: str, manager: JobManager | None = None
) -> tuple[Path, RunSummary | None]:
    """(model folder, its run or None) for a folder or a training run's job id.

    Raises the base HfEcoError, as the CLI always has (its --json names the error's class).
    """
    folder = user_path(target)
    if folder.is_dir():
        return folder.resolve(), None
    try:
        run = get_run(manager or JobManager(), target)
    except HfEcoError as exc:
        raise HfEcoError(
            f"{target!r} is neither a folder nor a training run",
            f"Give a model folder or a train job id ({exc.title}).",
        ) from exc
    model_dir = run.model_dir
    if model_dir is None:
        raise HfEcoError(
            f"Run {run.record.id} has no final model folder ({run.record.status})",
            "Wait for it to finish, or publish a checkpoint folder instead.",
        )
    return model_dir, run


def stage_card(text: str, source: Path | str, settings: Settings) -> Path:
    """Save an edited card as `<home>/publish/<timestamp>/README.md` for the publish job.

    Checked first, so that nothing is launched with it: a card that does not parse raises
    CardError (nothing written); one holding a token, or a folder that cannot be published
    with it, raises the plan's error and the file is removed.
    """
    parse_card_text(text)
    stamp = time.strftime("%Y%m%d-%H%M%S")
    folder, n = settings.home / "publish" / stamp, 1
    while folder.exists():
        folder, n = settings.home / "publish" / f"{stamp}-{n}", n + 1
    folder.mkdir(parents=True)
    card = folder / "README.md"
    card.write_text(text, encoding="utf-8")
    try:
        plan_publish(source, card=card)  # a token pasted into the card is refused here
    except HfEcoError:
        card.unlink()
        folder.rmdir()
        raise
    return card


def default_repo_id(user: str | None, model: str) -> str:
    """`<user or "local">/<model name>-finetuned`, made into a valid repo id."""
    name = _NOT_IN_NAME.sub("-", Path(model.rstrip("/")).name)
    name = re.sub(r"[-.]{2,}", "-", name).strip("-._") or "model"
    return f"{user or 'local'}/{name[:80]}-finetuned"
