"""Repo id validation and REPO@REVISION."""

from __future__ import annotations

import pytest

from hf_ecosystem.errors import InvalidRepoIdError
from hf_ecosystem.hub.repo_id import split_revision, validate_repo_id


@pytest.mark.parametrize("repo_id", ["gpt2", "org/name", "a-b_c.d/e.f-g_h", " org/x "])
def test_valid(repo_id: str) -> None:
    assert validate_repo_id(repo_id) == repo_id.strip()


@pytest.mark.parametrize(
    "repo_id", ["", "  ", "a/b/c", "org/", "/name", "a..b/c", "a--b/c", "org/na me", "-x/y"]
)
def test_invalid(repo_id: str) -> None:
    with pytest.raises(InvalidRepoIdError):
        validate_repo_id(repo_id)


def test_split_revision() -> None:
    assert split_revision("org/x@v1") == ("org/x", "v1")
    assert split_revision("org/x") == ("org/x", None)
    with pytest.raises(InvalidRepoIdError):
        split_revision("bad id@main")
