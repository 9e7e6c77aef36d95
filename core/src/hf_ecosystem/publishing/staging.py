"""What a publish starts from, decided before its job: the folder (given, or a run's final model),
its plan with the run's warnings, what would stop a Hub publish, and an edited model card,
checked and saved where the job reads it.

Light at import (the TUI process calls it): stdlib and the job store only.
"""

from __future__ import annotations

import re
import time
from dataclasses import replace
from pathlib import Path

from hf_ecosystem.config import Settings, load_settings
from hf_ecosystem.errors import HfEcoError
from hf_ecosystem.hub.cards import parse_card_text
from hf_ecosystem.jobs.manager import JobManager
from hf_ecosystem.paths import user_path
from hf_ecosystem.publishing.data_license import training_data_warnings
from hf_ecosystem.publishing.plan import PublishError, PublishPlan, plan_publish
from hf_ecosystem.training.runs import (
    RunSummary,
    checkpoints,
    get_run,
    list_runs,
    run_folder,
)

_NOT_IN_NAME = re.compile(r"[^A-Za-z0-9._-]+")
_MODEL_CONFIGS = ("config.json", "adapter_config.json")


def publish_source(
    target: str, manager: JobManager | None = None
) -> tuple[Path, RunSummary | None]:
    """(model folder, its run or None) for a model folder, a run's folder or a run's job id.

    A recorded run's folder (or its model folder) publishes that run's model with the run, as
    its job id does; a run folder no record names is refused with the folder to publish.
    Raises the base HfEcoError for a target that is neither, as the CLI always has (its --json
    names the error's class).
    """
    manager = manager or JobManager()
    folder = user_path(target)
    if folder.is_dir():
        folder = folder.resolve()
        run = run_of_folder(folder, manager)
        if run is None:
            _refuse_run_folder(folder)
            return folder, None
        model_dir = run_model_folder(run)
        return (folder if folder == model_dir.resolve() else model_dir), run
    try:
        run = get_run(manager, target)
    except HfEcoError as exc:
        raise HfEcoError(
            f"{target!r} is neither a folder nor a training run",
            f"Give a model folder or a train job id ({exc.title}).",
        ) from exc
    return run_model_folder(run), run


def run_model_folder(run: RunSummary) -> Path:
    """The run's final model folder; HfEcoError while it has none."""
    model_dir = run.model_dir
    if model_dir is None:
        raise HfEcoError(
            f"Run {run.record.id} has no final model folder ({run.record.status})",
            "Wait for it to finish, or publish a checkpoint folder instead.",
        )
    return model_dir


def run_of_folder(folder: Path, manager: JobManager) -> RunSummary | None:
    """The training run whose folder, or final model folder, `folder` is (None if no run's)."""
    for run in list_runs(manager):
        own = [run_folder(run, manager.settings), run.model_dir]
        if any(path is not None and path.resolve() == folder for path in own):
            return run
    return None


def _is_model_folder(folder: Path) -> bool:
    return any((folder / name).is_file() for name in _MODEL_CONFIGS)


def _refuse_run_folder(folder: Path) -> None:
    """PublishError for a run's folder (model/, checkpoints, evaluation/) given as the model."""
    if _is_model_folder(folder):
        return
    model = folder / "model"
    if _is_model_folder(model):
        raise PublishError(
            f"{folder} is a training run's folder, not a model folder",
            f"Publish its model: `hf-tui publish {model} --repo …` (or the run's job id, for a "
            "card with its metrics).",
        )
    ready = [c for c in checkpoints(folder) if _is_model_folder(c)]
    if ready:
        raise PublishError(
            f"{folder} is a training run's folder with no final model",
            f"Publish a checkpoint: `hf-tui publish {ready[-1]} --repo …`.",
        )


def plan_source(
    source: Path,
    run: RunSummary | None,
    *,
    card: Path | str | None = None,
    settings: Settings | None = None,
    remote: bool = True,
) -> PublishPlan:
    """The plan of a publish: `plan_publish`'s files and refusals, plus what the run's training
    data asks (a non-commercial dataset license), looked up on the Hub only when `remote`."""
    plan = plan_publish(source, card=card)
    settings = settings or load_settings()
    extra = training_data_warnings(run, settings, remote=remote)
    return replace(plan, warnings=(*plan.warnings, *extra)) if extra else plan


def hub_publish_problems(settings: Settings) -> tuple[str, ...]:
    """Why a publish to the Hub would fail now (offline, endpoint unreachable, no login)."""
    from hf_ecosystem.hub.auth import current_token
    from hf_ecosystem.hub.selection import endpoint_reachable

    local = "publish into the local hub with --local instead"
    if settings.offline:
        return (f"Offline (HF_HUB_OFFLINE or the offline setting): it would fail; {local}.",)
    problems: list[str] = []
    if not endpoint_reachable(settings.endpoint, min(settings.timeout, 3.0)):
        problems.append(f"{settings.endpoint} cannot be reached: it would fail; {local}.")
    if not current_token():
        problems.append(
            "Not logged in: it would fail. Run `hf-tui auth login` or set HF_TOKEN "
            f"(a write token), or {local}."
        )
    return tuple(problems)


def visibility_warnings(local: bool, private: bool | None) -> tuple[str, ...]:
    """A visibility asked of a local-hub publish, which has none to set."""
    if local and private is not None:
        word = "private" if private else "public"
        return (f"The local hub has no private or public repos: {word} was not applied.",)
    return ()


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
