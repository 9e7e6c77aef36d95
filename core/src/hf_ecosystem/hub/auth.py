"""Log in with a token (checked with whoami), who am I, log out — via huggingface_hub's storage."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal, cast

from hf_ecosystem.config import Settings, load_settings
from hf_ecosystem.errors import AuthError
from hf_ecosystem.hub.http_errors import hub_errors
from hf_ecosystem.redact import Secret, register_secret

TokenSource = Literal["environment", "file", "argument"]


@dataclass(frozen=True, slots=True)
class UserInfo:
    """Who a token belongs to; never holds the token itself."""

    name: str
    fullname: str | None = None
    orgs: tuple[str, ...] = ()
    token_name: str | None = None
    token_role: str | None = None
    token_source: TokenSource | None = None

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready mapping."""
        return {
            "name": self.name,
            "fullname": self.fullname,
            "orgs": list(self.orgs),
            "token_name": self.token_name,
            "token_role": self.token_role,
            "token_source": self.token_source,
        }


def current_token() -> str | None:
    """The token huggingface_hub would use (HF_TOKEN first, then the stored one)."""
    from huggingface_hub import get_token

    token = get_token()
    register_secret(token)
    return token


def _token_source() -> TokenSource | None:
    if os.environ.get("HF_TOKEN") or os.environ.get("HUGGING_FACE_HUB_TOKEN"):
        return "environment"
    return "file" if current_token() else None


def _whoami(token: Secret, settings: Settings, source: TokenSource | None) -> UserInfo:
    from huggingface_hub import HfApi

    with hub_errors():
        api = HfApi(endpoint=settings.endpoint)
        # whoami returns untyped JSON (a bare `dict`): read as such.
        reply = api.whoami(token=token.reveal())  # pyright: ignore[reportUnknownMemberType, reportUnknownVariableType]
    data = cast("dict[str, Any]", reply)
    auth = cast("dict[str, Any]", data.get("auth") or {})
    access = cast("dict[str, Any]", auth.get("accessToken") or {})
    orgs = cast("list[Any]", data.get("orgs") or [])
    return UserInfo(
        name=str(data.get("name", "")),
        fullname=data.get("fullname"),
        orgs=tuple(str(cast("dict[str, Any]", o).get("name")) for o in orgs if isinstance(o, dict)),
        token_name=access.get("displayName"),
        token_role=access.get("role"),
        token_source=source,
    )


def whoami(settings: Settings | None = None) -> UserInfo:
    """The logged-in user, checked against the Hub; AuthError when not logged in."""
    settings = settings or load_settings()
    token = current_token()
    if not token:
        raise AuthError("Not logged in", "Run `hf-tui auth login` or set HF_TOKEN.")
    return _whoami(Secret(token), settings, _token_source())


def login(token: str | Secret, settings: Settings | None = None) -> UserInfo:
    """Check `token` with whoami, then store it as huggingface_hub's active token."""
    from huggingface_hub import _login as hf_login  # pyright: ignore[reportPrivateUsage]

    settings = settings or load_settings()
    secret = token if isinstance(token, Secret) else Secret(token.strip())
    if not secret:
        raise AuthError("Empty token", "Paste a token from https://huggingface.co/settings/tokens.")
    if secret.reveal().startswith("api_org"):
        raise AuthError("Organisation tokens cannot log in", "Use a personal access token.")
    user = _whoami(secret, settings, "argument")
    # Validated against our configured endpoint above, so store it without a second whoami
    # (huggingface_hub.login() would check it against the endpoint it read at import time).
    token_name = user.token_name or f"hf-tui-{user.name}"
    hf_login._save_token(token=secret.reveal(), token_name=token_name)  # pyright: ignore[reportPrivateUsage, reportPrivateImportUsage]
    hf_login._set_active_token(token_name=token_name, add_to_git_credential=False)  # pyright: ignore[reportPrivateUsage, reportPrivateImportUsage]
    return UserInfo(
        name=user.name,
        fullname=user.fullname,
        orgs=user.orgs,
        token_name=token_name,
        token_role=user.token_role,
        token_source="file",
    )


def logout() -> bool:
    """Forget every stored token; True when one was stored. HF_TOKEN in the env still applies."""
    from huggingface_hub import constants

    paths = [Path(constants.HF_TOKEN_PATH), Path(constants.HF_STORED_TOKENS_PATH)]
    had_token = any(p.exists() for p in paths)
    for path in paths:
        path.unlink(missing_ok=True)
    return had_token


def env_token_set() -> bool:
    """True when HF_TOKEN (or the legacy variable) is set: logout cannot undo it."""
    return bool(os.environ.get("HF_TOKEN") or os.environ.get("HUGGING_FACE_HUB_TOKEN"))
