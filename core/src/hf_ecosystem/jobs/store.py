"""JobStore: jobs in SQLite (WAL) under $HFTUI_HOME, with status, pid, times, exit code, result."""

from __future__ import annotations

import json
import os
import sqlite3
import threading
import time
import uuid
from collections.abc import Generator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from hf_ecosystem.config import private_dir, private_file
from hf_ecosystem.errors import HfEcoError
from hf_ecosystem.jobs.gpus import format_ids, parse_ids
from hf_ecosystem.jobs.spec import JobSpec

Status = Literal["queued", "starting", "running", "succeeded", "failed", "cancelled", "lost"]
ACTIVE: tuple[Status, ...] = ("queued", "starting", "running")
# SQL: rows of jobs that run on this machine (a Slurm job takes no local slot nor GPU)
LOCAL_ONLY = "json_extract(spec, '$.slurm') IS NULL"
FINISHED: tuple[Status, ...] = ("succeeded", "failed", "cancelled", "lost")

_SCHEMA = """
CREATE TABLE IF NOT EXISTS jobs (
    id TEXT PRIMARY KEY,
    kind TEXT NOT NULL,
    spec TEXT NOT NULL,
    status TEXT NOT NULL,
    pid INTEGER,
    created_at REAL NOT NULL,
    started_at REAL,
    finished_at REAL,
    exit_code INTEGER,
    result TEXT,
    error TEXT,
    cancel_requested INTEGER NOT NULL DEFAULT 0,
    gpu_ids TEXT,
    memory_bytes INTEGER,
    slurm_id TEXT
);
CREATE INDEX IF NOT EXISTS jobs_status ON jobs(status, created_at);
"""


class JobNotFoundError(HfEcoError):
    """No job has this id."""

    default_title = "Job not found"
    default_hint = "List jobs with `hf-tui jobs list`."


@dataclass(frozen=True, slots=True)
class JobRecord:
    """One job as stored: plain data for the CLI and the TUI."""

    id: str
    kind: str
    spec: JobSpec
    status: Status
    created_at: float
    pid: int | None = None
    started_at: float | None = None
    finished_at: float | None = None
    exit_code: int | None = None
    result: dict[str, Any] | None = None
    error: dict[str, Any] | None = None
    cancel_requested: bool = False
    gpu_ids: tuple[int, ...] = ()  # the GPUs the queue gave it (CUDA_VISIBLE_DEVICES)
    memory_bytes: int | None = None  # its memory estimate per GPU, reserved while it runs
    slurm_id: str | None = None  # its Slurm job id, once submitted there

    @property
    def is_active(self) -> bool:
        """Queued, starting or running."""
        return self.status in ACTIVE

    def describe(self) -> str:
        """What the job does, and on which GPUs when it was given some ("… · GPU 0,1"): the
        line `jobs list` and the Jobs screen both show."""
        gpus = f" · GPU {format_ids(self.gpu_ids)}" if self.gpu_ids else ""
        return self.spec.describe() + gpus

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready mapping."""
        return {
            "id": self.id,
            "kind": self.kind,
            "spec": json.loads(self.spec.to_json())["params"],
            "description": self.spec.describe(),
            "status": self.status,
            "pid": self.pid,
            "created_at": self.created_at,
            "started_at": self.started_at,
            "finished_at": self.finished_at,
            "exit_code": self.exit_code,
            "result": self.result,
            "error": self.error,
            "gpus": list(self.gpu_ids),
            "memory_bytes": self.memory_bytes,
            # where it runs, for a job on Slurm (a local job's output stays as it was)
            **(
                {
                    "on": "slurm",
                    "slurm": self.spec.slurm.to_dict(only_set=True),
                    "slurm_job_id": self.slurm_id,
                }
                if self.spec.slurm is not None
                else {}
            ),
        }


def new_job_id() -> str:
    """Short, sortable-enough, unique: time prefix plus randomness."""
    return time.strftime("%y%m%d-%H%M%S-") + uuid.uuid4().hex[:6]


class JobStore:
    """The jobs table and each job's folder (spec, events, log)."""

    def __init__(self, home: Path) -> None:
        self.home = private_dir(home)
        self.root = private_dir(home / "jobs")
        self.path = home / "jobs.sqlite"
        self._lock = threading.Lock()
        self._conn: sqlite3.Connection | None = None

    def _connect(self) -> sqlite3.Connection:
        if self._conn is None:
            conn = sqlite3.connect(
                self.path, timeout=30, check_same_thread=False, isolation_level=None
            )
            conn.row_factory = sqlite3.Row
            private_file(self.path)
            conn.execute("PRAGMA journal_mode=WAL")
            conn.execute("PRAGMA busy_timeout=30000")
            conn.executescript(_SCHEMA)
            columns = {row[1] for row in conn.execute("PRAGMA table_info(jobs)")}
            if "gpu_ids" not in columns:  # a store written before GPUs were handed out
                conn.execute("ALTER TABLE jobs ADD COLUMN gpu_ids TEXT")
            if "memory_bytes" not in columns:  # … or before they were placed by memory
                conn.execute("ALTER TABLE jobs ADD COLUMN memory_bytes INTEGER")
            if "slurm_id" not in columns:  # a store written before jobs ran on Slurm
                conn.execute("ALTER TABLE jobs ADD COLUMN slurm_id TEXT")
            self._conn = conn
        return self._conn

    @contextmanager
    def transaction(self) -> Generator[sqlite3.Connection]:
        """BEGIN IMMEDIATE … COMMIT: one writer at a time across processes."""
        with self._lock:
            conn = self._connect()
            conn.execute("BEGIN IMMEDIATE")
            try:
                yield conn
            except BaseException:
                conn.execute("ROLLBACK")
                raise
            conn.execute("COMMIT")

    def close(self) -> None:
        """Close the connection."""
        with self._lock:
            if self._conn is not None:
                self._conn.close()
                self._conn = None

    # -- paths --------------------------------------------------------------------------------

    def job_dir(self, job_id: str) -> Path:
        """The job's folder."""
        return self.root / job_id

    def events_path(self, job_id: str) -> Path:
        """The job's events.jsonl."""
        return self.job_dir(job_id) / "events.jsonl"

    def log_path(self, job_id: str) -> Path:
        """The job's stdout/stderr log."""
        return self.job_dir(job_id) / "output.log"

    # -- rows ---------------------------------------------------------------------------------

    def create(self, spec: JobSpec, *, memory_bytes: int | None = None) -> JobRecord:
        """Store a new queued job (with its GPU memory estimate, when there is one)."""
        job_id = new_job_id()
        private_dir(self.job_dir(job_id))
        (self.job_dir(job_id) / "spec.json").write_text(spec.to_json(), encoding="utf-8")
        with self.transaction() as conn:
            conn.execute(
                "INSERT INTO jobs (id, kind, spec, status, created_at, memory_bytes)"
                " VALUES (?, ?, ?, 'queued', ?, ?)",
                (job_id, spec.kind, spec.to_json(), time.time(), memory_bytes),
            )
        return self.get(job_id)

    def get(self, job_id: str) -> JobRecord:
        """One job by id (a unique prefix works too; `_` and `%` are characters, not patterns)."""
        if not job_id.strip():
            raise JobNotFoundError("No job id given", "Give a job id (see `hf-tui jobs list`).")
        with self._lock:
            rows = (
                self._connect()
                .execute(
                    "SELECT * FROM jobs WHERE id = ? OR substr(id, 1, length(?)) = ?"
                    " ORDER BY id = ? DESC LIMIT 2",
                    (job_id, job_id, job_id, job_id),
                )
                .fetchall()
            )
        if not rows or (len(rows) > 1 and rows[0]["id"] != job_id):
            hint = "The prefix matches several jobs; give more of the id." if rows else None
            raise JobNotFoundError(f"No job {job_id!r}", hint)
        return _record(rows[0])

    def list(self, *, statuses: tuple[Status, ...] | None = None) -> list[JobRecord]:
        """Jobs newest first, optionally only some statuses."""
        sql = "SELECT * FROM jobs"
        args: tuple[Any, ...] = ()
        if statuses:
            sql += f" WHERE status IN ({','.join('?' * len(statuses))})"
            args = statuses
        with self._lock:
            rows = self._connect().execute(sql + " ORDER BY created_at DESC", args).fetchall()
        return [_record(r) for r in rows]

    def update(self, job_id: str, **fields: Any) -> None:
        """Set columns of one job (result/error given as dicts)."""
        for key in ("result", "error"):
            if key in fields and fields[key] is not None:
                fields[key] = json.dumps(fields[key])
        sets = ", ".join(f"{k} = ?" for k in fields)
        with self.transaction() as conn:
            conn.execute(f"UPDATE jobs SET {sets} WHERE id = ?", (*fields.values(), job_id))

    def finish(self, job_id: str, status: Status, **fields: Any) -> bool:
        """Move an active job to a final status; False when it had already finished."""
        for key in ("result", "error"):
            if key in fields and fields[key] is not None:
                fields[key] = json.dumps(fields[key])
        fields = {"status": status, "finished_at": time.time(), **fields}
        sets = ", ".join(f"{k} = ?" for k in fields)
        with self.transaction() as conn:
            cursor = conn.execute(
                f"UPDATE jobs SET {sets} WHERE id = ?"
                " AND status IN ('queued', 'starting', 'running')",
                (*fields.values(), job_id),
            )
        return cursor.rowcount == 1

    def delete(self, job_id: str) -> None:
        """Forget a finished job and its folder."""
        import shutil

        record = self.get(job_id)
        if record.is_active:
            raise HfEcoError(f"Job {record.id} is {record.status}", "Cancel it first.")
        with self.transaction() as conn:
            conn.execute("DELETE FROM jobs WHERE id = ?", (record.id,))
        shutil.rmtree(self.job_dir(record.id), ignore_errors=True)


def _record(row: sqlite3.Row) -> JobRecord:
    return JobRecord(
        id=row["id"],
        kind=row["kind"],
        spec=JobSpec.from_json(row["spec"]),
        status=row["status"],
        created_at=row["created_at"],
        pid=row["pid"],
        started_at=row["started_at"],
        finished_at=row["finished_at"],
        exit_code=row["exit_code"],
        result=json.loads(row["result"]) if row["result"] else None,
        error=json.loads(row["error"]) if row["error"] else None,
        cancel_requested=bool(row["cancel_requested"]),
        gpu_ids=parse_ids(row["gpu_ids"]),
        memory_bytes=row["memory_bytes"],
        slurm_id=row["slurm_id"],
    )


def _cmdline(pid: int) -> bytes | None:
    """A live process's command line: b"" when it is gone or a zombie (exited, not yet reaped),
    None when it lives but cannot be read (another user's, or no /proc as on macOS)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return b""
    except PermissionError:
        return None
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return None


def pid_running(pid: int) -> bool:
    """True when `pid` is a live process (an exited, unreaped one is not)."""
    cmdline = _cmdline(pid)
    return cmdline is None or bool(cmdline)


def pid_alive(pid: int | None, job_id: str) -> bool:
    """True when `pid` runs and is this job's worker (guards against a reused pid)."""
    if not pid:
        return False
    cmdline = _cmdline(pid)
    return cmdline is None or job_id.encode() in cmdline
