"""MemoryPanel in a tiny host app: loading, an estimate with a coloured verdict, an error."""

from __future__ import annotations

from dataclasses import replace

from textual.app import App, ComposeResult
from textual.content import Content
from textual.widgets import Static

from hf_ecosystem.device.fit import GIB, fit_verdict
from hf_ecosystem.device.memory import estimate_memory
from hf_ecosystem.device.model_shape import shape_from_config
from hf_ecosystem.device.types import CpuSnapshot, DeviceSnapshot, GpuSnapshot, MemorySnapshot
from hf_tui.widgets.memory_panel import MemoryPanel

LLAMA = {
    "model_type": "llama", "hidden_size": 2048, "intermediate_size": 8192,
    "num_hidden_layers": 16, "num_attention_heads": 32, "num_key_value_heads": 8,
    "vocab_size": 128256, "tie_word_embeddings": True,
}  # fmt: skip


class Host(App[None]):
    def compose(self) -> ComposeResult:
        yield MemoryPanel(id="memory")


def machine(gpu_free_gib: float, ram_gib: float) -> DeviceSnapshot:
    gpu = GpuSnapshot(0, "NVIDIA H200", int(139.8 * GIB), int((139.8 - gpu_free_gib) * GIB))
    return DeviceSnapshot(
        cpu=CpuSnapshot("Test CPU", logical_cores=4),
        memory=MemorySnapshot(int(64 * GIB), int(ram_gib * GIB), int((64 - ram_gib) * GIB)),
        gpus=(gpu,),
        accelerator="cuda",
    )


def text(panel: MemoryPanel, part: str) -> str:
    return str(panel.query_one(f".memory-{part}", Static).render())


def verdict_style(panel: MemoryPanel) -> str:
    content = panel.query_one(".memory-verdict", Static).render()
    assert isinstance(content, Content)
    return str(content.spans[0].style)


async def test_loading_estimate_verdict_colours_and_error() -> None:
    shape = shape_from_config(LLAMA)
    assert shape is not None
    app = Host()
    async with app.run_test() as pilot:
        panel = app.query_one(MemoryPanel)
        assert panel.state == "empty" and "No estimate" in text(panel, "title")

        panel.show_loading()
        await pilot.pause()
        assert panel.state == "loading" and panel.loading

        estimate = estimate_memory(shape, train="full", snapshot=machine(120, 60), model="m/1b")
        panel.show(estimate)
        await pilot.pause()
        assert panel.state == "ready" and not panel.loading and panel.estimate is estimate
        assert "m/1b" in text(panel, "title") and "batch 1 x seq 128" in text(panel, "title")
        assert all(d in text(panel, "weights") for d in ("fp32", "fp16", "bf16", "int8", "int4"))
        breakdown = text(panel, "breakdown")
        for label in ("weights", "gradients", "optimizer states", "inference", "full fine-tuning"):
            assert label in breakdown
        assert "fits on GPU 0 (H200: 120.0 of 139.8 GiB free)" in text(panel, "verdict")
        verdict = panel.query_one(".memory-verdict", Static)
        assert verdict.has_class("gpu") and verdict_style(panel) == "$success"
        assert "fused AdamW" in text(panel, "assumptions")

        for gpu_free, ram, kind, style in ((10, 60, "cpu", "$warning"), (10, 5, "none", "$error")):
            verdict_there = fit_verdict(estimate.peak_bytes, machine(gpu_free, ram))
            panel.show(replace(estimate, verdict=verdict_there))
            await pilot.pause()
            assert verdict.has_class(kind) and not verdict.has_class("gpu")
            assert verdict_style(panel) == style
            assert text(panel, "verdict") == verdict_there.text

        panel.show_error("No config.json in /tmp/x", "The folder needs a config.json.")
        await pilot.pause()
        assert panel.state == "error" and panel.estimate is None
        assert "No config.json" in text(panel, "title") and "needs a config" in text(
            panel, "weights"
        )
        assert text(panel, "verdict") == "" and not verdict.has_class("none")
