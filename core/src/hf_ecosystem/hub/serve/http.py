"""The HTTP plumbing under `hf-tui hub serve` (and the tests' fake Hub): stdlib, one app object.

An app answers `process(method, raw_path, headers, body) -> Response`; the handler always reads
the whole request body first (a reused keep-alive connection breaks otherwise), writes small
answers in one write with TCP_NODELAY (no Nagle/delayed-ACK stalls) and streams files in chunks.
"""

from __future__ import annotations

import contextlib
import json
import socket
import threading
import traceback
from dataclasses import dataclass, field
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, Protocol, cast

_CHUNK = 1 << 20


@dataclass
class Response:
    """One HTTP answer: a body in memory, or `length` bytes of `file` from `offset`."""

    status: int
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=dict[str, str])
    file: Path | None = None
    offset: int = 0
    length: int = 0

    @property
    def content_length(self) -> int:
        """What Content-Length says (HEAD answers say it too, without the body)."""
        return self.length if self.file is not None else len(self.body)


class HubHttpError(Exception):
    """An error answer as the Hub gives it: JSON `{"error"}`, X-Error-Code and X-Error-Message."""

    def __init__(
        self,
        status: int,
        message: str,
        error_code: str | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.error_code = error_code
        self.headers = headers or {}

    def response(self) -> Response:
        """The answer this error makes."""
        headers = dict(self.headers)
        if self.error_code:
            headers["X-Error-Code"] = self.error_code
        # Header values are latin-1 on the wire: keep the message readable, not mangled.
        headers["X-Error-Message"] = self.message.encode("ascii", "replace").decode()
        return json_response({"error": self.message}, self.status, headers)


def json_response(
    payload: Any, status: int = 200, headers: dict[str, str] | None = None
) -> Response:
    """A JSON answer."""
    out = {"Content-Type": "application/json; charset=utf-8"}
    out.update(headers or {})
    return Response(status, json.dumps(payload).encode(), out)


def json_body(body: bytes) -> dict[str, Any]:
    """A JSON object request body; 400 otherwise."""
    try:
        data = json.loads(body or b"{}")
    except ValueError:
        raise HubHttpError(400, "Invalid JSON body") from None
    if not isinstance(data, dict):
        raise HubHttpError(400, "Expected a JSON object")
    return data  # pyright: ignore[reportUnknownVariableType]


def as_object(value: object) -> dict[str, Any]:
    """A JSON object as a typed dict; anything else as an empty one."""
    return cast("dict[str, Any]", value) if isinstance(value, dict) else {}


def iso(moment: datetime) -> str:
    """A time as the Hub writes it: `2024-06-07T08:09:10.000Z`."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    moment = moment.astimezone(UTC)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


def parse_range(header: str, total: int) -> tuple[int, int] | None:
    """A single `bytes=` range as inclusive (first, last); None when it cannot be satisfied."""
    unit, _, spec = header.partition("=")
    if unit.strip().lower() != "bytes" or "," in spec:
        return None
    start_s, _, end_s = spec.strip().partition("-")
    try:
        if start_s == "":
            suffix = int(end_s)
            if suffix <= 0 or total == 0:
                return None
            return max(total - suffix, 0), total - 1
        first = int(start_s)
        last = int(end_s) if end_s else total - 1
    except ValueError:
        return None
    if first >= total or last < first:
        return None
    return first, min(last, total - 1)


class HttpApp(Protocol):
    """What the server hands each request to."""

    def process(
        self, method: str, raw_path: str, headers: dict[str, str], body: bytes
    ) -> Response: ...

    def server_error(self, trace: str) -> None:
        """Record an exception the handler itself raised (a bug, or a client gone mid-write)."""
        ...


class HubRequestHandler(BaseHTTPRequestHandler):
    """Reads the body, asks the app, writes the answer."""

    protocol_version = "HTTP/1.1"
    server_version = "hf-tui-hub/1.0"
    sys_version = ""
    server: LoopbackHttpServer  # pyright: ignore[reportIncompatibleVariableOverride]

    def log_message(self, format: str, *args: Any) -> None:
        """Quiet: no line per request on stderr."""

    def setup(self) -> None:
        """Turn Nagle off and track the connection so that stop() can close it."""
        super().setup()
        with contextlib.suppress(OSError):
            self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.server.track(self.connection, add=True)

    def finish(self) -> None:
        """Forget the connection."""
        try:
            super().finish()
        finally:
            self.server.track(self.connection, add=False)

    def _read_body(self) -> bytes:
        # Always drain the body, or the next request on a reused connection is garbage.
        if "chunked" in self.headers.get("Transfer-Encoding", "").lower():
            chunks: list[bytes] = []
            while True:
                size = int(self.rfile.readline().split(b";", 1)[0].strip() or b"0", 16)
                if size == 0:
                    while self.rfile.readline() not in (b"\r\n", b"\n", b""):
                        pass
                    break
                chunks.append(self.rfile.read(size))
                self.rfile.readline()
            return b"".join(chunks)
        length = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(length) if length > 0 else b""

    def _handle(self) -> None:
        try:
            body = self._read_body()
        except ValueError:  # the body's end is unknown: answer, then drop the connection
            self.close_connection = True
            response = HubHttpError(400, "Invalid Content-Length or chunk size").response()
        else:
            headers = {k.lower(): v for k, v in self.headers.items()}
            response = self.server.app.process(self.command, self.path, headers, body)
        reason = self.responses.get(response.status, ("",))[0]
        lines = [
            f"{self.protocol_version} {response.status} {reason}",
            f"Server: {self.version_string()}",
            f"Date: {self.date_time_string()}",
            *(f"{key}: {value}" for key, value in response.headers.items()),
            f"Content-Length: {response.content_length}",
        ]
        if self.close_connection:
            lines.append("Connection: close")
        payload = "\r\n".join(lines).encode("latin-1", errors="replace") + b"\r\n\r\n"
        sending = self.command != "HEAD"
        if sending and response.file is None:
            payload += response.body
        try:
            self.wfile.write(payload)
            if sending and response.file is not None:
                self._send_file(response.file, response.offset, response.length)
            self.wfile.flush()
        except OSError:  # the client went away
            self.close_connection = True

    def _send_file(self, path: Path, offset: int, length: int) -> None:
        with path.open("rb") as handle:
            handle.seek(offset)
            while length > 0:
                chunk = handle.read(min(length, _CHUNK))
                if not chunk:  # the file shrank under us: the client sees a short body
                    self.close_connection = True
                    return
                self.wfile.write(chunk)
                length -= len(chunk)

    do_GET = do_HEAD = do_POST = do_PUT = do_PATCH = do_DELETE = do_OPTIONS = _handle


class LoopbackHttpServer(ThreadingHTTPServer):
    """A threading HTTP server that knows its open connections, so stop() ends them too."""

    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 64

    def __init__(self, address: tuple[str, int], app: HttpApp) -> None:
        self.app = app
        self._conns: set[socket.socket] = set()
        self._conns_lock = threading.Lock()
        if ":" in address[0]:  # an IPv6 address such as ::1
            self.address_family = socket.AF_INET6
        super().__init__(address, HubRequestHandler)

    def track(self, conn: socket.socket, *, add: bool) -> None:
        """Remember or forget an open connection."""
        with self._conns_lock:
            if add:
                self._conns.add(conn)
            else:
                self._conns.discard(conn)

    def close_connections(self) -> None:
        """Shut every open connection (keep-alive clients would otherwise hold threads)."""
        with self._conns_lock:
            conns, self._conns = list(self._conns), set[socket.socket]()
        for conn in conns:
            with contextlib.suppress(OSError):
                conn.shutdown(socket.SHUT_RDWR)

    def handle_error(self, request: Any, client_address: Any) -> None:
        """Hand the traceback to the app instead of printing it."""
        self.app.server_error(traceback.format_exc())
