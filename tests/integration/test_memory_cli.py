"""`hf-tui memory`: JSON that equals the core estimate, a readable table, one-line errors, and
the three ways to reach a model (a folder, the local hub, the Hub)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from fakehub import FakeHub, FakeRepo
from hf_ecosystem.device.memory import BREAKDOWN_KEYS, MemoryEstimateError, estimate_for_repo
from hf_ecosystem.device.model_shape import shape_from_config
from hf_ecosystem.hub.remote import RemoteHub
from hf_tui.cli import main

GPT2: dict[str, Any] = {
    "n_embd": 64,
    "n_layer": 2,
    "n_head": 4,
    "vocab_size": 3000,
    "n_positions": 256,
}


@pytest.fixture(scope="module")
def tiny_gpt2_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A tiny random GPT-2 saved with save_pretrained (config.json + model.safetensors)."""
    from transformers import GPT2Config, GPT2LMHeadModel

    out = tmp_path_factory.mktemp("tiny-gpt2")
    GPT2LMHeadModel(GPT2Config(**GPT2)).save_pretrained(out)
    return out


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, Any, str]:
    code = main(["memory", *argv])
    captured = capsys.readouterr()
    data = json.loads(captured.out) if "--json" in argv and captured.out.strip() else captured.out
    return code, data, captured.err


def test_json_equals_the_core_estimate(
    tiny_bert_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from transformers import AutoModelForSequenceClassification

    code, data, _ = run(capsys, str(tiny_bert_dir), "--json", "--train", "full")
    assert code == 0 and data["ok"] is True
    for key in ("parameters", "weights_bytes", "inference_bytes", "training_bytes"):
        assert isinstance(data[key], int) and data[key] > 0
    assert list(data["breakdown"]) == list(BREAKDOWN_KEYS)
    assert sum(data["breakdown"].values()) == data["training_bytes"]
    assert data["assumptions"][0] == "parameters: exact, from the safetensors headers"
    core = estimate_for_repo(str(tiny_bert_dir), train="full", live_snapshot=False).to_dict()
    for key in ("parameters", "weights_bytes", "inference_bytes", "training_bytes", "breakdown"):
        assert data[key] == core[key]
    model = AutoModelForSequenceClassification.from_pretrained(tiny_bert_dir)
    assert data["parameters"] == sum(p.numel() for p in model.parameters())  # safetensors, exact
    assert data["verdict"]["kind"] in ("gpu", "cpu", "none")  # the live machine's snapshot


def test_human_output_has_breakdown_totals_verdict_and_assumptions(
    tiny_gpt2_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = run(capsys, str(tiny_gpt2_dir), "--train", "lora", "--dtype", "int4",
                       "--batch", "2", "--seq", "64")  # fmt: skip
    assert code == 0
    for text in ("int4", "batch 2 x seq 64", "LoRA fine-tuning", "logits", "optimizer states",
                 "inference:", "verdict: ", "assumptions:", "NF4", "peft's defaults"):  # fmt: skip
        assert text in out, text
    weights_line = next(line for line in out.splitlines() if line.startswith("weights:"))
    assert all(dtype in weights_line for dtype in ("fp32", "fp16", "bf16", "int8", "int4"))


def test_target_cpu_sizes_quantised_weights_as_torchao_stores_them(
    tiny_gpt2_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    sizes = {}
    for target in ("cuda", "cpu"):
        code, out, _ = run(capsys, str(tiny_gpt2_dir), "--dtype", "int4", "--target", target,
                           "--json")  # fmt: skip
        assert code == 0
        sizes[target] = out
    assert sizes["cpu"]["weights_bytes"] > sizes["cuda"]["weights_bytes"]  # NF4 packs 2 a byte
    assert any("torchao" in note for note in sizes["cpu"]["assumptions"])
    assert sizes["cpu"]["weights_by_dtype"]["fp32"] == sizes["cuda"]["weights_by_dtype"]["fp32"]


def test_parameters_from_the_shape_when_there_are_no_safetensors(
    tmp_path: Path, tiny_gpt2_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "config.json").write_text((tiny_gpt2_dir / "config.json").read_text())
    code, data, _ = run(capsys, str(tmp_path), "--json")
    shape = shape_from_config(json.loads((tmp_path / "config.json").read_text()))
    assert shape is not None
    assert code == 0 and data["parameters"] == shape.parameter_count()
    assert any("parameters derived from the shape" in a for a in data["assumptions"])


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--dtype", "int3"], "error: Unknown dtype 'int3'"),
        (["--batch", "0"], "error: Invalid batch 0"),
        (["--train", "half"], "error: Unknown training mode 'half'"),
        (["--train", "full", "--dtype", "int8"], "error: Full fine-tuning cannot train int8"),
    ],
)
def test_bad_options_give_one_line_errors(
    tiny_gpt2_dir: Path, capsys: pytest.CaptureFixture[str], argv: list[str], message: str
) -> None:
    code, _, err = run(capsys, str(tiny_gpt2_dir), *argv)
    assert code == 1
    assert err.startswith(message) and err.count("\n") == 1


def test_missing_config_and_missing_folder(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, data, err = run(capsys, str(tmp_path), "--json")
    assert code == 1 and data["ok"] is False and data["error"] == "ModelConfigError"
    assert err.startswith(f"error: No config.json in {tmp_path}") and err.count("\n") == 1
    code, _, err = run(capsys, str(tmp_path / "nope"))
    assert code == 1 and err.startswith("error: No model folder at")


def test_a_hub_repo_uses_the_hubs_parameter_count_and_config(
    fake_hub: FakeHub, tiny_gpt2_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    config = (tiny_gpt2_dir / "config.json").read_bytes()
    fake_hub.add(FakeRepo("acme/tiny-gpt2", files={"config.json": config},
                          parameters={"F32": 123_456}))  # fmt: skip
    code, data, _ = run(capsys, "acme/tiny-gpt2", "--json", "--seq", "32")
    assert code == 0 and data["parameters"] == 123_456 and data["model"] == "acme/tiny-gpt2"
    assert data["assumptions"][0] == "parameters: the Hub's safetensors metadata"
    assert data["breakdown"]["kv_cache"] == 2 * 2 * 32 * 64 * 2  # layers, k+v, tokens, width, bf16
    # No config.json and no parameter count: nothing to size.
    fake_hub.add(FakeRepo("acme/empty", files={"README.md": b"# empty\n"}))
    with pytest.raises(MemoryEstimateError, match="Cannot size acme/empty"):
        estimate_for_repo("acme/empty", RemoteHub(endpoint=fake_hub.url), live_snapshot=False)


def test_a_local_hub_repo_offline(
    isolated_env: Path, tiny_gpt2_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = isolated_env / "hftui_home" / "hub" / "models" / "team" / "tiny-gpt2"
    folder.mkdir(parents=True)
    for name in ("config.json", "model.safetensors"):
        (folder / name).write_bytes((tiny_gpt2_dir / name).read_bytes())
    (folder / "README.md").write_text("---\nlicense: mit\n---\n# tiny\n")
    code, data, _ = run(capsys, "team/tiny-gpt2", "--json", "--offline")
    direct = estimate_for_repo(str(tiny_gpt2_dir), live_snapshot=False)
    assert code == 0 and data["parameters"] == direct.parameters
    assert data["inference_bytes"] == direct.inference_bytes
