"""The warm worker's socket server: one thread per connection, one request per connection.

While a request loads or computes, its thread says "busy" every second, so a client can tell a
slow model from a dead worker without a fixed deadline.
"""

from __future__ import annotations

import contextlib
import os
import select
import socket
import socketserver
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any, cast

from hf_ecosystem.config import private_dir
from hf_ecosystem.errors import HfEcoError
from hf_ecosystem.inference.warm_pool import ModelPool
from hf_ecosystem.inference.warm_protocol import (
    KEEPALIVE_SECONDS,
    LineReader,
    WarmRequest,
    WarmStatus,
    send_message,
)

REQUEST_READ_SECONDS = 10.0  # a client that connects and says nothing is dropped after this
MAX_SOCKET_PATH = 100  # sun_path holds 104 bytes on macOS, 108 on Linux


class SocketPathTooLong(HfEcoError):
    """The socket's path does not fit in a Unix socket address."""

    default_title = "The warm worker's socket path is too long"
    default_hint = "Set HFTUI_HOME to a shorter folder; Try runs as a job meanwhile."


class WarmServer(socketserver.ThreadingUnixStreamServer):
    """Serves a ModelPool on a Unix socket the user alone can open (0600 in a 0700 folder)."""

    daemon_threads = True
    block_on_close = False  # a request still computing must not hold up the worker's exit

    def __init__(self, path: Path, pool: ModelPool, job_id: str) -> None:
        if len(os.fsencode(path)) > MAX_SOCKET_PATH:
            raise SocketPathTooLong(f"The warm worker's socket path is too long: {path}")
        private_dir(path.parent)
        path.unlink(missing_ok=True)  # the caller holds the worker lock: an old file is stale
        self.path = path
        self.pool = pool
        self.job_id = job_id
        self.served = 0
        self._busy = 0
        self._last_used = time.monotonic()
        self._state = threading.Lock()
        super().__init__(str(path), _Handler)
        path.chmod(0o600)

    def idle_seconds(self) -> float:
        """Seconds since the last request ended (0 while one runs)."""
        with self._state:
            return 0.0 if self._busy else time.monotonic() - self._last_used

    @property
    def busy(self) -> bool:
        """Whether a request is being served."""
        return self._busy > 0

    def status(self) -> WarmStatus:
        """What this worker holds."""
        return WarmStatus(self.pool.loaded(), self.served, os.getpid(), self.job_id)

    def began(self) -> None:
        """A request started."""
        with self._state:
            self._busy += 1

    def answered(self) -> None:
        """An input ran (counted before its answer is sent, so the client sees it counted)."""
        with self._state:
            self.served += 1

    def ended(self) -> None:
        """A request ended."""
        with self._state:
            self._busy -= 1
            self._last_used = time.monotonic()

    def close(self, *, drain: float = 0.0) -> None:
        """Stop serving and remove the socket file (new clients then fall back at once).

        With `drain`, clients that connected before the file went are answered first (up to
        that many seconds), so an idle exit never resets a request that raced it."""
        with contextlib.suppress(OSError):
            self.path.unlink()
        self.shutdown()
        deadline = time.monotonic() + drain
        self.timeout = 0.0  # handle_request: take what is pending, do not wait for more
        while time.monotonic() < deadline:
            if select.select([self.socket], [], [], 0)[0]:
                self.handle_request()
            elif not self.busy:
                break
            else:
                time.sleep(0.05)
        self.server_close()


class _Handler(socketserver.BaseRequestHandler):
    request: socket.socket

    @property
    def warm(self) -> WarmServer:
        """The server, typed."""
        return cast("WarmServer", self.server)

    def handle(self) -> None:
        self.request.settimeout(REQUEST_READ_SECONDS)
        try:
            request = WarmRequest.from_dict(LineReader(self.request).next())
        except (OSError, ConnectionError):
            return  # not one of ours, or gone: nothing to answer
        self.warm.began()
        try:
            if request.op == "status":
                send_message(self.request, "status", self.warm.status().to_dict())
            elif request.op == "infer":
                self._infer(request)
        except OSError:
            pass  # the client left; the model stays loaded for the next one
        finally:
            self.warm.ended()

    def _infer(self, request: WarmRequest) -> None:
        writing = threading.Lock()

        def say(kind: str, body: dict[str, Any] | None = None) -> None:
            with writing:
                send_message(self.request, kind, body)

        on_token: Callable[[str], None] | None = None
        if request.stream:
            on_token = lambda text: say("token", {"text": text})  # noqa: E731
        done = threading.Event()
        keepalive = threading.Thread(target=_keep_alive, args=(say, done), daemon=True)
        keepalive.start()
        try:
            answer = self.warm.pool.run(request, on_token)
        finally:
            done.set()
        if answer.ok:
            self.warm.answered()
        say("answer", {**answer.to_dict(), "job_id": self.warm.job_id})


def _keep_alive(say: Callable[[str], None], done: threading.Event) -> None:
    while not done.wait(KEEPALIVE_SECONDS):
        try:
            say("busy")
        except OSError:
            return  # the client left
