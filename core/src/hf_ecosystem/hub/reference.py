"""What a model or dataset reference points at: a folder, a repo the local hub holds, or the Hub's.

One answer for training, inference, evaluation and the data readers. Light at import.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Literal

from hf_ecosystem.errors import HfEcoError
from hf_ecosystem.hub.repo_id import split_revision
from hf_ecosystem.hub.types import RepoKind
from hf_ecosystem.paths import user_path

if TYPE_CHECKING:
    from hf_ecosystem.config import Settings

RefKind = Literal["folder", "local-hub", "hub"]


@dataclass(frozen=True, slots=True)
class ResolvedRef:
    """Where a reference points: `path` for a folder or a local-hub repo, else the Hub's repo."""

    ref: str
    kind: RefKind
    path: Path | None = None
    repo_id: str | None = None
    revision: str | None = None

    @property
    def location(self) -> str:
        """What a loader takes: the folder, else the reference as given (cache or Hub)."""
        return str(self.path) if self.path is not None else self.ref


def resolve_reference(
    ref: str,
    kind: RepoKind = "model",
    settings: Settings | None = None,
    *,
    offline: bool = False,
) -> ResolvedRef:
    """A folder as given; a repo id the local hub holds: its folder; any other repo id: the Hub's.

    The local hub's root folders are looked in first, then its index (which covers the HF
    cache): for models always, since from_pretrained loads a cache snapshot by path; for
    datasets only `offline`, since online the Hub lists a dataset's files. Offline, a dataset
    the local hub lacks raises its RepoNotFoundError. A model with a pinned revision
    (`org/name@rev`) is left to from_pretrained, which fetches exactly that revision; a
    dataset's local folder serves any revision (the data readers have none).
    InvalidRepoIdError when `ref` is neither a folder nor a repo id.
    """
    path = user_path(ref)
    if path.is_dir():
        return ResolvedRef(ref, "folder", path)
    repo_id, revision = split_revision(ref.strip())
    hub = ResolvedRef(ref, "hub", None, repo_id, revision)
    if kind == "model" and revision is not None:
        return hub
    from hf_ecosystem.config import load_settings

    settings = settings or load_settings()
    for root in settings.local_hub_roots:
        folder = root / f"{kind}s" / repo_id
        if folder.is_dir():
            return ResolvedRef(ref, "local-hub", folder, repo_id, revision)
    if kind == "dataset" and not offline:
        return hub
    from hf_ecosystem.hub.local import LocalHub

    try:
        folder = LocalHub.from_settings(settings).local_path(repo_id, kind)
    except HfEcoError:
        if offline:
            raise
        return hub  # the HF cache, or HF_ENDPOINT
    return ResolvedRef(ref, "local-hub", folder, repo_id, revision)
