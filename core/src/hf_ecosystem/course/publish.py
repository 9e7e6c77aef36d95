"""Where a publishing lesson pushes: the Hub with your token, or the local hub served on loopback.

`publishing_hub(env)` runs right after a lesson's setup cell, before anything imports
huggingface_hub (which reads HF_ENDPOINT once, at import). Online with a token, it changes
nothing: the lesson's plain `create_repo` / `push_to_hub` / `create_tag` go to the Hub as you.
Offline (or with no token), it starts `hf_ecosystem.hub.serve` on 127.0.0.1 and points
HF_ENDPOINT at it, with its write token in HF_TOKEN for this kernel, so the same plain calls land
in the local hub. The token is never printed; `stop()` ends the server and restores the variables.
When huggingface_hub was imported already (the setup cell seeded the demo hub in this kernel),
its `constants` module is re-read so the new endpoint still applies.
"""

from __future__ import annotations

import importlib
import os
import shutil
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from hf_ecosystem.config import Settings, load_settings
from hf_ecosystem.hub.repo_id import validate_repo_id

if TYPE_CHECKING:
    from hf_ecosystem.course.setup import LessonEnv
    from hf_ecosystem.hub.serve import HubServer

# What the served hub needs from a client (see `hf-tui hub serve`); HF_TOKEN is its write token.
_SERVED = ("HF_ENDPOINT", "HF_HUB_OFFLINE", "HF_HUB_DISABLE_XET", "HF_TOKEN")


def has_hub_token(settings: Settings) -> bool:
    """Whether huggingface_hub would find a token: HF_TOKEN, or the file `hf auth login` wrote."""
    if os.environ.get("HF_TOKEN", "").strip():
        return True
    token_file = Path(os.environ.get("HF_TOKEN_PATH") or settings.hf_home / "token")
    try:
        return bool(token_file.read_text(encoding="utf-8").strip())
    except OSError:
        return False


@dataclass
class PublishingHub:
    """The endpoint a lesson publishes to, and the served local hub behind it when local."""

    endpoint: str
    local: bool
    reason: str
    settings: Settings
    server: HubServer | None = None
    saved: dict[str, str | None] = field(default_factory=dict[str, "str | None"])

    def summary(self) -> str:
        """What the lesson prints (never the token)."""
        if not self.local:
            return f"publishing to {self.endpoint} with your token ({self.reason})"
        assert self.server is not None
        return (
            f"publishing to the local hub served at {self.endpoint} ({self.reason}); "
            f"HF_ENDPOINT points there and HF_TOKEN holds its write token, for this kernel only; "
            f"pushed repos land in {self.settings.home / 'hub'}"
        )

    def remove_repo(self, repo_id: str) -> bool:
        """Delete a repo the lesson made: its folder in the local hub (and its copy in the HF
        cache), or the Hub repo online. True when there was one."""
        repo_id = validate_repo_id(repo_id)
        if self.local:
            folder = self.settings.home / "hub" / "models" / repo_id
            existed = folder.is_dir()
            shutil.rmtree(folder, ignore_errors=True)
            # What the lesson downloaded from it: left in the HF cache, the served hub would
            # find the repo there and refuse writes to it (cached repos are read-only).
            cached = self.settings.cache_dir / f"models--{repo_id.replace('/', '--')}"
            shutil.rmtree(cached, ignore_errors=True)
            if self.server is not None:  # the served index forgets it now, not in a few seconds
                self.server.app.store.refresh(force=True)
            return existed
        from huggingface_hub import HfApi
        from huggingface_hub.errors import RepositoryNotFoundError

        api = HfApi(endpoint=self.endpoint)
        try:
            api.repo_info(repo_id)
        except RepositoryNotFoundError:
            return False
        api.delete_repo(repo_id)
        return True

    def stop(self) -> None:
        """Stop the served hub (if any) and put the variables back as they were."""
        if self.server is not None:
            self.server.stop()
            self.server = None
        for name, value in self.saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value
        self.saved = {}
        _reread_hub_constants()


def _reread_hub_constants() -> bool:
    """Make an already imported huggingface_hub read HF_ENDPOINT & co. again; True if it was.

    The library and transformers look these up as `constants.NAME` when they call out, so
    re-running the module in place is enough."""
    constants = sys.modules.get("huggingface_hub.constants")
    if constants is None:
        return False
    importlib.reload(constants)
    return True


def publishing_hub(
    env: LessonEnv, settings: Settings | None = None, *, say: Callable[[str], None] = print
) -> PublishingHub:
    """The Hub when the lesson is online and a token is there; else the local hub, served."""
    settings = settings or load_settings()
    if not env.offline and has_hub_token(settings):
        hub = PublishingHub(env.endpoint, False, "online, a token is configured", settings)
        say(hub.summary())
        return hub
    reason = "OFFLINE" if env.offline else "online but no Hub token: log in to publish there"
    from hf_ecosystem.hub.serve import HubServer

    server = HubServer(settings).start()
    saved = {name: os.environ.get(name) for name in _SERVED}
    os.environ.update(
        HF_ENDPOINT=server.url, HF_HUB_OFFLINE="0", HF_HUB_DISABLE_XET="1", HF_TOKEN=server.token
    )
    hub = PublishingHub(server.url, True, reason, settings, server, saved)
    if _reread_hub_constants():
        say("huggingface_hub was imported before this cell: it now reads the new endpoint")
    say(hub.summary())
    return hub
