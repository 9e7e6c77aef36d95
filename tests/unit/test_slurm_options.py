"""Slurm options of a job: checked, merged with [slurm] of config.toml, stored with the spec;
Slurm's end states read as our statuses with the reason."""

from __future__ import annotations

from pathlib import Path

import pytest

from hf_ecosystem.errors import ConfigError
from hf_ecosystem.jobs import manager, slurm
from hf_ecosystem.jobs.params import JobSpecError
from hf_ecosystem.jobs.slurm import SlurmState, ended_status, place
from hf_ecosystem.jobs.slurm_options import SlurmOptions, parse_time
from hf_ecosystem.jobs.spec import JobSpec


@pytest.mark.parametrize(
    ("text", "minutes"),
    [("90", 90), ("4:00:00", 240), ("1-12", 2160), ("2-00:30:00", 2910), ("0:30", 1),
     ("10:30", 11), ("0-0:1", 1)],
)  # fmt: skip
def test_time_limits_in_slurms_forms(text: str, minutes: int) -> None:
    assert parse_time(text) == minutes


@pytest.mark.parametrize("text", ["", "4h", "0", "1:2:3:4", "-5"])
def test_bad_time_limits_are_refused(text: str) -> None:
    with pytest.raises(JobSpecError, match="time limit"):
        parse_time(text)


@pytest.mark.parametrize(
    ("values", "message"),
    [({"partition": "gpu; rm"}, "partition"), ({"nodes": 0}, "nodes"), ({"gpus": 65}, "gpus"),
     ({"nodes": True}, "nodes"), ({"cpus": 0}, "cpus"), ({"account": ""}, "account"),
     ({"queue": "x"}, "Unknown Slurm setting 'queue'")],
)  # fmt: skip
def test_bad_options_name_the_field(values: dict[str, object], message: str) -> None:
    with pytest.raises(JobSpecError, match=message):
        SlurmOptions.create(**values)


def test_options_travel_with_the_spec_and_describe_themselves() -> None:
    options = SlurmOptions.create(partition="gpu", nodes=2, gpus=4, time="4:00:00", account="ml")
    spec = JobSpec.create("publish", source=".", repo_id="me/x", slurm=options)
    back = JobSpec.from_json(spec.to_json())
    assert back.slurm == options and back.on == "slurm"
    assert options.minutes == 240
    assert options.describe() == "slurm · gpu · 2 nodes × 4 GPUs · 4:00:00"
    assert SlurmOptions().describe() == "slurm · 1 node"
    assert SlurmOptions.from_dict({"nodes": 3, "later": 1}).nodes == 3
    assert JobSpec.from_json(
        JobSpec.create("publish", source=".", repo_id="me/x").to_json()
    ).on == ("local")


def test_place_merges_config_defaults_flags_and_gpus(
    isolated_env: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    config = isolated_env / "config.toml"
    config.write_text(
        'timeout = 5\n[slurm]\npartition = "cpu"\ntime = "1:00:00"\naccount = "lab"\n'
    )
    monkeypatch.setenv("HFTUI_CONFIG", str(config))
    spec = JobSpec.create("batch-inference", task="t", model="m", input=".", output="o", gpus=2)
    placed = place(spec, "slurm", partition="gpu", nodes=None)
    assert placed.gpus is None and placed.slurm is not None
    assert placed.slurm.to_dict(only_set=True) == {
        "partition": "gpu", "nodes": 1, "gpus": 2, "time": "1:00:00", "account": "lab"
    }  # fmt: skip
    assert place(spec, None) is spec and place(spec, "local") is spec
    assert place(placed, None).slurm == placed.slurm  # a Slurm spec stays on Slurm
    with pytest.raises(JobSpecError, match="--partition is a Slurm option"):
        place(spec, "local", partition="gpu")
    with pytest.raises(JobSpecError, match="unknown place"):
        place(spec, "moon")
    with pytest.raises(JobSpecError, match="GPUs in its Slurm options"):
        JobSpec.create("batch-inference", task="t", model="m", input=".", output="o", gpus=1,
                       slurm=SlurmOptions())  # fmt: skip
    config.write_text('[slurm]\nnodes = "many"\n')
    with pytest.raises(JobSpecError, match="nodes"):
        place(spec, "slurm")
    config.write_text('slurm = "gpu"\n')
    with pytest.raises(ConfigError, match="must be a table"):
        place(spec, "slurm")


@pytest.mark.parametrize(
    ("state", "exit_code", "status", "words"),
    [("FAILED", "0:9", "lost", ["its process died", "killed by signal 9"]),
     ("FAILED", "137:0", "lost", ["killed by signal 9"]),
     ("NODE_FAIL", "0:0", "lost", ["its node failed"]),
     ("TIMEOUT", "0:15", "failed", ["time limit"]),
     ("OUT_OF_MEMORY", "0:125", "failed", ["out of memory"]),
     ("CANCELLED", "0:15", "cancelled", ["scancel"]),
     ("COMPLETED", "0:0", "lost", ["without recording a result"])],
)  # fmt: skip
def test_slurm_end_states_read_as_ours(
    state: str, exit_code: str, status: str, words: list[str]
) -> None:
    ended = ended_status(SlurmState("42", state, exit_code, "a reason"))
    assert ended is not None
    assert ended[0] == status
    text = ended[1]["title"] + ended[1]["hint"]
    assert all(word in text for word in words), text
    assert "Slurm job 42" in text and "(a reason)" in text


@pytest.mark.parametrize("state", ["PENDING", "RUNNING", "COMPLETING", "REQUEUED", "UNKNOWN"])
def test_slurm_states_of_a_live_job_change_nothing(state: str) -> None:
    assert ended_status(SlurmState("1", state)) is None


def test_the_node_worker_is_tagged_as_a_local_worker_is() -> None:
    assert slurm.JOB_ENV == manager.JOB_ENV and slurm.WORKER_MODULE == manager.WORKER_MODULE


def test_a_training_config_file_says_where_it_runs(tmp_path: Path) -> None:
    from hf_ecosystem.training.spec import TrainSpec, TrainSpecError, yaml_placement

    config = tmp_path / "train.yaml"
    body = "model: m\ndataset: d\ntask: text-classification\n"
    config.write_text(body + "on: slurm\nslurm:\n  partition: gpu\n  time: '4:00:00'\n")
    assert yaml_placement(config) == ("slurm", {"partition": "gpu", "time": "4:00:00"})
    assert TrainSpec.from_yaml(config).task == "text-classification"  # the keys are not its own
    config.write_text(body)
    assert yaml_placement(config) == (None, {})
    config.write_text(body + "slurm: gpu\n")
    with pytest.raises(TrainSpecError, match="'slurm' must be a mapping"):
        yaml_placement(config)
    assert yaml_placement(tmp_path / "missing.yaml") == (None, {})
    config.write_text("- a list\n")
    assert yaml_placement(config) == (None, {})


def _command(folder: Path, name: str, script: str) -> None:
    path = folder / name
    path.write_text(f"#!/bin/sh\n{script}\n")
    path.chmod(0o755)


def test_cluster_commands_missing_or_failing_are_clear_errors(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from hf_ecosystem.jobs.cluster import ClusterNode, cluster_view

    monkeypatch.setenv("PATH", str(tmp_path))
    with pytest.raises(slurm.SlurmError, match="sinfo is not installed"):
        cluster_view()
    assert slurm.query({"1": "hftui-x"}) == {}  # no sacct: states unknown, nothing changes
    _command(tmp_path, "sinfo", "echo 'slurm_load_partitions: no controller' >&2; exit 1")
    with pytest.raises(slurm.SlurmError, match="sinfo failed") as caught:
        cluster_view()
    assert caught.value.hint == "slurm_load_partitions: no controller"
    node = ClusterNode("n1", "gpu", "idle", 64, 512000, "gpu:a100:4(S:0-1),gpu:t4:2", "4:00:00")
    assert node.gpus == 6
    assert ClusterNode("n2", "cpu", "idle", 8, 1000, "(null)", "1:00:00").gpus == 0


def test_sacct_rows_of_another_job_with_the_same_id_are_not_ours(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    rows = "7|hftui-train-old|COMPLETED|0:0|None\\n8|hftui-train-b|NODE_FAIL|0:0|None\\n9|x|y"
    _command(tmp_path, "sacct", f"printf '{rows}\\n'")
    monkeypatch.setenv("PATH", str(tmp_path))
    states = slurm.query({"7": "hftui-train-a", "8": "hftui-train-b"})
    assert states == {"8": SlurmState("8", "NODE_FAIL", "0:0", "")}
