"""The Models screen."""

from __future__ import annotations

from hf_tui.screens.hub.repo_search import RepoSearchScreen


class ModelsScreen(RepoSearchScreen):
    """Search Hub (or local hub) models."""

    KIND = "model"
