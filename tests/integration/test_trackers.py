"""report_to beyond TensorBoard: trackio and offline wandb, run as real train jobs.

Each run goes through the job engine (a detached worker process). The worker's Python gets a
socket guard (a sitecustomize on PYTHONPATH) that records any connection off loopback, and every
HTTP client (wandb's Go core included) is pointed at a loopback proxy that records what it is
asked for: a tracker that tried to phone home fails the test, here and on a CI box with internet.
"""

from __future__ import annotations

import http.server
import json
import sqlite3
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from models import fixtures

from hf_ecosystem.config import load_settings
from hf_ecosystem.demo.datasets import build_bbc_news
from hf_ecosystem.errors import HfEcoError
from hf_ecosystem.jobs.manager import JobManager
from hf_ecosystem.jobs.spec import JobSpec
from hf_ecosystem.preflight import check_spec
from hf_ecosystem.training import trackers
from hf_ecosystem.training.runs import get_run
from hf_ecosystem.training.trackers import TrackerMissingError, tracker_environment

tiny_model = fixtures.tiny_model

GUARD = """
import ipaddress, os, socket
_real = socket.socket.connect
def _connect(self, address):
    if self.family != getattr(socket, "AF_UNIX", None):
        host = str(address[0] if isinstance(address, tuple) else address).split("%")[0]
        try:
            loopback = host == "localhost" or ipaddress.ip_address(host).is_loopback
        except ValueError:
            loopback = False
        if not loopback:
            with open(os.environ["NET_GUARD_LOG"], "a") as log:
                log.write(f"{address!r}\\n")
            raise ConnectionRefusedError(f"network guard: {address!r}")
    return _real(self, address)
socket.socket.connect = _connect
"""


class _Recorder(http.server.BaseHTTPRequestHandler):
    """A proxy that forwards nothing: it records each request and refuses it."""

    seen: list[str] = []

    def _refuse(self) -> None:
        self.seen.append(f"{self.command} {self.path}")
        length = int(self.headers.get("Content-Length") or 0)
        if length:
            self.rfile.read(length)
        self.send_response(403)
        self.send_header("Content-Length", "0")
        self.end_headers()

    do_GET = do_POST = do_PUT = do_HEAD = do_CONNECT = _refuse

    def log_message(self, format: str, *args: Any) -> None:
        return


@pytest.fixture
def no_network(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[Callable[[], list[str]]]:
    """Guard the job processes; yields a function listing what they tried to reach."""
    guard_dir = tmp_path / "guard"
    guard_dir.mkdir()
    (guard_dir / "sitecustomize.py").write_text(GUARD, encoding="utf-8")
    log = tmp_path / "net-guard.log"
    log.touch()
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Recorder)
    _Recorder.seen = []
    threading.Thread(target=server.serve_forever, daemon=True).start()
    proxy = f"http://127.0.0.1:{server.server_address[1]}"
    monkeypatch.setenv("PYTHONPATH", str(guard_dir))
    monkeypatch.setenv("NET_GUARD_LOG", str(log))
    for name in ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY"):
        monkeypatch.setenv(name, proxy)
        monkeypatch.setenv(name.lower(), proxy)
    monkeypatch.setenv("NO_PROXY", "localhost,127.0.0.1")
    monkeypatch.setenv("no_proxy", "localhost,127.0.0.1")
    monkeypatch.setenv("HFTUI_MAX_JOBS", "1")
    try:
        yield lambda: log.read_text(encoding="utf-8").splitlines() + list(_Recorder.seen)
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture(scope="module")
def bbc(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("bbc")
    build_bbc_news(folder)
    return folder


def _config(model: Path, data: Path, out: Path, tracker: str) -> dict[str, Any]:
    return {
        "model": str(model),
        "dataset": str(data),
        "text_column": "headline",
        "max_train_samples": 32,
        "max_eval_samples": 16,
        "max_steps": 4,
        "batch_size": 8,
        "max_length": 16,
        "logging_steps": 1,
        "save_strategy": "no",
        "report_to": [tracker],
        "output_dir": str(out),
    }


def _run(config: dict[str, Any]) -> tuple[JobManager, str]:
    manager = JobManager(load_settings())
    spec = JobSpec.create("train", config=config)
    check_spec(spec, manager.settings)
    record = manager.wait(manager.launch(spec).id, timeout=300)
    log = manager.log_path(record.id).read_text(encoding="utf-8", errors="replace")
    assert record.status == "succeeded", (record.error, log[-3000:])
    return manager, record.id


def _run_view_has_curves(manager: JobManager, job_id: str) -> None:
    """The Run view reads our own metric events, whatever the tracker."""
    history = get_run(manager, job_id).history
    assert [step for step, _ in history.steps["loss"]] == [1, 2, 3, 4]
    assert "eval_loss" in history.steps


@pytest.mark.slow
def test_trackio_records_the_run_in_its_local_database(
    tiny_model: Callable[[str], Path],
    bbc: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    no_network: Callable[[], list[str]],
) -> None:
    monkeypatch.setenv("TRACKIO_DIR", str(tmp_path / "trackio"))
    out = tmp_path / "run-trackio"
    manager, job_id = _run(_config(tiny_model("text-classification"), bbc, out, "trackio"))

    database = tmp_path / "trackio" / "hf-tui.db"
    assert database.is_file(), sorted(p.name for p in (tmp_path / "trackio").iterdir())
    with sqlite3.connect(database) as conn:
        rows = conn.execute("SELECT run_name, step, metrics FROM metrics").fetchall()
    assert {row[0] for row in rows} == {out.name}  # the run is named after its folder
    logged = [json.loads(row[2]) for row in rows]
    assert any("train/loss" in metrics for metrics in logged), logged[:3]
    assert not (out / "tensorboard").exists()  # only what was asked for
    _run_view_has_curves(manager, job_id)
    assert no_network() == []


@pytest.mark.slow
def test_wandb_without_a_key_runs_offline_under_the_run_folder(
    tiny_model: Callable[[str], Path],
    bbc: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    no_network: Callable[[], list[str]],
) -> None:
    for name in ("WANDB_API_KEY", "WANDB_MODE", "WANDB_DIR", "WANDB_PROJECT"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("NETRC", str(tmp_path / "no-netrc"))  # the user's own key must not count
    monkeypatch.setenv("WANDB_CONFIG_DIR", str(tmp_path / "wandb-config"))
    monkeypatch.setenv("WANDB_CACHE_DIR", str(tmp_path / "wandb-cache"))
    out = tmp_path / "run-wandb"
    manager, job_id = _run(_config(tiny_model("text-classification"), bbc, out, "wandb"))

    runs = sorted((out / "wandb").glob("offline-run-*"))
    assert len(runs) == 1, sorted(p.name for p in (out / "wandb").iterdir())
    assert list(runs[0].glob("run-*.wandb"))  # the records `wandb sync` uploads
    assert f"wandb sync {out / 'wandb'}" in _job_messages(manager, job_id)
    _run_view_has_curves(manager, job_id)
    assert no_network() == []


def _job_messages(manager: JobManager, job_id: str) -> str:
    from hf_ecosystem.jobs.events import read_events

    events, _ = read_events(manager.events_path(job_id))
    return "\n".join(str(e.data.get("message", "")) for e in events if e.type == "log")


def test_a_tracker_that_is_not_installed_is_refused_before_the_job(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    # Point the wandb entry at a package no environment has: the real lookup says "missing".
    monkeypatch.setitem(trackers._PACKAGES, "wandb", "hf_tui_no_such_tracker")
    spec = JobSpec.create(
        "train", config={"model": str(tmp_path), "dataset": str(tmp_path), "report_to": ["wandb"]}
    )
    with pytest.raises(TrackerMissingError) as caught:
        check_spec(spec)
    assert "'wandb'" in str(caught.value) and "hf-ecosystem[wandb]" in caught.value.hint
    assert isinstance(caught.value, HfEcoError)
    check_spec(JobSpec.create("train", config={**spec.params["config"], "report_to": ["trackio"]}))


def test_wandb_goes_offline_only_without_a_key(tmp_path: Path) -> None:
    run = tmp_path / "run"
    no_key = {"NETRC": str(tmp_path / "none")}
    assert tracker_environment(["wandb"], run, no_key) == {
        "WANDB_DIR": str(run),
        "WANDB_PROJECT": "hf-tui",
        "WANDB_MODE": "offline",
    }
    with_key = {**no_key, "WANDB_API_KEY": "x" * 40}
    assert "WANDB_MODE" not in tracker_environment(["wandb"], run, with_key)
    netrc = tmp_path / "netrc"
    netrc.write_text("machine api.wandb.ai\n  login user\n  password " + "k" * 40 + "\n")
    assert "WANDB_MODE" not in tracker_environment(["wandb"], run, {"NETRC": str(netrc)})
    # What the user set stays: their own project, mode and folder.
    mine = {**no_key, "WANDB_MODE": "online", "WANDB_PROJECT": "p", "WANDB_DIR": "/d"}
    assert tracker_environment(["wandb"], run, mine) == {}
    assert tracker_environment(["tensorboard", "trackio"], run, no_key) == {}


def test_the_job_log_says_where_each_tracker_writes(tmp_path: Path) -> None:
    offline = {"WANDB_MODE": "offline", "WANDB_DIR": str(tmp_path), "WANDB_PROJECT": "p"}
    assert trackers.tracker_notes(["trackio", "wandb"], offline) == [
        "trackio: project hf-tui; view it with `trackio show --project hf-tui`",
        f"wandb: offline, project p; upload later: `wandb sync {tmp_path / 'wandb'}`",
    ]
    assert trackers.tracker_notes(["wandb"], {}) == ["wandb: project hf-tui"]
    assert trackers.tracker_notes(["tensorboard", "none"], offline) == []


def test_a_missing_dependency_tracker_and_a_broken_netrc(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setitem(trackers._PACKAGES, "tensorboard", "hf_tui_no_such_tracker")
    with pytest.raises(TrackerMissingError, match="'tensorboard'") as caught:
        trackers.check_trackers(["none", "tensorboard"])
    assert "pip install hf_tui_no_such_tracker" in caught.value.hint
    broken = tmp_path / "netrc"
    broken.write_text("machine\n")  # a netrc wandb could not read either: no key
    assert not trackers.wandb_key_configured({"NETRC": str(broken)})
