"""The fine-tune wall-time estimate: its arithmetic, and that it grows with the work asked."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from hf_ecosystem.training.estimate import (
    EstimateError,
    MachineSpeed,
    cpu_benchmark,
    describe,
    estimate,
    estimate_run,
    machine_speed,
    plan_steps,
    speed_from_runs,
    tokens_per_row,
    trained_parameters,
)
from hf_ecosystem.training.spec import TrainSpec

SPEED = MachineSpeed(1e10, "test")


def test_steps_follow_the_trainer() -> None:
    assert plan_steps(1000, epochs=1, max_steps=None, batch_size=16) == (63, 1000)
    assert plan_steps(1000, epochs=2, max_steps=None, batch_size=16,
                      gradient_accumulation_steps=4) == (32, 2000)  # fmt: skip
    assert plan_steps(1000, epochs=None, max_steps=None, batch_size=10) == (300, 3000)  # 3 epochs
    assert plan_steps(1000, epochs=5, max_steps=100, batch_size=8) == (100, 800)  # steps win
    with pytest.raises(EstimateError):
        plan_steps(10, epochs=1, max_steps=None, batch_size=0)


def test_seconds_are_six_flops_per_parameter_token_over_the_speed() -> None:
    found = estimate(10_000_000, 1000, 50, SPEED, epochs=2, batch_size=16)
    assert found.samples == 2000 and found.tokens == 100_000
    assert found.flops == 6 * 10_000_000 * 100_000
    assert found.seconds == pytest.approx(600.0)
    assert found.to_dict()["basis"] == "test"
    with pytest.raises(EstimateError):
        estimate(0, 1000, 50, SPEED)


@pytest.mark.parametrize(
    "change",
    [{"parameters": 20_000_000}, {"rows": 2000}, {"tokens_per_row": 100.0}, {"epochs": 3.0}],
)
def test_more_work_never_takes_less_time(change: dict[str, float]) -> None:
    base: dict[str, float] = {"parameters": 10_000_000, "rows": 1000, "tokens_per_row": 50.0,
                              "epochs": 1.0}  # fmt: skip

    def seconds(**kw: float) -> float:
        return estimate(int(kw["parameters"]), int(kw["rows"]), kw["tokens_per_row"], SPEED,
                        epochs=kw["epochs"]).seconds  # fmt: skip

    assert seconds(**{**base, **change}) > seconds(**base)
    faster = MachineSpeed(2e10, "twice as fast")
    assert estimate(10_000_000, 1000, 50, faster, epochs=1).seconds == pytest.approx(
        seconds(**base) / 2
    )


def test_tokens_per_row_from_text_lengths() -> None:
    assert tokens_per_row(["x" * 40, "x" * 80], max_length=128) == pytest.approx(17.0)
    assert tokens_per_row(["x" * 4000], max_length=128) == 128  # cut at max_length
    assert tokens_per_row([], max_length=64) == 64


def test_speed_from_finished_runs_is_their_median() -> None:
    runs = [{"total_flos": 1e12, "train_runtime": 10.0}, {"total_flos": 3e12, "train_runtime": 10},
            {"total_flos": 2e12, "train_runtime": 10.0}, {"train_runtime": 5.0}]  # fmt: skip
    speed = speed_from_runs(runs)
    assert speed is not None and speed.flops_per_second == pytest.approx(2e11)
    assert speed.basis == "3 finished runs here"
    assert speed_from_runs([{"total_flos": 0.0, "train_runtime": 1.0}]) is None


def test_cpu_benchmark_measures_something() -> None:
    speed = cpu_benchmark(seconds=0.05, size=64)
    assert speed.flops_per_second > 1e6
    assert "CPU benchmark" in speed.basis


def test_describe() -> None:
    assert describe(4) == "about 4 s"
    assert describe(44) == "about 40 s"
    assert describe(200) == "about 3 min"
    assert describe(3 * 3600) == "about 3.0 h"


BERT = {"model_type": "bert", "hidden_size": 64, "num_hidden_layers": 2, "num_attention_heads": 2,
        "intermediate_size": 128, "vocab_size": 1000, "max_position_embeddings": 128}  # fmt: skip


def test_estimate_run_reads_the_model_and_the_data(tmp_path: Path) -> None:
    model = tmp_path / "model"
    model.mkdir()
    (model / "config.json").write_text(json.dumps(BERT), encoding="utf-8")
    data = tmp_path / "reviews.csv"
    data.write_text("text,label\n" + "".join(f"{'w' * 36},{i % 2}\n" for i in range(500)))
    spec = TrainSpec.parse({"model": str(model), "dataset": str(data), "epochs": 2})
    found = estimate_run(spec, SPEED)
    assert found.samples == 2 * 400  # 20 % held out for validation
    assert found.tokens == 800 * 11  # 36 characters: 9 tokens + 2 special
    assert found.flops == 6 * trained_parameters(str(model)) * found.tokens
    assert not found.at_least
    capped = estimate_run(spec.model_copy(update={"max_train_samples": 100}), SPEED)
    assert capped.samples == 200 and capped.seconds < found.seconds  # 100 of the 400, twice
    # Embedding lookups are not matmuls: fewer parameters than the model holds.
    assert trained_parameters(str(model)) < 1000 * 64 + 2 * 12 * 64 * 64


def test_machine_speed_comes_from_finished_runs_first(isolated_env: Path) -> None:
    from hf_ecosystem.config import load_settings
    from hf_ecosystem.jobs.manager import JobManager
    from hf_ecosystem.jobs.spec import JobSpec

    manager = JobManager(load_settings())
    assert "CPU benchmark" in machine_speed(manager).basis  # no run yet
    config = {"model": "acme/m", "dataset": "acme/d", "max_steps": 10}
    record = manager.store.create(JobSpec.create("train", config=config))
    metrics = {"total_flos": 5e12, "train_runtime": 50.0}
    manager.store.finish(record.id, "succeeded", result={"train_metrics": metrics})
    speed = machine_speed(manager)
    assert speed.flops_per_second == pytest.approx(1e11)
    assert speed.basis == "1 finished run here"
