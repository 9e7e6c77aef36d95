"""Gradient accumulation changes how a batch is split, not the loss: GA=1 and GA=4 over the
same samples log the same training loss (it was multiplied by GA with the default loss)."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest
from models import fixtures

from hf_ecosystem.training import trainer

tiny_model = fixtures.tiny_model


def _train_loss(model: Path, data: Path, out: Path, batch: int, accumulation: int) -> float:
    bundle = trainer.create_trainer(
        {
            "model": str(model),
            "dataset": str(data),
            "max_steps": 1,
            "batch_size": batch,
            "gradient_accumulation_steps": accumulation,
            "eval_strategy": "no",
            "save_strategy": "no",
            "report_to": ["none"],
            "learning_rate": 1e-9,
            "seed": 7,
            "logging_steps": 1,
        },
        output_dir=out,
    )
    bundle.trainer.train()
    logged = [e["loss"] for e in bundle.trainer.state.log_history if "loss" in e]
    return float(logged[0])


@pytest.mark.slow
def test_logged_loss_does_not_grow_with_accumulation(
    tiny_model: Callable[[str], Path], tmp_path: Path
) -> None:
    data = tmp_path / "data"
    data.mkdir()
    rows = [{"text": f"row number {i} " * (1 + i % 3), "label": "ab"[i % 2]} for i in range(16)]
    (data / "train.jsonl").write_text("".join(json.dumps(r) + "\n" for r in rows))
    (data / "validation.jsonl").write_text("".join(json.dumps(r) + "\n" for r in rows[:4]))
    model = tiny_model("text-classification")
    whole = _train_loss(model, data, tmp_path / "ga1", batch=8, accumulation=1)
    split = _train_loss(model, data, tmp_path / "ga4", batch=2, accumulation=4)
    # Dropout masks differ between one batch of 8 and four of 2; the bug was a factor of 4.
    assert split == pytest.approx(whole, rel=0.15), (whole, split)
