"""Backend choice: --offline, HF_HUB_OFFLINE, an unreachable endpoint → LocalHub; else RemoteHub."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from fakehub import FakeHub
from hf_ecosystem.config import load_settings
from hf_ecosystem.hub.local import LocalHub
from hf_ecosystem.hub.remote import RemoteHub
from hf_ecosystem.hub.selection import select_backend
from hf_tui.cli import main


def _local_repo(root: Path, repo_id: str, card: str) -> None:
    folder = root / "models" / repo_id
    folder.mkdir(parents=True)
    (folder / "README.md").write_text(card, encoding="utf-8")
    (folder / "config.json").write_text("{}", encoding="utf-8")


def test_online_when_endpoint_answers(fake_hub: FakeHub) -> None:
    choice = select_backend()
    assert isinstance(choice.backend, RemoteHub) and choice.reason == "online"
    assert fake_hub.url in choice.description


def test_offline_flag() -> None:
    choice = select_backend(offline=True)
    assert isinstance(choice.backend, LocalHub) and choice.reason == "--offline"
    assert "offline · local hub" in choice.description


def test_hf_hub_offline_env(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    choice = select_backend()
    assert isinstance(choice.backend, LocalHub) and choice.reason == "HF_HUB_OFFLINE=1"


def test_unreachable_endpoint_falls_back(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HF_ENDPOINT", "http://127.0.0.1:9")
    choice = select_backend(load_settings())
    assert isinstance(choice.backend, LocalHub)
    assert choice.reason == "http://127.0.0.1:9 unreachable"


def test_cli_offline_search_reports_backend(
    isolated_env: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    extra = isolated_env / "team-hub"
    monkeypatch.setenv("HFTUI_LOCAL_HUB", str(extra))
    _local_repo(
        extra,
        "team/reviews-bert",
        "---\nlicense: mit\npipeline_tag: text-classification\n---\n# r\n",
    )
    _local_repo(
        isolated_env / "hftui_home" / "hub", "me/notes-t5", "---\nlicense: apache-2.0\n---\n# n\n"
    )
    assert main(["models", "search", "--offline", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["offline"] is True and "offline · local hub · 2 repos" in data["backend"]
    assert {r["id"] for r in data["results"]} == {"team/reviews-bert", "me/notes-t5"}
    assert main(["models", "search", "bert", "--offline"]) == 0
    captured = capsys.readouterr()
    assert "team/reviews-bert" in captured.out and "notes-t5" not in captured.out
    assert "backend: offline · local hub" in captured.err
