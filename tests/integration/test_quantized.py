"""Quantised loading on the CPU (torchao): inference, batch, QLoRA-style training, and the
memory estimate checked against what the loaded model really holds."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from models import fixtures

from hf_ecosystem.device.memory import estimate_memory
from hf_ecosystem.device.model_shape import shape_from_config
from hf_ecosystem.errors import HfEcoError
from hf_ecosystem.inference.errors import InferenceError
from hf_ecosystem.inference.pipelines import create_pipeline
from hf_ecosystem.inference.quantization import load_options, quantization_for, stored_bytes
from hf_ecosystem.training.spec import TrainSpec, TrainSpecError
from hf_tui.cli import main

tiny_model = fixtures.tiny_model


def _configs() -> dict[str, tuple[Any, str]]:
    from transformers import BertConfig, LlamaConfig

    llama: dict[str, Any] = {
        "vocab_size": 2000, "hidden_size": 256, "intermediate_size": 768,
        "num_hidden_layers": 3, "num_attention_heads": 4, "num_key_value_heads": 2,
    }  # fmt: skip
    bert = BertConfig(
        vocab_size=2000, hidden_size=256, intermediate_size=1024, num_hidden_layers=3,
        num_attention_heads=4,
    )  # fmt: skip
    return {
        "llama": (LlamaConfig(**llama, tie_word_embeddings=False), "AutoModelForCausalLM"),
        "llama-tied": (LlamaConfig(**llama, tie_word_embeddings=True), "AutoModelForCausalLM"),
        "bert": (bert, "AutoModelForSequenceClassification"),
    }


@pytest.fixture(scope="module")
def saved(tmp_path_factory: pytest.TempPathFactory) -> dict[str, tuple[Path, Any, str]]:
    import transformers

    out: dict[str, tuple[Path, Any, str]] = {}
    for name, (config, auto) in _configs().items():
        folder = tmp_path_factory.mktemp(name)
        getattr(transformers, auto).from_config(config).save_pretrained(folder)
        out[name] = (folder, config, auto)
    return out


@pytest.mark.parametrize("name", ["llama", "llama-tied", "bert"])
@pytest.mark.parametrize("dtype", ["int8", "int4"])
def test_estimate_matches_the_loaded_footprint(
    saved: dict[str, tuple[Path, Any, str]], name: str, dtype: str
) -> None:
    import transformers

    folder, config, auto = saved[name]
    model = getattr(transformers, auto).from_pretrained(folder, **load_options(dtype, "cpu"))
    measured = stored_bytes(model)
    full = stored_bytes(getattr(transformers, auto).from_pretrained(folder, dtype="float32"))
    shape = shape_from_config(config.to_dict())
    assert shape is not None
    estimate = estimate_memory(shape, dtype=dtype, target="cpu")
    assert measured < 0.6 * full  # really quantised (embeddings and head stay fp32)
    assert abs(estimate.weights_bytes / measured - 1) < 0.05, (estimate.weights_bytes, measured)
    assert any("torchao" in note for note in estimate.assumptions)


def test_bitsandbytes_layout_still_estimates_cuda(saved: dict[str, tuple[Path, Any, str]]) -> None:
    shape = shape_from_config(saved["llama"][1].to_dict())
    assert shape is not None
    on_gpu = estimate_memory(shape, dtype="int4", target="cuda")
    on_cpu = estimate_memory(shape, dtype="int4", target="cpu")
    assert on_gpu.weights_bytes < on_cpu.weights_bytes  # NF4 packs two weights a byte
    assert any("bitsandbytes" in note for note in on_gpu.assumptions)


def test_quantised_inference_on_cpu(tiny_model: Callable[[str], Path]) -> None:
    model = tiny_model("text-classification")
    full = create_pipeline("text-classification", model, device="cpu", dtype="fp32")
    expected = full("a calm and pleasant day")
    for dtype in ("int8", "int4"):
        predictor = create_pipeline("text-classification", model, device="cpu", dtype=dtype)
        assert predictor.dtype == dtype
        assert predictor.to_dict()["dtype"] == dtype
        got = predictor("a calm and pleasant day")
        assert [r["label"] for r in got] == [r["label"] for r in expected]
        for a, b in zip(got, expected, strict=True):
            assert abs(a["score"] - b["score"]) < 0.05


def test_the_backend_follows_the_device() -> None:
    import torch
    from transformers import BitsAndBytesConfig, TorchAoConfig

    int8 = quantization_for("int8", "cuda:1", torch.bfloat16)
    assert int8.backend == "bitsandbytes" and isinstance(int8.config, BitsAndBytesConfig)
    assert int8.config.load_in_8bit
    nf4 = quantization_for("INT4", "cuda", torch.bfloat16)
    assert nf4.config.load_in_4bit and nf4.config.bnb_4bit_quant_type == "nf4"
    assert nf4.describe() == "int4 (bitsandbytes)"
    cpu = quantization_for("int8", "cpu", torch.float32)
    assert cpu.backend == "torchao" and isinstance(cpu.config, TorchAoConfig)
    with pytest.raises(InferenceError, match="Apple"):
        quantization_for("int8", "mps", torch.float16)
    with pytest.raises(InferenceError, match="Unknown quantisation"):
        quantization_for("int3", "cpu", torch.float32)
    assert load_options(None, "cpu") == {}
    assert load_options("fp32", "cpu") == {"dtype": torch.float32}
    with pytest.raises(HfEcoError, match="Unknown dtype"):
        create_pipeline("text-classification", "nowhere/model", device="cpu", dtype="int3")


def test_quantisation_trains_adapters_only() -> None:
    with pytest.raises(TrainSpecError, match="LoRA adapters only"):
        TrainSpec.parse({"model": "m", "dataset": "d", "quantization": "int8"})
    spec = TrainSpec.parse({"model": "m", "dataset": "d", "quantization": "int4", "lora": {}})
    from hf_ecosystem.training.errors import TrainingError
    from hf_ecosystem.training.quantized import quantized_load_kwargs

    with pytest.raises(TrainingError, match="needs a CUDA GPU"):
        quantized_load_kwargs(spec, cuda=False)


@pytest.mark.slow
def test_int8_lora_fine_tune_saves_a_plain_model(
    tiny_model: Callable[[str], Path], tmp_path: Path
) -> None:
    from hf_ecosystem.config import load_settings
    from hf_ecosystem.demo.datasets import build_bbc_news
    from hf_ecosystem.jobs.context import JobContext
    from hf_ecosystem.jobs.events import EventWriter
    from hf_ecosystem.jobs.spec import JobSpec
    from hf_ecosystem.training.job import run_train_job

    bbc = tmp_path / "bbc"
    build_bbc_news(bbc)
    config = {
        "model": str(tiny_model("text-classification")), "dataset": str(bbc),
        "text_column": "headline", "max_train_samples": 40, "max_eval_samples": 20,
        "max_steps": 3, "batch_size": 4, "logging_steps": 1, "report_to": ["none"],
        "save_strategy": "no", "output_dir": str(tmp_path / "run"),
        "quantization": "int8", "lora": {"r": 4, "target_modules": ["query", "value"]},
    }  # fmt: skip
    spec = JobSpec.create("train", config=config)
    events = EventWriter(tmp_path / "events.jsonl")
    ctx = JobContext("inprocess", spec, events, tmp_path / "work", load_settings())
    result = run_train_job(ctx).to_dict()
    assert result["global_step"] == 3 and 0 <= result["metrics"]["eval_accuracy"] <= 1
    from transformers import AutoModelForSequenceClassification

    model = AutoModelForSequenceClassification.from_pretrained(result["model_dir"])
    assert not any("lora" in name for name, _ in model.named_parameters())
    assert model.config.num_labels == 5
    assert "quantization_config" not in json.loads(
        (Path(result["model_dir"]) / "config.json").read_text(encoding="utf-8")
    )
    assert (Path(result["model_dir"]).parent / "model-adapters" / "adapter_config.json").is_file()


@pytest.mark.slow
def test_cli_runs_int8_inference_and_batch(
    tiny_model: Callable[[str], Path],
    tmp_path: Path,
    isolated_env: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    model = str(tiny_model("text-classification"))
    code = main(["run", "inference", "--task", "text-classification", "--model", model,
                 "--input", "a fine day", "--dtype", "int8", "--wait", "--json"])  # fmt: skip
    data = json.loads(capsys.readouterr().out)
    assert code == 0 and data["status"] == "succeeded", data
    assert data["spec"]["dtype"] == "int8"
    assert data["result"]["dtype"] == "int8"
    source = tmp_path / "in.txt"
    source.write_text("good\nbad\nfine\n", encoding="utf-8")
    out = tmp_path / "preds.jsonl"
    code = main(["run", "batch", "--task", "text-classification", "--model", model,
                 "--input", str(source), "--output", str(out), "--dtype", "int4",
                 "--wait", "--json"])  # fmt: skip
    data = json.loads(capsys.readouterr().out)
    assert code == 0 and data["result"]["rows"] == 3, data
    with pytest.raises(SystemExit):
        main(["run", "inference", "--task", "text-classification", "--model", model,
              "--input", "x", "--dtype", "int3"])  # fmt: skip
