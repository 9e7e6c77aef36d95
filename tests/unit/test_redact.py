"""Token redaction: one helper, used wherever text leaves the program."""

from __future__ import annotations

import pytest

from hf_ecosystem.redact import MASK, Secret, redact, register_secret

TOKEN = "hf_AbCdEfGhIjKlMnOpQrStUvWxYz012345"


@pytest.mark.parametrize(
    "text",
    [
        f"token is {TOKEN}",
        f"Authorization: Bearer {TOKEN}",
        f"HF_TOKEN={TOKEN}",
        f'{{"token": "{TOKEN}"}}',
        f"api_org_{TOKEN[3:]}",
    ],
)
def test_token_shapes_are_masked(text: str) -> None:
    out = redact(text)
    assert TOKEN[3:] not in out
    assert MASK in out


def test_known_secret_without_shape_is_masked() -> None:
    register_secret("s3cr3t-value-xyz")
    assert redact("the value s3cr3t-value-xyz leaked") == f"the value {MASK} leaked"


def test_env_token_is_masked(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HF_TOKEN", "plainenvtoken99")
    assert "plainenvtoken99" not in redact("x plainenvtoken99 y")


def test_plain_text_untouched() -> None:
    text = "hf-tui searched 12 models for token classification"
    assert redact(text) == text


def test_secret_never_shows_itself() -> None:
    secret = Secret(TOKEN)
    assert TOKEN not in repr(secret)
    assert TOKEN not in str(secret)
    assert TOKEN not in f"{secret} {secret!r}"
    assert secret.reveal() == TOKEN
    assert secret == Secret(TOKEN) and hash(secret) == hash(Secret(TOKEN))
    assert bool(secret) and not Secret("")
