"""Login, whoami, logout through huggingface_hub's token storage, against the fake Hub."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest

from fakehub import FakeHub
from hf_ecosystem.errors import AuthError
from hf_ecosystem.hub import auth

TOKEN = "hf_TestTokenForAlice0123456789"


def test_login_whoami_logout(
    fake_hub: FakeHub, isolated_env: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    fake_hub.add_token(TOKEN, user="alice", role="write")
    user = auth.login(TOKEN)
    assert user.name == "alice" and user.token_role == "write"
    assert TOKEN not in repr(user) and TOKEN not in str(user.to_dict())
    assert auth.current_token() == TOKEN  # stored where huggingface_hub reads it
    assert (isolated_env / "hf_home" / "stored_tokens").exists()
    assert auth.whoami().name == "alice"
    assert auth.whoami().token_source == "file"
    assert TOKEN not in caplog.text
    assert auth.logout() is True
    assert auth.current_token() is None
    with pytest.raises(AuthError, match="Not logged in"):
        auth.whoami()
    assert auth.logout() is False


def test_bad_token_is_refused_and_not_stored(fake_hub: FakeHub) -> None:
    with pytest.raises(AuthError):
        auth.login("hf_WrongToken000000000000")
    assert auth.current_token() is None


@pytest.mark.parametrize("token", ["", "   ", "api_org_abcdefghijklmnop"])
def test_unusable_tokens(token: str) -> None:
    with pytest.raises(AuthError):
        auth.login(token)


def test_env_token_wins(fake_hub: FakeHub, monkeypatch: pytest.MonkeyPatch) -> None:
    fake_hub.add_token(TOKEN, user="bob")
    monkeypatch.setenv("HF_TOKEN", TOKEN)
    user = auth.whoami()
    assert user.name == "bob" and user.token_source == "environment"
    assert auth.env_token_set()
