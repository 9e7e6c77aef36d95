"""The warm model worker: a real `warm-model` job process answering over its Unix socket."""

from __future__ import annotations

import json
import os
import signal
import socket
import stat
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from models import fixtures

from hf_ecosystem.config import load_settings
from hf_ecosystem.inference.results import InferenceResult
from hf_ecosystem.inference.warm_client import ask, connect, ensure_worker, exchange, status
from hf_ecosystem.inference.warm_protocol import (
    LineReader,
    WarmAnswer,
    WarmRequest,
    WarmStatus,
    WarmUnavailable,
    WarmWorkerResult,
    send_message,
    socket_path,
)
from hf_ecosystem.jobs.manager import JobManager
from hf_ecosystem.jobs.results import result_as
from hf_ecosystem.jobs.spec import JobSpec
from hf_tui.cli import main

tiny_model = fixtures.tiny_model
TIMEOUT = 180.0


@pytest.fixture
def manager() -> Iterator[JobManager]:
    """One job at a time, as on a CPU box; no worker outlives the test."""
    jobs = JobManager(load_settings(), max_running=1)
    yield jobs
    for record in jobs.list():
        if record.is_active:
            jobs.cancel(record.id, grace=5)


def _request(
    model: Path, text: str = "a fine day", task: str = "text-classification"
) -> WarmRequest:
    return WarmRequest.inference({"task": task, "model": str(model), "input": text})


def _wait_gone(pid: int, timeout: float = 10.0) -> None:
    """Until `pid` is dead (a zombie of this process counts as dead)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
        except (OSError, IndexError):
            return
        if state == "Z":
            return
        time.sleep(0.02)
    raise AssertionError(f"process {pid} still runs")


def _ask(manager: JobManager, model: Path, **kwargs: str) -> WarmAnswer:
    answer = ask(manager.settings, _request(model, **kwargs), manager=manager)
    assert answer.ok, answer.error
    return answer


@pytest.mark.slow
def test_first_try_is_cold_then_warm_and_cancel_stops_the_worker(
    manager: JobManager, tiny_model: Callable[[str], Path], capsys: pytest.CaptureFixture[str]
) -> None:
    model = tiny_model("text-classification")
    first = _ask(manager, model)
    assert first.path == "cold" and first.load_seconds > 0
    assert isinstance(first.result, InferenceResult)
    assert {row["label"] for row in first.result.output} == {"negative", "neutral", "positive"}
    second = _ask(manager, model, text="another day")
    assert second.path == "warm" and second.job_id == first.job_id
    assert second.load_seconds < 0.01  # nothing was loaded for it
    record = manager.get(first.job_id)
    assert record.kind == "warm-model" and record.status == "running"
    # Only the user may open the socket: 0600 in a 0700 folder, never TCP.
    path = socket_path(manager.settings)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700
    held = status(manager.settings)
    assert held is not None and held.served == 2 and len(held.models) == 1

    # `run inference --wait` is answered by the worker that holds the model.
    argv = ["run", "inference", "--task", "text-classification", "--model", str(model)]
    assert main([*argv, "--input", "great", "--wait", "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["ok"] and out["path"] == "warm" and out["job_id"] == first.job_id
    assert main([*argv, "--input", "great", "--wait"]) == 0
    assert "answered by the warm model worker" in capsys.readouterr().out

    cancelled = manager.cancel(first.job_id, grace=5)
    assert cancelled.status == "cancelled"
    assert not path.exists() and connect(manager.settings) is None
    with pytest.raises(WarmUnavailable):
        ask(manager.settings, _request(model), manager=manager, start=False)


@pytest.mark.slow
def test_a_killed_worker_is_replaced_and_an_idle_one_exits(
    manager: JobManager, tiny_model: Callable[[str], Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("HFTUI_WARM_IDLE", "3")
    model = tiny_model("text-classification")
    first = _ask(manager, model)
    held = status(manager.settings)
    assert held is not None and held.job_id == first.job_id
    os.kill(held.pid, signal.SIGKILL)
    _wait_gone(held.pid)
    assert socket_path(manager.settings).exists()  # left behind: the next client must cope
    again = _ask(manager, model)  # a stale socket, a lost job: a new worker answers
    assert again.path == "cold" and again.job_id != first.job_id
    assert manager.get(first.job_id).status == "lost"
    record = manager.wait(again.job_id, timeout=60)  # nothing more to do: it exits by itself
    assert record.status == "succeeded"
    result = result_as(record, WarmWorkerResult)
    assert result is not None and result.reason == "idle for 3 s" and result.served == 1
    assert not socket_path(manager.settings).exists()


@pytest.mark.slow
def test_bounds_evict_the_least_recently_used_and_a_queued_job_gets_the_slot(
    manager: JobManager, tiny_model: Callable[[str], Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("HFTUI_WARM_MODELS", "2")
    classify, tag, fill = (tiny_model(t) for t in ("text-classification", "token-classification",
                                                    "fill-mask"))  # fmt: skip
    assert _ask(manager, classify).path == "cold"
    assert _ask(manager, tag, task="token-classification").path == "cold"
    assert _ask(manager, classify).path == "warm"  # now the tagger is the least recently used
    filled = _ask(manager, fill, text="a [MASK] day", task="fill-mask")
    assert filled.path == "cold"
    assert [m.split(" · ")[0] for m in filled.models] == ["text-classification", "fill-mask"]
    assert _ask(manager, classify).path == "warm"
    assert _ask(manager, tag, task="token-classification").path == "cold"  # it was evicted

    # A job waiting for the only slot makes the worker give it back.
    spec = JobSpec.create("inference", task="fill-mask", model=str(fill), input="a [MASK] day")
    job = manager.launch(spec)
    assert job.status == "queued"
    warm = manager.wait(filled.job_id, timeout=60)
    assert (warm.result or {}).get("reason") == "gave way to a queued job"
    assert manager.wait(job.id, timeout=TIMEOUT).status == "succeeded"


@pytest.mark.slow  # loads models in this process (torch, transformers): seconds, not ms
def test_the_memory_bound_evicts_and_a_model_too_large_is_not_kept(
    tiny_model: Callable[[str], Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    from hf_ecosystem.inference.warm_pool import GIB, ModelPool, weights_size

    classify, tag = tiny_model("text-classification"), tiny_model("token-classification")
    sizes = weights_size(str(classify)), weights_size(str(tag))
    assert all(sizes)
    logged: list[str] = []
    room = (max(sizes) * 1.5) / GIB  # one fits, two do not
    pool = ModelPool(load_settings(warm_gib=room, warm_models=5), log=logged.append)
    assert pool.run(_request(classify)).path == "cold"
    assert pool.run(_request(tag, task="token-classification")).path == "cold"
    assert [k.split(" · ")[0] for k in pool.loaded()] == ["token-classification"]
    assert any("least recently used" in line for line in logged)
    small = ModelPool(load_settings(warm_gib=min(sizes) / 2 / GIB))
    answer = small.run(_request(classify))
    assert answer.ok and answer.path == "cold" and small.loaded() == ()  # answered, not kept
    missing = pool.run(_request(classify.parent / "no-such-model"), None)
    assert missing.error is not None and missing.result is None
    not_loaded = pool.run(WarmRequest(task="fill-mask", model=str(classify), load=False))
    assert (not_loaded.error or {}).get("error") == "ModelNotWarmError"


def test_no_worker_means_the_job_path(
    isolated_env: Path, tiny_model: Callable[[str], Path]
) -> None:
    model = tiny_model("text-classification")
    off = load_settings(warm_models=0)
    with pytest.raises(WarmUnavailable, match="off"):
        ask(off, _request(model))
    # The queue is paused in this tier: the worker's job cannot start, so it is withdrawn.
    jobs = JobManager(load_settings())
    with pytest.raises(WarmUnavailable, match="No free job slot"):
        ensure_worker(jobs.settings, jobs)
    assert [(r.kind, r.status) for r in jobs.list()] == [("warm-model", "cancelled")]
    # A socket file nobody listens on (a killed worker's) is no worker.
    path = socket_path(jobs.settings)
    path.parent.mkdir(parents=True, exist_ok=True)
    dead = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    dead.bind(str(path))
    dead.close()
    assert connect(jobs.settings) is None and status(jobs.settings) is None
    with pytest.raises(WarmUnavailable):
        ask(jobs.settings, _request(model), start=False)


def test_the_wire_types_round_trip_and_bad_peers_are_refused() -> None:
    request = WarmRequest.inference({"task": "t", "model": "m", "input": "x", "device": "cpu"})
    assert WarmRequest.from_dict(request.to_dict()) == request
    answer = WarmAnswer("cold", InferenceResult("t", "m", [1.0], "cpu", "fp32"), None, 1.5, 0.25,
                        ("t · m",), "job-1")  # fmt: skip
    assert WarmAnswer.from_dict(json.loads(json.dumps(answer.to_dict()))) == answer
    assert WarmAnswer.from_dict({"path": "job", "error": {"title": "x"}}).ok is False
    held = WarmStatus(("t · m",), 3, 42, "job-1")
    assert WarmStatus.from_dict(held.to_dict()) == held
    done = WarmWorkerResult("idle for 1 s", 2, ("t · m",))
    assert WarmWorkerResult.from_dict(done.to_dict()) == done
    ours, theirs = socket.socketpair()
    with ours, theirs:
        theirs.sendall(b"not json\n[1]\n")
        reader = LineReader(ours)
        for _ in range(2):
            with pytest.raises(ConnectionError):
                reader.next()
        send_message(theirs, "busy")
        send_message(theirs, "status", held.to_dict())
        assert exchange(ours, WarmRequest(op="status"))["served"] == 3
    client, server = socket.socketpair()
    with server:
        server.close()
        with pytest.raises(WarmUnavailable, match="went away"):
            exchange(client, WarmRequest(op="status"))
