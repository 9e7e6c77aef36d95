"""The Slurm executor: a job whose spec says `on: slurm` is submitted through submitit.

The same worker runs the job (`jobs.worker.run`), on a node of the allocation instead of here: it
writes the same events and records its end in the same store (the cluster shares $HFTUI_HOME
with this machine, as home folders are shared on clusters). The record keeps the Slurm job id;
the state of a job that ended without recording it comes from `sacct` (a killed task, a lost
node, the time limit); logs are the files submitit writes in the job's folder; cancel is
`scancel`.
"""

from __future__ import annotations

import contextlib
import importlib
import logging
import os
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from hf_ecosystem.config import Settings, config_table, private_dir
from hf_ecosystem.errors import HfEcoError
from hf_ecosystem.jobs.nodes import Nodes
from hf_ecosystem.jobs.params import JobSpecError
from hf_ecosystem.jobs.slurm_options import slurm_defaults
from hf_ecosystem.jobs.spec import JobSpec
from hf_ecosystem.jobs.store import JobRecord, JobStore

SLURM_FOLDER = "slurm"  # inside the job's folder: submitit's pickles and the task logs
JOB_ENV = "HFTUI_JOB_ID"  # as jobs.manager sets it for a local worker (its processes carry it)
WORKER_MODULE = "hf_ecosystem.jobs.worker"
QUERY_EVERY_SECONDS = 2.0  # sacct answers from the accounting database: not on every refresh
_asked = {"next": 0.0}


class SlurmError(HfEcoError):
    """Slurm refused or cannot be reached."""

    default_title = "Slurm error"
    default_hint = "Check the cluster with `hf-tui cluster` (sinfo, squeue)."


@dataclass(frozen=True, slots=True)
class SlurmState:
    """One job as `sacct` reports it."""

    job_id: str
    state: str  # COMPLETED, FAILED, CANCELLED, NODE_FAIL, … (without "by UID")
    exit_code: str = "0:0"  # "code:signal"
    reason: str = ""


# Slurm's end states, as (our status, why) for a job that ended without recording its own end.
_ENDED: dict[str, tuple[str, str]] = {
    "COMPLETED": ("lost", "its process ended without recording a result"),
    "FAILED": ("lost", "its process died"),
    "CANCELLED": ("cancelled", "cancelled in Slurm (scancel)"),
    "TIMEOUT": ("failed", "it reached its Slurm time limit"),
    "NODE_FAIL": ("lost", "its node failed"),
    "BOOT_FAIL": ("lost", "its node failed to boot"),
    "OUT_OF_MEMORY": ("failed", "it ran out of memory"),
    "PREEMPTED": ("lost", "it was preempted"),
    "DEADLINE": ("failed", "it reached its deadline"),
    "REVOKED": ("lost", "it was revoked"),
}


class _StderrNow(logging.Handler):
    """Writes to whatever sys.stderr is at the time of each record."""

    def emit(self, record: logging.LogRecord) -> None:
        with contextlib.suppress(ValueError, OSError):  # a closed stream: not worth a failure
            sys.stderr.write(self.format(record) + "\n")


def _submitit() -> Any:
    """submitit, imported without its logging set-up. At import it runs logging.dictConfig,
    which closes every handler the process already has (a TUI's log file, a test runner's
    capture), and binds its own to the sys.stdout of that moment, INFO lines on stdout (mixed
    into `--json` output). Here its warnings go to whatever stderr is when they happen."""
    if "submitit" not in sys.modules:
        given = os.environ.get("SUBMITIT_LOG_LEVEL")
        os.environ["SUBMITIT_LOG_LEVEL"] = "NOCONFIG"  # read once, at import
        try:
            importlib.import_module("submitit")
        finally:  # the job's own environment (on the node) keeps submitit's defaults
            if given is None:
                del os.environ["SUBMITIT_LOG_LEVEL"]
            else:
                os.environ["SUBMITIT_LOG_LEVEL"] = given
    logger = logging.getLogger("submitit")
    if not any(isinstance(h, _StderrNow) for h in logger.handlers):
        quiet = _StderrNow(logging.WARNING)
        quiet.setFormatter(logging.Formatter("submitit %(levelname)s: %(message)s"))
        logger.addHandler(quiet)
        logger.propagate = False
    return sys.modules["submitit"]


def submit(store: JobStore, record: JobRecord, settings: Settings) -> str:
    """Submit a stored job through submitit; its Slurm job id (also stored with it)."""
    submitit = _submitit()

    options = record.spec.slurm
    assert options is not None
    folder = private_dir(store.job_dir(record.id) / SLURM_FOLDER)
    executor = submitit.SlurmExecutor(folder=folder, max_num_timeout=0)
    params: dict[str, object] = {
        "job_name": job_name(record),
        "nodes": options.nodes,
        "ntasks_per_node": 1,  # the worker; a training starts its ranks itself
        "stderr_to_stdout": True,
        "signal_delay_s": 30,
    }
    for name, value in (
        ("partition", options.partition),
        ("account", options.account),
        ("gpus_per_node", options.gpus),
        ("cpus_per_task", options.cpus),
        ("time", options.minutes),
    ):
        if value is not None:
            params[name] = value
    executor.update_parameters(**params)
    env = {"HFTUI_HOME": str(settings.home), "PYTHONUNBUFFERED": "1"}
    try:
        job = executor.submit(NodeWorker(record.id, env))
    except (OSError, RuntimeError, subprocess.SubprocessError) as exc:  # submitit: FailedJobError
        hint = str(exc).strip().replace("sbatch: error: ", "")[:500]
        raise SlurmError(f"sbatch refused job {record.id}", hint or None) from exc
    store.update(record.id, slurm_id=str(job.job_id), started_at=time.time())
    return str(job.job_id)


@dataclass(frozen=True, slots=True)
class NodeWorker:
    """What submitit runs on the node: the job's worker (`python -m hf_ecosystem.jobs.worker
    ID`), as a process of its own tagged with the job's id, writing into submitit's log."""

    job_id: str
    env: dict[str, str]

    def __call__(self) -> int:
        env = {**os.environ, **self.env, JOB_ENV: self.job_id}
        nodes = allocation_nodes()
        if nodes is not None:  # one task per node: node 0 runs the worker, the others their part
            env.update(nodes.environ())
            if nodes.rank != 0:
                command = [sys.executable, "-m", WORKER_MODULE, "--node", self.job_id]
                code = subprocess.call(command, env=env)
                sys.stdout.flush()
                if code:
                    sys.exit(128 - code if code < 0 else code)
                return 0
        code = subprocess.call([sys.executable, "-m", WORKER_MODULE, self.job_id], env=env)
        if code in (0, 143):
            return code  # succeeded, or cancelled (recorded by the worker)
        if code < 0:  # killed: it could not record its end, so this says why
            import socket

            where = f"on node {socket.gethostname()} (Slurm job {os.environ.get('SLURM_JOB_ID')})"
            error = {
                "title": "Job lost on Slurm: its process died",
                "hint": f"Its worker was killed by signal {-code} {where}. Start it again.",
            }
            JobStore(Path(self.env["HFTUI_HOME"])).finish(
                self.job_id, "lost", error=error, exit_code=code
            )
        sys.stdout.flush()
        sys.exit(128 - code if code < 0 else code)  # Slurm says FAILED


def allocation_nodes() -> Nodes | None:
    """This task's place in a multi-node allocation (submitit's view of Slurm's variables:
    node count, node id, the node list whose first host is rank 0); None on one node."""
    submitit = _submitit()

    env = submitit.JobEnvironment()
    if env.num_nodes <= 1:
        return None
    return Nodes(env.num_nodes, env.node, env.hostnames[0])


def log_path(store: JobStore, record: JobRecord) -> Path:
    """The job's output on the node (stdout and stderr together): submitit's log of task 0."""
    folder = store.job_dir(record.id) / SLURM_FOLDER
    return folder / f"{record.slurm_id}_0_log.out"


def job_name(record: JobRecord) -> str:
    """The Slurm job name of a job: tells it from an older Slurm job of the same id (a cluster
    whose state was reset counts from 1 again, and its accounting keeps the old ones)."""
    return f"hftui-{record.kind}-{record.id}"


def query(names: dict[str, str]) -> dict[str, SlurmState]:
    """The accounting state of Slurm jobs, by Slurm id → job name (`sacct`); {} when Slurm
    cannot be asked."""
    if not names:
        return {}
    fields = "JobIDRaw,JobName%100,State,ExitCode,Reason"
    command = ["sacct", "-X", "-n", "-P", "-j", ",".join(names), "-o", fields]
    try:
        out = subprocess.run(command, capture_output=True, text=True, timeout=20, check=True).stdout
    except (OSError, subprocess.SubprocessError):
        return {}
    states: dict[str, SlurmState] = {}
    for line in out.splitlines():
        parts = line.split("|")
        if len(parts) < 4 or names.get(parts[0]) != parts[1]:
            continue
        state = parts[2].split()[0] if parts[2].strip() else "UNKNOWN"
        reason = parts[4] if len(parts) > 4 and parts[4] != "None" else ""
        states[parts[0]] = SlurmState(parts[0], state, parts[3], reason)
    return states


def ended_status(state: SlurmState) -> tuple[str, dict[str, str]] | None:
    """Our status and error for a job that Slurm says has ended (None while it has not)."""
    found = _ENDED.get(state.state)
    if found is None:
        return None
    status, why = found
    code, _, sig = state.exit_code.partition(":")
    detail = f"Slurm job {state.job_id}: {state.state}, exit code {code}"
    if sig not in ("", "0"):
        detail += f", killed by signal {sig}"
    elif code.isdigit() and int(code) > 128:
        detail += f" (its worker was killed by signal {int(code) - 128})"
    if state.reason:
        detail += f" ({state.reason})"
    title = {"lost": "Job lost on Slurm", "failed": "Job failed on Slurm"}.get(status, "Job")
    hint = f"{detail}. Its log: `hf-tui jobs logs ID`; start it again."
    return status, {"title": f"{title}: {why}", "hint": hint}


def refresh(store: JobStore) -> list[str]:
    """Record the end of Slurm jobs that ended without recording it; the ids changed."""
    active = [r for r in store.list(statuses=("queued", "starting", "running")) if r.slurm_id]
    now = time.monotonic()
    if not active or now < _asked["next"]:
        return []
    _asked["next"] = (
        now + QUERY_EVERY_SECONDS
    )  # every look at the jobs asks sacct at most this often
    states = query({r.slurm_id: job_name(r) for r in active if r.slurm_id})
    changed: list[str] = []
    for record in active:
        state = states.get(record.slurm_id or "")
        ended = ended_status(state) if state is not None else None
        if ended is None:
            continue
        status, error = ended
        if status == "cancelled" or record.cancel_requested:
            done = store.finish(record.id, "cancelled", exit_code=-15)
        else:
            done = store.finish(record.id, status, error=error, exit_code=_exit(state))  # type: ignore[arg-type]
        if done:
            changed.append(record.id)
    return changed


def _exit(state: SlurmState | None) -> int | None:
    if state is None:
        return None
    code, _, sig = state.exit_code.partition(":")
    try:
        return -int(sig) if sig not in ("", "0") else int(code)
    except ValueError:
        return None


def cancel(store: JobStore, record: JobRecord, *, grace: float) -> None:
    """`scancel` the job; wait up to `grace` s for its worker to record that, then record it."""
    store.update(record.id, cancel_requested=1)
    if record.slurm_id is None:
        store.finish(record.id, "cancelled")
        return
    try:
        subprocess.run(["scancel", record.slurm_id], capture_output=True, timeout=30, check=True)
    except (OSError, subprocess.SubprocessError) as exc:
        raise SlurmError(f"scancel of Slurm job {record.slurm_id} failed", str(exc)[:300]) from exc
    deadline = time.monotonic() + (grace if record.status != "queued" else 0)
    while time.monotonic() < deadline and store.get(record.id).is_active:
        time.sleep(0.1)
    store.finish(record.id, "cancelled", exit_code=-15)


def where(record: JobRecord) -> str:
    """Where a job runs, for lists: "" on this machine, "slurm · gpu · 1 node (job 42)" on Slurm."""
    if record.spec.slurm is None:
        return ""
    job = f" (job {record.slurm_id})" if record.slurm_id else ""
    return f"{record.spec.slurm.describe()}{job}"


def place(spec: JobSpec, on: str | None, **given: Any) -> JobSpec:
    """`spec` to run where `on` says: "slurm" with the `[slurm]` defaults of config.toml, the
    spec's GPUs (per node) and the `given` options over them; "local" (or None, for a spec that
    has no Slurm options) as it is. Slurm options for a local job are refused."""
    given = {k: v for k, v in given.items() if v is not None}
    where = on or spec.on
    if where == "local":
        if given:
            raise JobSpecError(
                f"Invalid job: --{sorted(given)[0]} is a Slurm option", "Add `--on slurm`."
            )
        return spec
    if where != "slurm":
        raise JobSpecError(f"Invalid job: unknown place {on!r}", "Run it on local or slurm.")
    options = spec.slurm or slurm_defaults(config_table("slurm"))
    if spec.gpus is not None:
        given.setdefault("gpus", spec.gpus)
    return JobSpec(spec.kind, spec.params, None, options.merged(**given))
