"""The CLI contract: JSON output, clear one-line errors, exit codes."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from fakehub import FakeHub, FakeRepo
from fakehub.catalog import populate
from hf_tui import __version__
from hf_tui.cli import main

TOKEN = "hf_CliTokenForAlice0123456789"


def run_json(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, dict]:  # type: ignore[type-arg]
    code = main([*argv, "--json"])
    out = capsys.readouterr().out
    return code, json.loads(out)


def test_models_search_json(fake_hub: FakeHub, capsys: pytest.CaptureFixture[str]) -> None:
    populate(fake_hub)
    code, data = run_json(
        capsys, "models", "search", "model", "--task", "text-classification", "--sort", "likes",
        "--limit", "5",
    )  # fmt: skip
    assert code == 0 and data["ok"] is True
    assert data["backend"].startswith(f"Hub · {fake_hub.url}") and data["offline"] is False
    results = data["results"]
    assert 0 < len(results) <= 5
    assert all(r["task"] == "text-classification" for r in results)
    assert [r["likes"] for r in results] == sorted((r["likes"] for r in results), reverse=True)


def test_models_search_table(fake_hub: FakeHub, capsys: pytest.CaptureFixture[str]) -> None:
    populate(fake_hub)
    assert main(["models", "search", "--author", "gamma", "--limit", "3"]) == 0
    captured = capsys.readouterr()
    assert "gamma/model-" in captured.out and "downloads" in captured.out
    assert "backend: Hub" in captured.err


def test_datasets_search_and_info(fake_hub: FakeHub, capsys: pytest.CaptureFixture[str]) -> None:
    populate(fake_hub)
    code, data = run_json(capsys, "datasets", "search", "--language", "en")
    assert code == 0 and len(data["results"]) == 8
    code, data = run_json(capsys, "datasets", "info", "acme/data-0")
    assert code == 0 and {f["path"] for f in data["files"]} == {"README.md", "train.csv"}


def test_models_info_and_card(fake_hub: FakeHub, capsys: pytest.CaptureFixture[str]) -> None:
    populate(fake_hub)
    code, data = run_json(capsys, "models", "info", "acme/model-00-bert")
    assert code == 0 and data["parameters"] == 1000 and data["total_size"] > 0
    code, data = run_json(capsys, "models", "card", "acme/model-00-bert")
    assert code == 0 and data["error"] is None
    assert data["metadata"]["license"] == "apache-2.0"
    assert data["license"]["commercial_use"] == "yes"
    assert data["body"].strip() == "# 0"
    assert main(["models", "card", "acme/model-00-bert"]) == 0
    assert "apache-2.0" in capsys.readouterr().out


def test_malformed_card_still_shows(fake_hub: FakeHub, capsys: pytest.CaptureFixture[str]) -> None:
    fake_hub.add(FakeRepo("acme/broken", files={"README.md": b"---\ntags: [a\n---\n# Broken\n"}))
    code, data = run_json(capsys, "models", "card", "acme/broken")
    assert code == 0 and data["ok"] is False
    assert data["error"]["error"] == "CardError" and "line" in data["error"]
    assert "# Broken" in data["body"]


def test_errors_are_one_line_and_nonzero(
    fake_hub: FakeHub, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["models", "info", "acme/missing"]) == 1
    err = capsys.readouterr().err
    assert err.startswith("error: Repository not found") and err.count("\n") == 1
    code, data = run_json(capsys, "models", "info", "bad id!")
    assert code == 1 and data["ok"] is False and data["error"] == "InvalidRepoIdError"
    fake_hub.fail("/api/models", 500)
    assert main(["models", "search"]) == 1
    assert "server error" in capsys.readouterr().err


def test_auth_commands(
    fake_hub: FakeHub, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    fake_hub.add_token(TOKEN, user="alice")
    monkeypatch.setattr(sys, "stdin", io.StringIO(TOKEN + "\n"))
    assert main(["auth", "login", "--token-stdin"]) == 0
    out = capsys.readouterr().out
    assert "Logged in as alice" in out and TOKEN not in out
    code, data = run_json(capsys, "auth", "whoami")
    assert code == 0 and data["name"] == "alice" and TOKEN not in json.dumps(data)
    code, data = run_json(capsys, "auth", "logout")
    assert code == 0 and data["removed"] is True
    assert main(["auth", "whoami"]) == 1
    assert "Not logged in" in capsys.readouterr().err
    monkeypatch.setattr(sys, "stdin", io.StringIO("\n"))
    assert main(["auth", "login"]) == 1


def test_cache_commands(fake_hub: FakeHub, capsys: pytest.CaptureFixture[str]) -> None:
    from hf_ecosystem.hub.cache import download

    assert main(["cache", "ls"]) == 0
    assert "empty" in capsys.readouterr().out
    fake_hub.add(FakeRepo("acme/c", files={"f.txt": b"12345"}))
    download("acme/c")
    code, data = run_json(capsys, "cache", "ls")
    assert code == 0 and data["repos"][0]["repo_id"] == "acme/c"
    assert main(["cache", "ls"]) == 0
    assert "acme/c" in capsys.readouterr().out
    code, data = run_json(capsys, "cache", "rm", "acme/c@main")
    assert code == 0 and data["freed_bytes"] == 5 and data["revision"] == "main"
    assert main(["cache", "rm", "acme/c"]) == 1


def test_usage_errors() -> None:
    with pytest.raises(SystemExit) as info:
        main(["models", "search", "--sort", "bogus"])
    assert info.value.code == 2
    with pytest.raises(SystemExit, match="--limit"):
        main(["models", "search", "--limit", "0"])


@pytest.mark.slow
def test_real_binary_version_and_json(fake_hub: FakeHub, isolated_env: Path) -> None:
    populate(fake_hub, 3, 0)
    exe = Path(sys.executable).with_name("hf-tui")
    env = {**os.environ, "HF_ENDPOINT": fake_hub.url}
    version = subprocess.run(
        [exe, "--version"], capture_output=True, text=True, env=env, check=True
    )
    assert version.stdout.strip() == f"hf-tui {__version__}"
    result = subprocess.run(
        [exe, "models", "search", "--json"], capture_output=True, text=True, env=env, timeout=60
    )
    assert result.returncode == 0, result.stderr
    assert len(json.loads(result.stdout)["results"]) == 3


def test_models_info_table(fake_hub: FakeHub, capsys: pytest.CaptureFixture[str]) -> None:
    populate(fake_hub)
    assert main(["models", "info", "acme/model-00-bert"]) == 0
    out = capsys.readouterr().out
    assert "acme/model-00-bert  (model)" in out and "config.json" in out
    assert "apache-2.0" in out and "text-classification" in out


def test_malformed_card_human_output(fake_hub: FakeHub, capsys: pytest.CaptureFixture[str]) -> None:
    fake_hub.add(FakeRepo("acme/broken", files={"README.md": b"---\ntags: [a\n---\n# Broken\n"}))
    assert main(["models", "card", "acme/broken"]) == 0
    captured = capsys.readouterr()
    assert "warning: Malformed card" in captured.err and "# Broken" in captured.out


def test_unexpected_errors_are_one_line(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    from hf_tui.commands import cache as cache_commands

    def broken(*args: object, **kwargs: object) -> object:
        raise ValueError("boom")

    monkeypatch.setattr(cache_commands, "list_cache", broken)
    assert main(["cache", "ls"]) == 1
    err = capsys.readouterr().err
    assert err.startswith("error: Unexpected error: ValueError: boom") and err.count("\n") == 1
    monkeypatch.setenv("HFTUI_DEBUG", "1")
    with pytest.raises(ValueError, match="boom"):
        main(["cache", "ls"])
