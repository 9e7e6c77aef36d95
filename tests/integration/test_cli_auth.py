"""`hf-tui auth login|whoami|logout` as people read them, against the loopback fake Hub."""

from __future__ import annotations

import io
import json
import sys

import pytest

from fakehub import FakeHub
from hf_tui.cli import main
from hf_tui.commands import auth as auth_command

TOKEN = "hf_CliAuthTokenForCarol0123456"
Capsys = pytest.CaptureFixture[str]


class _Terminal(io.StringIO):
    """Standard input that is a terminal (so the token is asked with a hidden prompt)."""

    def isatty(self) -> bool:
        return True


def test_login_json_then_whoami_and_logout_human(
    fake_hub: FakeHub, capsys: Capsys, monkeypatch: pytest.MonkeyPatch
) -> None:
    fake_hub.add_token(TOKEN, user="carol", role="read", orgs=("acme", "beta"))
    monkeypatch.setattr(sys, "stdin", io.StringIO(f"  {TOKEN}  \n"))  # piped: read, stripped
    assert main(["auth", "login", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["ok"] is True and data["name"] == "carol" and data["token_role"] == "read"
    assert TOKEN not in json.dumps(data)

    assert main(["auth", "whoami"]) == 0
    assert capsys.readouterr().out == "carol (token from file) · orgs: acme, beta\n"

    assert main(["auth", "logout"]) == 0
    assert capsys.readouterr().out == "Logged out.\n"
    assert main(["auth", "logout"]) == 0
    assert capsys.readouterr().out == "No stored token.\n"
    assert main(["auth", "whoami"]) == 1
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err.startswith("error: Not logged in")


def test_env_token_is_named_at_login_whoami_and_logout(
    fake_hub: FakeHub, capsys: Capsys, monkeypatch: pytest.MonkeyPatch
) -> None:
    fake_hub.add_token(TOKEN, user="carol")
    monkeypatch.setattr(sys, "stdin", io.StringIO(TOKEN + "\n"))
    monkeypatch.setenv("HF_TOKEN", TOKEN)
    assert main(["auth", "login", "--token-stdin"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].startswith("Logged in as carol (token ")
    assert lines[1] == "Note: HF_TOKEN is set and takes precedence over the stored token."

    assert main(["auth", "whoami"]) == 0
    assert capsys.readouterr().out == "carol (token from environment)\n"  # no orgs: none shown

    assert main(["auth", "logout"]) == 0
    assert capsys.readouterr().out.splitlines() == [
        "Logged out.",
        "HF_TOKEN is still set in the environment: unset it to log out fully.",
    ]
    assert main(["auth", "logout", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data == {"ok": True, "removed": False, "env_token_still_set": True}


def test_login_at_a_terminal_asks_with_a_hidden_prompt(
    fake_hub: FakeHub, capsys: Capsys, monkeypatch: pytest.MonkeyPatch
) -> None:
    fake_hub.add_token(TOKEN, user="carol")
    prompts: list[str] = []

    def hidden_prompt(prompt: str) -> str:  # the terminal: getpass reads /dev/tty, not stdin
        prompts.append(prompt)
        return f"{TOKEN}\n"

    monkeypatch.setattr(sys, "stdin", _Terminal("not this\n"))
    monkeypatch.setattr(auth_command.getpass, "getpass", hidden_prompt)
    assert main(["auth", "login"]) == 0
    assert prompts == ["Hugging Face token (input hidden): "]
    out = capsys.readouterr().out
    assert out.startswith("Logged in as carol") and TOKEN not in out
    assert "HF_TOKEN" not in out  # not set: no note


def test_login_errors(fake_hub: FakeHub, capsys: Capsys, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sys, "stdin", io.StringIO("   \n"))
    assert main(["auth", "login", "--token-stdin"]) == 1
    assert capsys.readouterr().err == (
        "error: No token given — Paste a token, or pipe one in with --token-stdin.\n"
    )
    monkeypatch.setattr(sys, "stdin", io.StringIO("hf_NotAKnownToken0000000000\n"))
    assert main(["auth", "login", "--token-stdin"]) == 1
    captured = capsys.readouterr()
    assert captured.out == "" and captured.err.startswith("error: ")
    assert "hf_NotAKnownToken0000000000" not in captured.err
    assert main(["auth", "whoami"]) == 1  # the refused token was not stored
