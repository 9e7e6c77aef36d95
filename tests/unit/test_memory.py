"""The memory estimator against real models: exact parameter counts, KV cache and logits bytes,
saved activations and whole peaks measured on the CPU, and the fit verdicts."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

from hf_ecosystem.device.activations import activation_bytes, kv_cache_bytes
from hf_ecosystem.device.fit import GIB, fit_verdict
from hf_ecosystem.device.memory import (
    BREAKDOWN_KEYS,
    MemoryEstimateError,
    estimate_memory,
    weights_bytes,
)
from hf_ecosystem.device.model_shape import ModelShape, shape_from_config
from hf_ecosystem.device.types import CpuSnapshot, DeviceSnapshot, GpuSnapshot, MemorySnapshot

ROOT = Path(__file__).resolve().parents[2]
# Tiny models with real proportions (vocabulary much wider than the MLP). Attention dropout is
# off: on the CPU, SDPA with dropout falls back to the math kernel and keeps seq^2 matrices, which
# CUDA's flash / memory-efficient kernels do not.
VOCAB = 4000
TINY_LLAMA = {
    "hidden_size": 64, "intermediate_size": 176, "num_hidden_layers": 2,
    "num_attention_heads": 4, "num_key_value_heads": 2, "vocab_size": VOCAB,
}  # fmt: skip
TINY_GPT2 = {
    "n_embd": 64, "n_layer": 2, "n_head": 4, "vocab_size": VOCAB, "n_positions": 256,
    "attn_pdrop": 0.0,
}  # fmt: skip
TINY_BERT = {
    "hidden_size": 64, "intermediate_size": 256, "num_hidden_layers": 2,
    "num_attention_heads": 4, "vocab_size": VOCAB, "attention_probs_dropout_prob": 0.0,
}  # fmt: skip
LLAMA_1B = {
    "hidden_size": 2048, "intermediate_size": 8192, "num_hidden_layers": 16,
    "num_attention_heads": 32, "num_key_value_heads": 8, "vocab_size": 128256,
    "tie_word_embeddings": True,
}  # fmt: skip

# (model_type, config overrides, auto class) — tiny and real-size shapes of each family.
PARAM_CASES: list[tuple[str, dict[str, Any], str]] = [
    ("gpt2", TINY_GPT2, "causal"),
    ("gpt2", {}, "causal"),  # gpt2-small, 124M
    ("gpt2", {"n_embd": 1024, "n_layer": 24, "n_head": 16, "n_inner": 3000}, "causal"),
    ("llama", TINY_LLAMA, "causal"),
    ("llama", LLAMA_1B, "causal"),  # Llama-3.2-1B's shape: GQA, 128k vocabulary
    ("llama", {**TINY_LLAMA, "attention_bias": True, "mlp_bias": True, "head_dim": 32}, "causal"),
    ("mistral", TINY_LLAMA, "causal"),
    ("qwen2", TINY_LLAMA, "causal"),
    ("qwen3", {**TINY_LLAMA, "head_dim": 32}, "causal"),
    ("gemma", {**TINY_LLAMA, "num_key_value_heads": 1, "head_dim": 32}, "causal"),
    ("bert", TINY_BERT, "base"),
    ("bert", {}, "base"),  # bert-base, 110M
    ("roberta", {}, "base"),
    ("distilbert", {}, "base"),
    ("t5", {"d_model": 64, "d_ff": 128, "num_layers": 2, "num_heads": 4, "d_kv": 16,
            "vocab_size": 1000}, "seq2seq"),
    ("t5", {}, "seq2seq"),  # t5-small, 60M
    ("t5", {"d_model": 64, "d_ff": 128, "num_layers": 2, "num_decoder_layers": 3, "num_heads": 4,
            "d_kv": 16, "vocab_size": 1000, "feed_forward_proj": "gated-gelu",
            "tie_word_embeddings": False}, "seq2seq"),
    ("falcon", {"hidden_size": 64, "num_hidden_layers": 2, "num_attention_heads": 4,
                "vocab_size": 1000}, "causal"),
    ("falcon", {"hidden_size": 64, "num_hidden_layers": 2, "num_attention_heads": 4,
                "num_kv_heads": 2, "new_decoder_architecture": True, "bias": True,
                "vocab_size": 1000}, "causal"),
    ("gpt_neox", {"hidden_size": 64, "intermediate_size": 256, "num_hidden_layers": 2,
                  "num_attention_heads": 4, "vocab_size": 1000}, "causal"),
]  # fmt: skip


def _config(model_type: str, overrides: dict[str, Any]) -> Any:
    from transformers import AutoConfig

    config = AutoConfig.for_model(model_type, **overrides)
    config._attn_implementation = "sdpa"
    return config


def _shape(model_type: str, overrides: dict[str, Any]) -> ModelShape:
    shape = shape_from_config(_config(model_type, overrides).to_dict())
    assert shape is not None
    return shape


def _model(model_type: str, overrides: dict[str, Any], kind: str = "causal", device: str = "cpu"):  # type: ignore[no-untyped-def]
    import torch
    from transformers import (
        AutoModel,
        AutoModelForCausalLM,
        AutoModelForMaskedLM,
        AutoModelForSeq2SeqLM,
    )

    classes = {"causal": AutoModelForCausalLM, "base": AutoModel, "mlm": AutoModelForMaskedLM,
               "seq2seq": AutoModelForSeq2SeqLM}  # fmt: skip
    torch.manual_seed(0)
    # The meta device ties weights as a real build does (init_empty_weights leaves them untied).
    with torch.device(device):
        return classes[kind].from_config(_config(model_type, overrides))


@pytest.fixture(scope="module")
def calibration() -> ModuleType:
    """benchmarks/memory_calibration.py: the saved-tensor and live-peak measurements."""
    spec = importlib.util.spec_from_file_location(
        "memory_calibration", ROOT / "benchmarks" / "memory_calibration.py"
    )
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


# --- (a) parameter counts ----------------------------------------------------------------------


@pytest.mark.parametrize(("model_type", "overrides", "kind"), PARAM_CASES)
def test_parameter_count_is_exact(model_type: str, overrides: dict[str, Any], kind: str) -> None:
    model = _model(model_type, overrides, kind, device="meta")
    real = sum(p.numel() for p in model.parameters())
    assert _shape(model_type, overrides).parameter_count() == real


def test_shapes_read_from_configs() -> None:
    llama = _shape("llama", LLAMA_1B)
    assert (llama.num_kv_heads, llama.head_dim, llama.kv_dim, llama.tie_word_embeddings) == (
        8, 64, 512, True,
    )  # fmt: skip
    gpt2 = shape_from_config({"model_type": "gpt2", "n_embd": 96, "n_head": 4, "n_inner": None})
    assert gpt2 is not None
    assert (gpt2.intermediate_size, gpt2.num_layers, gpt2.vocab_size) == (384, 12, 50257)
    falcon = _shape("falcon", {"hidden_size": 64, "num_attention_heads": 4})
    assert falcon.num_kv_heads == 1  # multi-query
    t5 = _shape("t5", {"num_layers": 3})
    assert (t5.num_decoder_layers, t5.is_encoder_decoder, t5.norm) == (3, True, "rmsnorm")
    distil = _shape("distilbert", {})
    assert (distil.hidden_size, distil.intermediate_size, distil.is_decoder) == (768, 3072, False)


def test_multimodal_text_config_and_unknown_architectures() -> None:
    nested = shape_from_config({"model_type": "llava", "text_config": {**TINY_LLAMA}})
    assert nested is not None and nested.family == "llama" and nested.hidden_size == 64
    assert any("text model" in note for note in nested.notes)
    generic = shape_from_config({"model_type": "brand-new", **TINY_LLAMA})
    assert generic is not None and generic.family == "generic"
    assert "unknown architecture brand-new" in generic.notes[0]
    assert shape_from_config({"model_type": "mystery", "hidden_size": 8}) is None
    only_params = estimate_memory(1_000_000, train="full")
    assert only_params.breakdown["activations"] == only_params.breakdown["logits"] == 0
    assert only_params.training_bytes == 16_000_000 + 64 * 1024**2
    assert any("architecture unknown" in a for a in only_params.assumptions)


# --- (b), (c) KV cache and logits against a real forward pass ----------------------------------


@pytest.mark.parametrize(("model_type", "overrides"), [("llama", TINY_LLAMA), ("gpt2", TINY_GPT2)])
@pytest.mark.parametrize("dtype", ["bf16", "fp32"])
def test_kv_cache_and_logits_bytes_match_a_forward_pass(
    model_type: str, overrides: dict[str, Any], dtype: str
) -> None:
    import torch

    torch_dtype = torch.bfloat16 if dtype == "bf16" else torch.float32
    model = _model(model_type, overrides).to(torch_dtype).eval()
    batch, seq = 3, 40
    with torch.no_grad():
        out = model(input_ids=torch.randint(0, VOCAB, (batch, seq)), use_cache=True)
    cache = sum(layer.keys.nbytes + layer.values.nbytes for layer in out.past_key_values.layers)
    shape = _shape(model_type, overrides)
    size = 2 if dtype == "bf16" else 4
    assert kv_cache_bytes(shape, batch, seq, size) == cache
    estimate = estimate_memory(shape, dtype=dtype, batch=batch, seq=seq, target="cpu")
    assert estimate.breakdown["kv_cache"] == cache
    assert estimate.breakdown["logits"] == out.logits.nbytes  # no fp32 upcast outside the loss


def test_gqa_shrinks_the_kv_cache() -> None:
    full = _shape("llama", {**LLAMA_1B, "num_key_value_heads": 32})
    gqa = _shape("llama", LLAMA_1B)
    assert kv_cache_bytes(full, 2, 1024) == 4 * kv_cache_bytes(gqa, 2, 1024)
    assert kv_cache_bytes(_shape("bert", {}), 2, 1024) == 0


# --- (d) saved activations and whole peaks measured on the CPU ----------------------------------

SAVED_CASES = [("gpt2", TINY_GPT2), ("llama", TINY_LLAMA), ("bert", TINY_BERT)]


@pytest.mark.parametrize(("model_type", "overrides"), SAVED_CASES)
@pytest.mark.parametrize("mode", ["full", "lora"])
def test_saved_activations_match_saved_tensor_hooks(
    calibration: ModuleType, model_type: str, overrides: dict[str, Any], mode: str
) -> None:
    model = calibration.build(model_type, overrides)
    if mode == "lora":
        model = calibration.add_lora(model, model_type)
    batch, seq = 2, 48
    measured = calibration.saved_activation_bytes(model, batch, seq, VOCAB)
    shape = shape_from_config(model.config.to_dict())
    assert shape is not None
    estimated = activation_bytes(shape, batch, seq, mode=mode, target="cpu")  # type: ignore[arg-type]
    # Exact for full fine-tuning; LoRA counts layer 0's norm, which needs no gradient yet.
    assert estimated == pytest.approx(measured["activations"], rel=0.01 if mode == "full" else 0.05)
    assert measured["logits"] == 4 * batch * seq * VOCAB  # the log-softmax output, fp32


@pytest.mark.parametrize(
    ("model_type", "train", "batch", "seq"),
    [
        ("gpt2", None, 4, 128), ("llama", None, 1, 16),
        ("gpt2", "full", 4, 128), ("llama", "full", 4, 128),  # the start of backward wins
        ("gpt2", "lora", 4, 128), ("llama", "lora", 4, 128),
    ],
)  # fmt: skip
def test_whole_peak_matches_a_live_tensor_tracker(
    calibration: ModuleType, model_type: str, train: str | None, batch: int, seq: int
) -> None:
    import torch

    overrides = TINY_GPT2 if model_type == "gpt2" else TINY_LLAMA
    model = calibration.build(model_type, overrides)
    if train is None:
        model.to(torch.bfloat16)
    elif train == "lora":
        model = calibration.add_lora(model, model_type)
    _, steady = calibration.measure(model, batch, seq, train, "cpu")
    estimate = calibration.estimate(model, batch, seq, train, "cpu")
    expected = estimate.training_bytes if train else estimate.inference_bytes
    assert expected == pytest.approx(steady, rel=0.03)


def test_cpu_check_carries_over_to_cuda_where_autocast_agrees() -> None:
    llama, gpt2 = _shape("llama", TINY_LLAMA), _shape("gpt2", TINY_GPT2)
    # SiLU, RMSNorm in fp32, no dropout: CUDA and CPU autocast keep the same tensors.
    assert activation_bytes(llama, 2, 64, target="cuda") == activation_bytes(
        llama, 2, 64, target="cpu"
    )
    # GPT-2's written-out GELU runs its pow in fp32 on CUDA; CPU dropout keeps bf16 noise.
    cuda, cpu = (activation_bytes(gpt2, 2, 64, target=t) for t in ("cuda", "cpu"))  # type: ignore[arg-type]
    n, h, i = 2 * 64, 64, 256
    layer_delta = (16 - 10) * i - 2 * (2 - 1) * h  # gelu_new: 16 vs 10 B/elem; masks: 1 vs 2
    assert cuda - cpu == n * (2 * layer_delta - (4 - 1) * h)  # and the fp32 embedding dropout


# --- what the rule of thumb misses ---------------------------------------------------------------


def test_large_vocabularies_make_logits_dominate() -> None:
    gpt2 = _shape("gpt2", {})
    inference = estimate_memory(gpt2, batch=8, seq=512)
    training = estimate_memory(gpt2, batch=8, seq=512, train="full")
    assert inference.inference_bytes > 2 * 1.2 * inference.weights_bytes
    assert training.training_bytes is not None
    assert training.training_bytes > 2 * 16 * gpt2.parameter_count()
    llama = estimate_memory(_shape("llama", LLAMA_1B), batch=1, seq=8192, train="full")
    assert llama.breakdown["logits"] > llama.weights_bytes
    assert llama.breakdown["logits"] == 12 * 8192 * 128256


def test_training_peak_and_breakdown_are_consistent() -> None:
    shape = _shape("llama", LLAMA_1B)
    p = shape.parameter_count()
    small = estimate_memory(shape, train="full")  # 1 x 128: the optimizer step wins
    assert small.breakdown["weights"] == 4 * p and small.breakdown["optimizer_states"] == 8 * p
    assert small.breakdown["gradients"] == 4 * p + 4 * shape.vocab_size * shape.hidden_size
    for estimate in (small, estimate_memory(shape, batch=4, seq=2048, train="lora")):
        assert set(estimate.breakdown) == set(BREAKDOWN_KEYS)
        assert sum(estimate.breakdown.values()) == estimate.training_bytes
    lora = estimate_memory(shape, batch=4, seq=2048, train="lora")
    assert lora.breakdown["optimizer_states"] == 8 * shape.lora_parameters(16)
    assert shape.lora_parameters(16) == 16 * 16 * ((2048 + 2048) + (2048 + 512))


# --- the tied large-vocabulary decoder (Qwen2-0.5B's shape) ------------------------------------


def test_tied_large_vocabulary_terms(calibration: ModuleType) -> None:
    shape = _shape("qwen2", calibration.QWEN2_05B)
    p, v, h = shape.parameter_count(), shape.vocab_size, shape.hidden_size
    assert p == 494_032_768  # the tied embedding counted once, as Qwen2-0.5B's safetensors hold
    workspaces = 2 * 32 * 1024**2
    # 1 x 128: the end of backward wins. The embedding's fp32 gradient meets the LM head's (one
    # tensor, the weight's) and is added in place: one vocab x hidden tensor more, not two.
    end = estimate_memory(shape, batch=1, seq=128, train="full")
    assert end.breakdown["gradients"] == 4 * p + 4 * v * h
    assert end.training_bytes == 16 * p + 4 * v * h + workspaces
    assert end.peak_bytes / GIB == pytest.approx(7.93, abs=0.01)  # 8.44 GiB counted two
    # 8 x 512: the start of backward wins: fp32 weights with bf16 copies of every matmul's weight
    # (the tied one too: the LM head multiplies by it), 12 bytes per logit (fp32 log-softmax,
    # its gradient and the loss's), no gradients yet.
    start = estimate_memory(shape, batch=8, seq=512, train="full")
    assert start.breakdown["weights"] == 6 * p
    assert start.breakdown["logits"] == 12 * 8 * 512 * v
    assert start.breakdown["gradients"] == 0
    assert start.breakdown["optimizer_states"] == 8 * p


@pytest.mark.slow
@pytest.mark.parametrize(("batch", "seq"), [(1, 64), (2, 256)])
def test_tied_large_vocabulary_peak_matches_rss(
    calibration: ModuleType, batch: int, seq: int
) -> None:
    # One Qwen2-0.5B layer with its whole 150k tied vocabulary: the vocabulary terms dominate.
    model_type, overrides = calibration.RSS_MODELS["qwen2-0.5b-1layer"]
    model = calibration.build(model_type, overrides)
    measured = calibration.measure_rss(model, batch, seq)
    estimate = calibration.estimate(model, batch, seq, "full", "cpu")
    assert estimate.training_bytes == pytest.approx(measured, rel=0.03)


def test_quantised_weights() -> None:
    shape = _shape("llama", LLAMA_1B)
    p = shape.parameter_count()
    bf16, int8, int4 = (weights_bytes(p, d, shape) for d in ("bf16", "int8", "int4"))
    kept = shape.vocab_size * shape.hidden_size  # the tied embedding stays bf16
    assert int4 == int((p - kept) * (0.5 + 4 / 64) + 2 * kept)
    assert int4 < int8 < bf16 == 2 * p
    assert weights_bytes(1000, "int4") == 562  # unknown shape: everything quantised


@pytest.mark.parametrize(
    ("kwargs", "title"),
    [
        ({"dtype": "int3"}, "Unknown dtype 'int3'"),
        ({"batch": 0}, "Invalid batch 0"),
        ({"seq": -1}, "Invalid seq -1"),
        ({"train": "half"}, "Unknown training mode 'half'"),
        ({"train": "full", "dtype": "int4"}, "Full fine-tuning cannot train int4 weights"),
    ],
)
def test_bad_input_raises_a_clear_error(kwargs: dict[str, Any], title: str) -> None:
    with pytest.raises(MemoryEstimateError) as info:
        estimate_memory(_shape("gpt2", TINY_GPT2), **kwargs)
    assert info.value.title == title and info.value.hint


def test_to_dict_carries_totals_breakdown_and_assumptions() -> None:
    shape = _shape("gpt2", TINY_GPT2)
    plain = estimate_memory(shape).to_dict()
    assert "training_bytes" not in plain and plain["mode"] == "inference"
    data = estimate_memory(shape, train="lora", model="tiny").to_dict()
    for key in ("parameters", "weights_bytes", "inference_bytes", "training_bytes", "breakdown"):
        assert key in data
    assert data["model"] == "tiny" and set(data["weights_by_dtype"]) == {
        "fp32", "fp16", "bf16", "int8", "int4",
    }  # fmt: skip
    assert any("LoRA r=16, alpha 32" in a for a in data["assumptions"])


# --- (e) verdicts ------------------------------------------------------------------------------


def _snapshot(gpus: list[tuple[str, float, float]], ram_free: float = 23.1) -> DeviceSnapshot:
    return DeviceSnapshot(
        cpu=CpuSnapshot("Test CPU", logical_cores=4),
        memory=MemorySnapshot(int(64 * GIB), int(ram_free * GIB), int((64 - ram_free) * GIB)),
        gpus=tuple(
            GpuSnapshot(i, name, int(total * GIB), int((total - free) * GIB))
            for i, (name, total, free) in enumerate(gpus)
        ),
        accelerator="cuda" if gpus else "cpu",
    )


def test_verdict_picks_the_gpu_with_most_free_memory() -> None:
    snap = _snapshot([("NVIDIA A100-SXM4-40GB", 40.0, 10.0), ("NVIDIA H200", 139.8, 48.1)])
    verdict = fit_verdict(int(30 * GIB), snap)
    assert (verdict.kind, verdict.gpu_index) == ("gpu", 1)
    assert verdict.text == "fits on GPU 1 (H200: 48.1 of 139.8 GiB free)"
    assert verdict.available_bytes == snap.gpus[1].memory_free_bytes


def test_verdict_falls_back_to_cpu_ram_then_to_none() -> None:
    snap = _snapshot([("NVIDIA A100-SXM4-40GB", 40.0, 40.0)])
    cpu = fit_verdict(int(45 * GIB), _snapshot([("NVIDIA A100", 40.0, 40.0)], ram_free=60.0))
    assert cpu.kind == "cpu" and cpu.gpu_index is None
    assert cpu.text == "fits in CPU RAM (60.0 of 64.0 GiB available); largest GPU has 40.0 GiB free"
    none = fit_verdict(int(80.3 * GIB), snap)
    assert none.kind == "none"
    assert (
        none.text == "does not fit: needs 80.3 GiB, largest GPU has 40.0 free, RAM 23.1 available"
    )
    assert "no GPU" in fit_verdict(int(80 * GIB), _snapshot([])).text
    # The CUDA context needs room beside the tensors: a job that fills a GPU exactly goes to RAM.
    roomy = _snapshot([("NVIDIA L4", 24.0, 24.0)], ram_free=60.0)
    assert fit_verdict(int(23.4 * GIB), roomy).kind == "gpu"
    assert fit_verdict(int(23.8 * GIB), roomy).kind == "cpu"


def test_estimate_with_a_snapshot_carries_its_verdict() -> None:
    snap = _snapshot([("NVIDIA H200", 139.8, 139.0)])
    estimate = estimate_memory(_shape("llama", LLAMA_1B), train="full", snapshot=snap)
    assert estimate.verdict is not None and estimate.verdict.kind == "gpu"
    assert estimate.verdict.needed_bytes == estimate.training_bytes
    too_big = estimate_memory(_shape("llama", LLAMA_1B), batch=64, seq=8192, train="full",
                              snapshot=snap)  # fmt: skip
    assert too_big.verdict is not None and too_big.verdict.kind == "none"
