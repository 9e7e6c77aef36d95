"""One resolution of a model or dataset reference: folder, local-hub repo, or the Hub's."""

from __future__ import annotations

from pathlib import Path

import pytest

from hf_ecosystem.config import load_settings
from hf_ecosystem.errors import InvalidRepoIdError, RepoNotFoundError
from hf_ecosystem.hub.reference import resolve_reference


def _repo(kind: str, repo_id: str) -> Path:
    folder = load_settings().home / "hub" / f"{kind}s" / repo_id
    folder.mkdir(parents=True)
    (folder / "README.md").write_text("---\nlicense: mit\n---\n# x\n", encoding="utf-8")
    return folder


def test_a_folder_is_itself(tmp_path: Path) -> None:
    ref = resolve_reference(str(tmp_path))
    assert (ref.kind, ref.path, ref.repo_id, ref.location) == (
        "folder",
        tmp_path,
        None,
        str(tmp_path),
    )


def test_a_repo_the_local_hub_holds_is_its_folder() -> None:
    model, data = _repo("model", "acme/tiny"), _repo("dataset", "acme/news")
    ref = resolve_reference("acme/tiny")
    assert (ref.kind, ref.path, ref.repo_id) == ("local-hub", model, "acme/tiny")
    assert resolve_reference("acme/news@v1", "dataset").path == data  # data have no revisions
    # a pinned model revision is from_pretrained's to fetch, exactly
    pinned = resolve_reference("acme/tiny@v1")
    assert (pinned.kind, pinned.location, pinned.revision) == ("hub", "acme/tiny@v1", "v1")


def test_other_repo_ids_are_the_hubs_and_offline_datasets_must_be_local() -> None:
    model = resolve_reference("acme/elsewhere")
    assert (model.kind, model.location, model.repo_id) == (
        "hub",
        "acme/elsewhere",
        "acme/elsewhere",
    )
    assert resolve_reference("acme/elsewhere", "dataset").kind == "hub"
    with pytest.raises(RepoNotFoundError):
        resolve_reference("acme/elsewhere", "dataset", offline=True)
    with pytest.raises(InvalidRepoIdError):
        resolve_reference("./no/such/folder")
