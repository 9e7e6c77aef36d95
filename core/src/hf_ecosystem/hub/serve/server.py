"""`hf-tui hub serve`: the local hub as a Hub endpoint on 127.0.0.1, with a write token.

The token is new at every start (`hf_` and 34 random letters, the Hub's form), kept in a 0600
file in the private $HFTUI_HOME, and needed for every write; reads need none.
"""

from __future__ import annotations

import getpass
import ipaddress
import re
import secrets
import string
import threading
from pathlib import Path
from typing import TYPE_CHECKING, TextIO

from hf_ecosystem.config import private_dir, private_file
from hf_ecosystem.errors import HfEcoError
from hf_ecosystem.hub.serve.app import ServedHubApp
from hf_ecosystem.hub.serve.http import LoopbackHttpServer
from hf_ecosystem.hub.serve.lfs import LfsObjects
from hf_ecosystem.hub.serve.store import RepoStore

if TYPE_CHECKING:
    from hf_ecosystem.config import Settings

TOKEN_FILE = "hub-serve-token"
LFS_FOLDER = "hub-serve-lfs"  # uploaded LFS objects until their commit; cleared at stop
_ALPHABET = string.ascii_letters


class ServeError(HfEcoError):
    """The local Hub endpoint cannot start."""

    default_title = "Cannot serve the local hub"
    default_hint = "Pick another port with --port (0 takes a free one)."


def new_token() -> str:
    """A fresh write token in the Hub's form: `hf_` and 34 letters."""
    return "hf_" + "".join(secrets.choice(_ALPHABET) for _ in range(34))


def local_user() -> str:
    """The namespace writes go to by default: the login name, made a valid repo namespace."""
    try:
        name = getpass.getuser()
    except (OSError, KeyError):
        name = ""
    name = re.sub(r"[^A-Za-z0-9._-]", "-", name).strip(".-_")[:40]
    return name or "local"


def is_loopback(host: str) -> bool:
    """Whether binding `host` keeps the server on this machine."""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


class HubServer:
    """The served local hub: bound on construction, then `start()` (thread) or `serve()`."""

    def __init__(
        self, settings: Settings, host: str = "127.0.0.1", port: int = 0, log: TextIO | None = None
    ) -> None:
        self.token = new_token()
        self.lfs = LfsObjects(settings.home / LFS_FOLDER)
        self.app = ServedHubApp(RepoStore(settings), self.lfs, self.token, local_user(), log)
        try:
            self._server = LoopbackHttpServer((host, port), self.app)
        except OSError as exc:
            raise ServeError(f"Cannot listen on {host}:{port}: {exc.strerror or exc}") from exc
        # Only once listening: a start that fails must not replace a running server's token.
        self.token_path = write_token(settings.home, self.token)
        bound_host, bound_port = self._server.server_address[:2]
        shown = f"[{bound_host}]" if ":" in str(bound_host) else str(bound_host)
        self.url = f"http://{shown}:{bound_port}"
        self.app.base_url = self.url
        self._thread: threading.Thread | None = None

    @property
    def user(self) -> str:
        """Who writes through the token (whoami's name, the default namespace)."""
        return self.app.user

    def start(self) -> HubServer:
        """Serve from a background thread."""
        if self._thread is None:
            self._thread = threading.Thread(
                target=self._server.serve_forever, kwargs={"poll_interval": 0.1}, daemon=True
            )
            self._thread.start()
        return self

    def serve(self) -> None:
        """Serve in this thread until stop() or KeyboardInterrupt."""
        self._server.serve_forever(poll_interval=0.1)

    def stop(self) -> None:
        """Stop serving, close every connection and forget the token."""
        if self._thread is not None:
            self._server.shutdown()
            self._thread.join(timeout=5)
        self._server.server_close()
        self._server.close_connections()
        self.token_path.unlink(missing_ok=True)
        self.lfs.clear()


def write_token(home: Path, token: str) -> Path:
    """Keep the token where only this user can read it; the file's path."""
    path = private_dir(home) / TOKEN_FILE
    path.unlink(missing_ok=True)
    path.touch(mode=0o600)
    private_file(path)
    path.write_text(token + "\n", encoding="utf-8")
    return path
