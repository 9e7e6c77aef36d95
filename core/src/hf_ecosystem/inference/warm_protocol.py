"""The warm model worker's wire: typed requests and answers as JSON lines over a Unix socket.

Light (stdlib and the inference result types only): the UI process imports it. The socket lives
in the private `$HFTUI_HOME/warm` folder (0700), the socket file itself is 0600: only the user
can talk to the worker. Nothing listens on TCP.
"""

from __future__ import annotations

import json
import socket
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal, Self

from hf_ecosystem.config import Settings
from hf_ecosystem.errors import HfEcoError
from hf_ecosystem.inference.results import InferenceResult
from hf_ecosystem.jobs import results as read

WARM_KIND = "warm-model"
MAX_LINE = 16 * 1024 * 1024  # one JSON line (an answer with a long embedding is ~10 kB)
KEEPALIVE_SECONDS = 1.0  # the worker says "busy" this often while it loads or computes
AnsweredBy = Literal["warm", "cold", "job"]


def warm_dir(settings: Settings) -> Path:
    """The folder of the worker's socket and lock file (created by the worker, 0700)."""
    return settings.home / "warm"


def socket_path(settings: Settings) -> Path:
    """The worker's Unix socket."""
    return warm_dir(settings) / "models.sock"


def lock_path(settings: Settings) -> Path:
    """The file the one running worker holds a lock on."""
    return warm_dir(settings) / "worker.lock"


class WarmUnavailable(HfEcoError):
    """No warm worker can answer now: the caller runs the input as a job instead."""

    default_title = "No warm model worker"
    default_hint = "The input runs as a job instead."


class ModelNotWarmError(HfEcoError):
    """A request that asked for a loaded model only found it not loaded."""

    default_title = "The model is not loaded in the warm worker"
    default_hint = "Try it once in hf-tui (or run it without --warm-only) to load it."


@dataclass(frozen=True, slots=True)
class WarmRequest:
    """One request: run an input (`infer`), or say what is loaded (`status`)."""

    op: str = "infer"
    task: str = ""
    model: str = ""
    input: str = ""  # as the inference job's `input` (JSON text for a structured task)
    device: str = ""
    dtype: str = ""
    allow_pickle: bool = False
    trust_remote_code: bool = False
    stream: bool = False  # text-generation: send tokens as they come
    load: bool = True  # False: answer only if the model is loaded already (ModelNotWarmError)

    @classmethod
    def inference(
        cls, params: Mapping[str, Any], *, stream: bool = False, load: bool = True
    ) -> Self:
        """The request for an `inference` job's parameters (the same form serves both paths)."""
        return cls(
            task=str(params.get("task", "")),
            model=str(params.get("model", "")),
            input=str(params.get("input", "")),
            device=str(params.get("device") or ""),
            dtype=str(params.get("dtype") or ""),
            allow_pickle=bool(params.get("allow_pickle", False)),
            trust_remote_code=bool(params.get("trust_remote_code", False)),
            stream=stream,
            load=load,
        )

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready."""
        return {
            "op": self.op,
            "task": self.task,
            "model": self.model,
            "input": self.input,
            "device": self.device,
            "dtype": self.dtype,
            "allow_pickle": self.allow_pickle,
            "trust_remote_code": self.trust_remote_code,
            "stream": self.stream,
            "load": self.load,
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Self:
        """Read a request (missing fields take their defaults)."""
        return cls(
            op=read.text(data, "op", "infer"),
            task=read.text(data, "task"),
            model=read.text(data, "model"),
            input=read.text(data, "input"),
            device=read.text(data, "device"),
            dtype=read.text(data, "dtype"),
            allow_pickle=read.flag(data, "allow_pickle"),
            trust_remote_code=read.flag(data, "trust_remote_code"),
            stream=read.flag(data, "stream"),
            load=read.flag(data, "load", True),
        )


@dataclass(frozen=True, slots=True)
class WarmAnswer:
    """What answered a Try: the result (or the error), which path, and where the time went."""

    path: AnsweredBy = (
        "warm"  # warm: the model was loaded already; cold: loaded now; job: a job ran
    )
    result: InferenceResult | None = None
    error: dict[str, str] | None = None  # an HfEcoError's to_dict() when the input failed
    load_seconds: float = 0.0
    compute_seconds: float = 0.0
    models: tuple[str, ...] = ()  # what the worker holds after this request, oldest use first
    job_id: str = ""  # the warm worker's (or the fallback inference) job

    @property
    def ok(self) -> bool:
        """Whether the input ran."""
        return self.error is None and self.result is not None

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready."""
        return {
            "path": self.path,
            "result": self.result.to_dict() if self.result is not None else None,
            "error": self.error,
            "load_seconds": round(self.load_seconds, 4),
            "compute_seconds": round(self.compute_seconds, 4),
            "models": list(self.models),
            "job_id": self.job_id,
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Self:
        """Read an answer (missing fields take their defaults)."""
        raw = read.mapping(data, "result")
        error = read.mapping(data, "error")
        path = read.text(data, "path", "warm")
        return cls(
            path="cold" if path == "cold" else "job" if path == "job" else "warm",
            result=InferenceResult.from_dict(raw) if raw else None,
            error={str(k): str(v) for k, v in error.items()} if error else None,
            load_seconds=_number(data, "load_seconds"),
            compute_seconds=_number(data, "compute_seconds"),
            models=read.texts(data, "models"),
            job_id=read.text(data, "job_id"),
        )


@dataclass(frozen=True, slots=True)
class WarmStatus:
    """What a running worker holds: its models (oldest use first), requests served, its job."""

    models: tuple[str, ...] = ()
    served: int = 0
    pid: int = 0
    job_id: str = ""

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready."""
        return {
            "models": list(self.models),
            "served": self.served,
            "pid": self.pid,
            "job_id": self.job_id,
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Self:
        """Read a status (missing fields take their defaults)."""
        return cls(
            models=read.texts(data, "models"),
            served=read.integer(data, "served"),
            pid=read.integer(data, "pid"),
            job_id=read.text(data, "job_id"),
        )


@dataclass(frozen=True, slots=True)
class WarmWorkerResult:
    """The `warm-model` job's result: why it stopped, what it served and held."""

    reason: str = ""  # "idle", "gave way to a queued job", "another warm worker runs"
    served: int = 0
    models: tuple[str, ...] = field(default=())

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready, in the job record's key order."""
        return {"reason": self.reason, "served": self.served, "models": list(self.models)}

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Self:
        """Read a stored result (missing fields take their defaults)."""
        return cls(
            reason=read.text(data, "reason"),
            served=read.integer(data, "served"),
            models=read.texts(data, "models"),
        )


def model_key(request: WarmRequest, location: str) -> str:
    """How a loaded model is named in the worker: task, what was loaded, where, and the consents
    it was loaded with (a model loaded with pickle allowed does not answer a request without)."""
    flags = ("+pickle" if request.allow_pickle else "") + (
        "+code" if request.trust_remote_code else ""
    )
    where = "/".join(x for x in (request.device, request.dtype) if x)
    return f"{request.task} · {location}" + (f" · {where}" if where else "") + flags


def _number(data: Mapping[str, Any], key: str) -> float:
    value = data.get(key)
    return float(value) if isinstance(value, int | float) and not isinstance(value, bool) else 0.0


# -- framing: one JSON object per line ------------------------------------------------------------


def send_message(sock: socket.socket, kind: str, body: Mapping[str, Any] | None = None) -> None:
    """Write one message line: {"type": kind, **body}."""
    line = json.dumps({"type": kind, **(body or {})}, separators=(",", ":")) + "\n"
    sock.sendall(line.encode("utf-8"))


class LineReader:
    """Read JSON message lines from a socket; a socket timeout propagates as TimeoutError."""

    def __init__(self, sock: socket.socket) -> None:
        self._sock = sock
        self._buffer = b""

    def next(self) -> dict[str, Any]:
        """The next message; ConnectionError when the peer closed or sent something not ours."""
        while b"\n" not in self._buffer:
            chunk = self._sock.recv(65536)
            if not chunk:
                raise ConnectionError("the warm worker closed the connection")
            self._buffer += chunk
            if len(self._buffer) > MAX_LINE:
                raise ConnectionError("the warm worker sent an over-long message")
        line, self._buffer = self._buffer.split(b"\n", 1)
        try:
            value = json.loads(line)
        except ValueError as exc:
            raise ConnectionError("the warm worker sent something that is not JSON") from exc
        if not isinstance(value, dict):
            raise ConnectionError("the warm worker sent something that is not a message")
        found: dict[Any, Any] = value  # pyright: ignore[reportUnknownVariableType]
        return {str(k): v for k, v in found.items()}
