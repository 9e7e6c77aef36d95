"""The Datasets screen."""

from __future__ import annotations

from hf_tui.screens.hub.repo_search import RepoSearchScreen


class DatasetsScreen(RepoSearchScreen):
    """Search Hub (or local hub) datasets."""

    KIND = "dataset"
