"""The fine-tune form shows the fast GPU defaults the run will use, each with its reason, from
core's decision for this machine's GPUs (a fixed H100 here: there is no GPU on the test box)."""

from __future__ import annotations

import json
from pathlib import Path

from textual.widgets import Input, Select

from helpers import cpu_only_snapshot, text_of, wait_until
from hf_ecosystem.device.types import DeviceSnapshot, GpuSnapshot
from hf_tui.app import HfTuiApp
from hf_tui.screens.runs.new_training import NewTrainingScreen

GIB = 1024**3
QWEN2_05B = {
    "model_type": "qwen2", "architectures": ["Qwen2ForCausalLM"], "hidden_size": 896,
    "intermediate_size": 4864, "num_hidden_layers": 24, "num_attention_heads": 14,
    "num_key_value_heads": 2, "vocab_size": 151936, "tie_word_embeddings": True,
}  # fmt: skip


def h100() -> DeviceSnapshot:
    cpu = cpu_only_snapshot()
    gpu = GpuSnapshot(0, "NVIDIA H100", 80 * GIB, 56 * GIB, compute_capability=(9, 0))
    return DeviceSnapshot(cpu.cpu, cpu.memory, (gpu,), accelerator="cuda")


async def test_the_form_shows_the_gpu_defaults_and_why(isolated_env: Path, tmp_path: Path) -> None:
    model = tmp_path / "qwen2-shape"
    model.mkdir()
    (model / "config.json").write_text(json.dumps(QWEN2_05B), encoding="utf-8")
    data = tmp_path / "lines.csv"
    data.write_text("text\n" + "a line of text\n" * 50, encoding="utf-8")
    app = HfTuiApp(offline=True, sampler=h100, max_running_jobs=0)
    async with app.run_test(size=(150, 60)) as pilot:
        await pilot.press("5")
        await wait_until(pilot, lambda: app.focused is not None)
        await pilot.press("n")
        await wait_until(pilot, lambda: isinstance(app.screen, NewTrainingScreen))
        await pilot.pause()
        screen = app.screen
        screen.query_one("#field-model", Input).value = str(model)
        screen.query_one("#field-dataset", Input).value = str(data)
        screen.query_one("#field-batch_size", Input).value = "32"
        screen.query_one("#field-max_length", Input).value = "512"
        screen.query_one("#field-task", Select).value = "causal-lm"
        await wait_until(pilot, lambda: "GPU defaults" in text_of(pilot, "#train-estimate"), 30)
        shown = text_of(pilot, "#train-estimate")
        assert "precision = bf16" in shown and "optim = adamw_torch_fused" in shown
        # 24 GiB free: a per-device batch of 8 fits, accumulated 4 times to the 32 asked for.
        assert "batch_size = 8  the largest that fits" in shown
        assert "gradient_accumulation_steps = 4  keeps the effective batch of 32" in shown
