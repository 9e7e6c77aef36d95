"""What the training data's license asks of a published model.

The card's license comes from the base model (or --license); a dataset whose card says it is for
non-commercial use (cc-by-nc-*, …) restricts the model trained on it too, whatever the card says,
so the publish plan warns about it. Light at import: the TUI process plans a publish.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from hf_ecosystem.errors import HfEcoError
from hf_ecosystem.hub.cards import parse_card_text
from hf_ecosystem.hub.licenses import Permission, lookup_license
from hf_ecosystem.paths import user_path
from hf_ecosystem.safe_files import read_text_bounded

if TYPE_CHECKING:
    from hf_ecosystem.config import Settings
    from hf_ecosystem.training.runs import RunSummary

# Hub license ids with an "nc" part (cc-by-nc-2.0, cc-by-nc-nd-4.0, …), cataloged or not.
_NC_PART = re.compile(r"(?:^|-)nc(?:-|$)")


def is_non_commercial(license_id: str | None) -> bool:
    """The license forbids commercial use (the catalog says so, or its id has an `nc` part)."""
    if not license_id or not license_id.strip():
        return False
    info = lookup_license(license_id)
    return info.commercial_use is Permission.NO or bool(_NC_PART.search(info.id.lower()))


def dataset_card_license(dataset: str, settings: Settings, *, remote: bool) -> str | None:
    """The license a dataset's card declares: a folder's README.md, else the local hub's (and
    the HF cache's) copy of the repo, else the Hub's when `remote`; None when none is found."""
    folder = user_path(dataset)
    if folder.is_dir():
        readme = folder / "README.md"
        if not readme.is_file():
            return None
        return _card_license(read_text_bounded(readme, root=folder, errors="replace"))
    if folder.exists():  # a data file: no card
        return None
    from hf_ecosystem.hub.local import LocalHub
    from hf_ecosystem.hub.repo_id import split_revision

    try:
        repo_id, _ = split_revision(dataset.strip())
    except HfEcoError:  # neither a path nor a repo id: nothing to read
        return None
    try:
        return _card_license(LocalHub.from_settings(settings).card(repo_id, "dataset"))
    except HfEcoError:  # not held locally
        pass
    if not remote or settings.offline:
        return None
    from hf_ecosystem.hub.auth import current_token
    from hf_ecosystem.hub.remote import RemoteHub

    try:
        text = RemoteHub.from_settings(settings, token=current_token()).card(repo_id, "dataset")
    except HfEcoError:
        return None
    return _card_license(text)


def _card_license(text: str) -> str | None:
    if not text:
        return None
    try:
        return parse_card_text(text).license
    except HfEcoError:  # a broken card declares nothing we can read
        return None


def training_data_warnings(
    run: RunSummary | None, settings: Settings, *, remote: bool
) -> tuple[str, ...]:
    """Warnings for publishing a run's model: its training dataset's non-commercial license."""
    if run is None:
        return ()
    dataset = str(run.config.get("dataset") or "")
    if not dataset:
        return ()
    license_id = dataset_card_license(dataset, settings, remote=remote)
    if not is_non_commercial(license_id):
        return ()
    return (
        f"The training dataset {dataset} is licensed {license_id} (non-commercial): a model "
        "trained on it may not be usable commercially, whatever license its card declares.",
    )
