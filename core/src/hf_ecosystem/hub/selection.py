"""Choose the backend: the Hub when it is reachable and wanted, the local hub otherwise."""

from __future__ import annotations

import os
from dataclasses import dataclass
from functools import lru_cache

from hf_ecosystem.config import Settings, load_settings
from hf_ecosystem.hub.backend import HubBackend


@dataclass(frozen=True, slots=True)
class BackendChoice:
    """The backend in use and why it was chosen, for the CLI and the TUI header."""

    backend: HubBackend
    reason: str

    @property
    def description(self) -> str:
        """The backend's one-line description followed by the reason."""
        return f"{self.backend.description} ({self.reason})"


@lru_cache(maxsize=8)
def endpoint_reachable(endpoint: str, timeout: float = 3.0) -> bool:
    """True when an HTTP request to the endpoint gets any answer (even 401/404)."""
    from huggingface_hub.utils import get_session, httpx

    try:
        get_session().get(f"{endpoint}/api/whoami-v2", timeout=timeout)
    except (httpx.HTTPError, OSError):
        return False
    return True


def select_backend(
    settings: Settings | None = None, *, offline: bool | None = None
) -> BackendChoice:
    """RemoteHub unless offline is asked for or the endpoint is unreachable; then LocalHub."""
    from hf_ecosystem.hub.local import LocalHub

    settings = settings or load_settings()
    if offline:
        return BackendChoice(LocalHub.from_settings(settings), "--offline")
    if settings.offline:
        source = "HF_HUB_OFFLINE=1" if os.environ.get("HF_HUB_OFFLINE") else "offline setting"
        return BackendChoice(LocalHub.from_settings(settings), source)
    if not endpoint_reachable(settings.endpoint, min(settings.timeout, 3.0)):
        return BackendChoice(LocalHub.from_settings(settings), f"{settings.endpoint} unreachable")
    # Only here: the remote client and the token store cost ~0.5 s to import, offline needs neither.
    from hf_ecosystem.hub.auth import current_token
    from hf_ecosystem.hub.remote import RemoteHub

    return BackendChoice(RemoteHub.from_settings(settings, token=current_token()), "online")
