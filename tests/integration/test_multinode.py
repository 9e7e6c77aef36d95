"""One training across several nodes, the way a multi-node Slurm job runs it: node 0's worker
and every other node's `worker --node` each start a torchrun for their node, meeting at node 0.
Here both "nodes" are this machine (127.0.0.1), one CPU process each: gloo DDP, world size 2."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
from models import fixtures

from hf_ecosystem.config import load_settings
from hf_ecosystem.demo.datasets import build_bbc_news
from hf_ecosystem.jobs.events import read_events
from hf_ecosystem.jobs.nodes import Nodes, nodes_from_env
from hf_ecosystem.jobs.spec import JobSpec
from hf_ecosystem.jobs.store import JobStore
from hf_ecosystem.training.launch import launch_command

tiny_model = fixtures.tiny_model


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def test_the_nodes_travel_in_the_environment() -> None:
    nodes = Nodes(4, 2, "gpu-017", 29600)
    assert nodes_from_env(nodes.environ()) == nodes
    assert nodes_from_env({}) is None  # one machine
    assert nodes_from_env({**nodes.environ(), "HFTUI_NNODES": "1"}) is None
    assert nodes_from_env({**nodes.environ(), "HFTUI_NODE_RANK": "4"}) is None  # out of range
    assert nodes_from_env({**nodes.environ(), "HFTUI_NNODES": "x"}) is None
    command = launch_command("job-1", Path("/runs/a"), None, 8, cuda=True, nodes=nodes)
    joined = " ".join(command)
    assert "torch.distributed.run --nnodes 4 --node_rank 2 --nproc_per_node 8" in joined
    assert "--master_addr gpu-017 --master_port 29600" in joined
    assert command[-3:] == ["hf_ecosystem.training.distributed", "job-1", "/runs/a"]
    one_box = launch_command("job-1", Path("/r"), Path("/r/checkpoint-4"), 2, cuda=True)
    assert "accelerate.commands.launch" in one_box and one_box[-1] == "/r/checkpoint-4"
    cpu = launch_command("job-1", Path("/r"), None, 2, cuda=False)
    assert "--standalone" in cpu


def test_slurm_variables_give_this_tasks_node(monkeypatch: pytest.MonkeyPatch) -> None:
    from hf_ecosystem.jobs.slurm import allocation_nodes

    for name, value in {"SLURM_JOB_ID": "77", "SLURM_JOB_NUM_NODES": "2", "SLURM_NODEID": "1",
                        "SLURM_JOB_NODELIST": "gpu[07-08]", "SLURM_PROCID": "1",
                        "SLURM_NTASKS": "2", "SLURM_LOCALID": "0",
                        "SUBMITIT_EXECUTOR": "slurm"}.items():  # fmt: skip
        monkeypatch.setenv(name, value)
    assert allocation_nodes() == Nodes(2, 1, "gpu07")
    monkeypatch.setenv("SLURM_JOB_NUM_NODES", "1")
    assert allocation_nodes() is None


@pytest.mark.slow
def test_one_training_across_two_nodes(tiny_model: Callable[[str], Path], tmp_path: Path) -> None:
    bbc = tmp_path / "bbc"
    build_bbc_news(bbc)
    config = {
        "model": str(tiny_model("text-classification")), "dataset": str(bbc),
        "text_column": "headline", "max_steps": 6, "batch_size": 8, "max_train_samples": 64,
        "max_eval_samples": 32, "logging_steps": 2, "report_to": ["none"],
        "save_strategy": "no", "output_dir": str(tmp_path / "run"),
    }  # fmt: skip
    store = JobStore(load_settings().home)
    record = store.create(JobSpec.create("train", config=config))
    store.update(record.id, status="starting")  # as the queue claims it on node 0
    port = _free_port()
    env = {**os.environ, "HFTUI_TRAIN_PROCESSES": "1", "PYTHONUNBUFFERED": "1"}
    worker = [sys.executable, "-m", "hf_ecosystem.jobs.worker"]
    nodes = [
        subprocess.Popen([*worker, *(["--node"] if rank else []), record.id],
                         env={**env, **Nodes(2, rank, "127.0.0.1", port).environ()},
                         stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        for rank in (1, 0)
    ]  # fmt: skip
    outputs = [node.communicate(timeout=400)[0] for node in nodes]
    assert [node.returncode for node in nodes] == [0, 0], outputs
    done = store.get(record.id)
    assert done.status == "succeeded", done.error
    assert done.result is not None
    # 2 nodes x 1 process x batch 8 = 16 rows per step: 6 steps over 64 rows is 1.5 epochs.
    assert done.result["train_metrics"]["epoch"] == pytest.approx(1.5)
    events = read_events(store.events_path(record.id))[0]
    messages = [e.data.get("message", "") for e in events if e.type == "log"]
    assert f"training on 2 nodes (rank 0 at 127.0.0.1:{port})" in messages
    losses = [e for e in events if e.type == "metric" and "loss" in e.data]
    assert [e.data["step"] for e in losses] == [2, 4, 6]  # global rank 0 only
