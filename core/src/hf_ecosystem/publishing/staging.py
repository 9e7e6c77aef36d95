"""What a publish starts from, decided before its job: the folder (given, or a run's final model).

Light at import (the TUI process calls it): stdlib and the job store only.
"""

from __future__ import annotations

from pathlib import Path

from hf_ecosystem.errors import HfEcoError
from hf_ecosystem.jobs.manager import JobManager
from hf_ecosystem.training.runs import RunSummary, get_run


def publish_source(
    target: str, manager: JobManager | None = None
) -> tuple[Path, RunSummary | None]:
    """(model folder, its run or None) for a folder or a training run's job id.

    Raises the base HfEcoError, as the CLI always has (its --json names the error's class).
    """
    folder = Path(target).expanduser()
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
