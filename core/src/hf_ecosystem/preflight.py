"""Checks before a job starts: the trackers a fine-tune reports to are installed, and the models
and datasets it names exist, with "did you mean".

A misspelt `hf-tui-demo/bbc-nws` used to be found 24 s into the job, as "Cannot reach the
Hub". The CLI and every form call `check_spec` before launching: a folder, a repo the local hub
holds (its folders, its index, the HF cache) or, online, a repo the Hub answers for passes;
anything else is refused at once with the nearest names the local hub knows. A Hub that does
not answer is not a refusal: the job reports what it finds.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterator, Mapping
from typing import TYPE_CHECKING, Any, cast

from hf_ecosystem.errors import HfEcoError, RepoNotFoundError
from hf_ecosystem.hub.types import RepoKind

if TYPE_CHECKING:
    from hf_ecosystem.config import Settings
    from hf_ecosystem.jobs.spec import JobSpec


def references(spec: JobSpec) -> Iterator[tuple[str, RepoKind]]:
    """The (reference, kind) pairs a job will load."""
    params: dict[str, Any] = dict(spec.params)
    if spec.kind == "train":
        config: dict[str, Any] = dict(params.get("config") or {})
        params = {"model": config.get("model"), "dataset": config.get("dataset")}
    elif spec.kind not in ("evaluate", "inference", "batch-inference"):
        return
    for field in ("model", "dataset"):
        value = params.get(field)
        if isinstance(value, str) and value.strip():
            yield value.strip(), "model" if field == "model" else "dataset"


def check_spec(spec: JobSpec, settings: Settings | None = None) -> None:
    """Raise TrackerMissingError for a train job reporting to a tracker that is not installed,
    and RepoNotFoundError (hint: the nearest known names) for a model or dataset of `spec` that
    is neither a folder, nor in the local hub, nor (online) on the Hub."""
    from hf_ecosystem.config import load_settings

    if spec.kind == "train":
        check_trackers(spec.params)
    settings = settings or load_settings()
    for ref, kind in references(spec):
        check_reference(ref, kind, settings)


def check_trackers(params: Mapping[str, Any]) -> None:
    """A train job's `report_to` trackers are installed (wandb and trackio are extras)."""
    from hf_ecosystem.training.trackers import check_trackers as check

    config: Any = params.get("config")
    if not isinstance(config, Mapping):
        return  # the job's own parameter check says what is wrong
    report_to: Any = cast("Mapping[str, Any]", config).get("report_to")
    if isinstance(report_to, list):
        check(str(name) for name in cast("list[Any]", report_to))


def check_reference(ref: str, kind: RepoKind, settings: Settings) -> None:
    """One reference; see `check_spec`."""
    from hf_ecosystem.hub.reference import resolve_reference
    from hf_ecosystem.hub.selection import endpoint_reachable
    from hf_ecosystem.paths import user_path

    if user_path(ref).exists():
        return  # a folder or a data file: the job reads it as it is
    online = not settings.offline and endpoint_reachable(settings.endpoint)
    try:
        resolved = resolve_reference(ref, kind, settings, offline=not online)
    except RepoNotFoundError:
        resolved = None
    if resolved is not None and resolved.kind != "hub":
        return  # a folder, or a repo the local hub holds
    repo_id = resolved.repo_id if resolved is not None and resolved.repo_id else ref
    if online and _on_hub(repo_id, kind, settings) is not False:
        return  # the Hub has it, or did not say: the job finds out
    if not online and kind == "model" and _in_cache(repo_id):
        return
    where = "on the Hub or in the local hub" if online else "in the local hub (offline)"
    nearest = nearest_names(repo_id, kind, settings)
    hint = (
        f"Did you mean {', '.join(nearest)}?"
        if nearest
        else f"Check the name, or give a folder; `hf-tui {kind}s search` lists what exists."
    )
    raise RepoNotFoundError(f"No {kind} {repo_id!r} {where}", hint)


def nearest_names(repo_id: str, kind: RepoKind, settings: Settings, n: int = 3) -> list[str]:
    """The local hub's names closest to `repo_id` (none when the hub cannot be read)."""
    from hf_ecosystem.hub.local import LocalHub
    from hf_ecosystem.hub.types import SearchFilters, Sort

    try:
        hub = LocalHub.from_settings(settings)
        search = hub.search_models if kind == "model" else hub.search_datasets
        known = [r.id for r in search(SearchFilters(), Sort.NAME, 10_000)]
    except HfEcoError:
        return []
    wanted = repo_id.lower()
    scored = sorted(
        ((difflib.SequenceMatcher(None, wanted, name.lower()).ratio(), name) for name in known),
        reverse=True,
    )
    if not scored or scored[0][0] < 0.6:
        return []
    # Names in one org share a long prefix: keep only those about as close as the best one.
    return [name for score, name in scored[:n] if score >= scored[0][0] - 0.05]


def _on_hub(repo_id: str, kind: RepoKind, settings: Settings) -> bool | None:
    """True/False when the Hub says whether it has the repo; None when it does not answer."""
    from huggingface_hub import HfApi
    from huggingface_hub.errors import RepositoryNotFoundError

    from hf_ecosystem.hub.auth import current_token

    try:
        HfApi(endpoint=settings.endpoint, token=current_token()).repo_info(
            repo_id, repo_type=kind, timeout=settings.timeout
        )
    except RepositoryNotFoundError:
        return False
    except Exception:  # offline, gated, rate-limited, a server error: not a "no"
        return None
    return True


def _in_cache(repo_id: str) -> bool:
    """Whether the HF cache holds a snapshot of the model (what from_pretrained loads offline)."""
    from huggingface_hub import snapshot_download  # pyright: ignore[reportUnknownVariableType]

    try:
        snapshot_download(repo_id, local_files_only=True)
    except Exception:  # not cached, or not a valid id
        return False
    return True
