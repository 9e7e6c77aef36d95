"""Where a publishing lesson pushes: the Hub as the user when online with a token, else the local
hub served on loopback, reached by the plain huggingface_hub calls through HF_ENDPOINT."""

from __future__ import annotations

import importlib
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from huggingface_hub import HfApi, constants, hf_hub_download

from hf_ecosystem.config import load_settings
from hf_ecosystem.course import setup_lesson
from hf_ecosystem.course.publish import has_hub_token, publishing_hub


@pytest.fixture(autouse=True)
def hub_constants_restored() -> Iterator[None]:
    """publishing_hub re-reads huggingface_hub's constants from the environment: read them
    again from the environment as it was, so no later test sees this test's endpoint."""
    saved = dict(os.environ)
    yield
    os.environ.clear()
    os.environ.update(saved)
    importlib.reload(constants)


def _lesson(offline: bool) -> Any:
    return setup_lesson("course2/publish-test", offline=offline, seed=False, say=lambda _m: None)


def test_offline_the_plain_client_publishes_into_the_served_local_hub() -> None:
    before = {name: os.environ.get(name) for name in ("HF_ENDPOINT", "HF_TOKEN")}
    endpoint_before = constants.ENDPOINT
    said: list[str] = []
    hub = publishing_hub(_lesson(offline=True), say=said.append)
    try:
        assert hub.local and hub.reason == "OFFLINE" and hub.server is not None
        token = hub.server.token
        assert os.environ["HF_ENDPOINT"] == hub.endpoint.rstrip("/")
        assert os.environ["HF_TOKEN"] == token and os.environ["HF_HUB_OFFLINE"] == "0"
        # huggingface_hub was imported before: it was made to read the new endpoint
        assert hub.endpoint == constants.ENDPOINT and "imported before" in said[0]
        assert all(token not in line for line in said)
        assert "publishing to the local hub served at http://127.0.0.1:" in said[-1]
        api = HfApi()  # no endpoint, no token given: the lesson's plain calls
        user = api.whoami()["name"]
        repo_id = f"{user}/lesson-repo"
        api.create_repo(repo_id, private=True)
        api.upload_file(path_or_fileobj=b"{}", path_in_repo="config.json", repo_id=repo_id)
        folder = load_settings().home / "hub" / "models" / user / "lesson-repo"
        assert (folder / "config.json").read_bytes() == b"{}"
        # downloaded once: a copy in the HF cache, which the served hub would find read-only
        hf_hub_download(repo_id, "config.json")
        cached = load_settings().cache_dir / f"models--{user}--lesson-repo"
        assert cached.is_dir()
        assert hub.remove_repo(repo_id) and not folder.exists() and not cached.exists()
        assert not hub.remove_repo(repo_id)
        api.create_repo(repo_id)  # gone from the served index at once: a new, writable repo
        api.upload_file(path_or_fileobj=b"[]", path_in_repo="config.json", repo_id=repo_id)
    finally:
        hub.stop()
    assert {name: os.environ.get(name) for name in before} == before
    assert endpoint_before == constants.ENDPOINT
    assert hub.server is None


def test_online_with_a_token_publishes_to_the_hub_unchanged(
    monkeypatch: pytest.MonkeyPatch, fake_hub: Any
) -> None:
    monkeypatch.setenv("HF_ENDPOINT", fake_hub.url)
    monkeypatch.setenv("HF_TOKEN", "hf_" + "t" * 34)
    monkeypatch.delenv("HF_HUB_OFFLINE", raising=False)
    monkeypatch.setattr(constants, "HF_HUB_OFFLINE", False)
    said: list[str] = []
    hub = publishing_hub(_lesson(offline=False), say=said.append)
    assert not hub.local and hub.server is None and hub.endpoint == fake_hub.url
    assert os.environ["HF_ENDPOINT"] == fake_hub.url and os.environ["HF_TOKEN"] == "hf_" + "t" * 34
    assert said == [f"publishing to {fake_hub.url} with your token (online, a token is configured)"]
    assert not hub.remove_repo("someone/never-made")  # nothing to delete
    hub.stop()
    assert os.environ["HF_TOKEN"] == "hf_" + "t" * 34


def test_online_without_a_token_still_publishes_locally(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("HF_TOKEN", raising=False)
    hub = publishing_hub(_lesson(offline=False), say=lambda _m: None)
    try:
        assert hub.local and "no Hub token" in hub.reason
    finally:
        hub.stop()


def test_a_token_is_found_in_the_environment_or_the_login_file(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    settings = load_settings()
    monkeypatch.delenv("HF_TOKEN", raising=False)
    monkeypatch.delenv("HF_TOKEN_PATH", raising=False)
    assert not has_hub_token(settings)
    (settings.hf_home / "token").write_text("hf_saved\n")
    assert has_hub_token(settings)
    monkeypatch.setenv("HF_TOKEN_PATH", str(tmp_path / "elsewhere"))
    assert not has_hub_token(settings)
    monkeypatch.setenv("HF_TOKEN", "hf_env")
    assert has_hub_token(settings)
