"""Memory a forward pass keeps: activations saved for backward, KV cache, no-grad temporaries.

Counted op by op per block, per token, from a ModelShape (no torch import); `target="cpu"`
applies CPU autocast's op lists so the counts can be checked with saved-tensor hooks on CPU.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from hf_ecosystem.device.heads import HeadKind
from hf_ecosystem.device.model_shape import ModelShape

Train = Literal["full", "lora"]
Target = Literal["cuda", "cpu"]
MIB = 1024**2


@dataclass(frozen=True, slots=True)
class _Target:
    """What one device's autocast and kernels keep: CUDA is what the estimate is for."""

    mask_bytes: int | None  # bytes a dropout keeps per element; None: the input's dtype (CPU)
    fp32_ops: bool  # autocast runs pow and layer_norm in fp32 (CUDA's op list, not CPU's)
    workspace: int  # cuBLAS workspace per handle: 32 MiB on Hopper (8 MiB on older GPUs)


TARGETS = {"cuda": _Target(1, True, 32 * MIB), "cpu": _Target(None, False, 0)}


# --- what autograd saves, per token, counted op by op ----------------------------------------
# Full fine-tuning runs fp32 weights under bf16 autocast: the residual stream is fp32, every
# matmul keeps a bf16 copy of its input, norms keep their fp32 input. LoRA runs a frozen bf16
# base: frozen matmuls keep no input, so only norms, activations functions, SDPA and the
# adapters' inputs are kept. h: hidden, i: intermediate, q/kv: query/key widths, r: LoRA rank.


def _mask(t: _Target, dtype_bytes: int) -> int:
    return t.mask_bytes if t.mask_bytes is not None else dtype_bytes


def _norm(s: ModelShape, lora: bool, t: _Target) -> int:
    h = s.hidden_size
    if s.norm == "layernorm":  # input (fp32 under CUDA autocast) plus mean and rstd
        return (4 if t.fp32_ops or not lora else 2) * h + 8
    if lora:  # RMSNorm with a frozen weight keeps its fp32 input (T5's also its bf16 one)
        return (6 if s.family == "t5" else 4) * h + 4
    return 8 * h + 4  # fp32 input and the fp32 normalised output the weight multiplies


def _attention(s: ModelShape, lora: bool, r: int) -> int:
    h, q, kv = s.hidden_size, s.q_dim, s.kv_dim
    sdpa = 2 * q + 4 * s.num_heads  # SDPA's output and fp32 log-sum-exp; no seq^2 matrix
    if s.fused_qkv:  # q, k, v are views that keep the whole projection; RoPE makes new q, k
        kept = 2 * (q + 2 * kv) + (2 * q + 2 * kv if s.rope else 0)
        inputs = 2 * h + 2 * r if lora else 2 * h
    else:
        kept = 2 * q + 4 * kv
        inputs = 2 * (2 * h + 2 * r) if lora else 6 * h  # per adapter, or per projection
    return kept + inputs + sdpa


def _mlp(s: ModelShape, lora: bool, t: _Target) -> int:
    h, i, relu = s.hidden_size, s.intermediate_size, s.activation == "relu"
    if s.gated_mlp:  # act(gate)'s input and output, up, and (full) the product into down
        act = (6 if lora else 8) * i
    elif s.activation == "gelu_new":  # GELU written out in Python; CUDA autocast's pow is fp32
        act = ((14 if lora else 16) if t.fp32_ops else (8 if lora else 10)) * i
    elif relu:  # relu keeps its output, which is also down's input
        act = 2 * i
    else:
        act = (2 if lora else 4) * i
    if s.family == "t5":  # dropout inside the feed-forward; wo's input is cast to fp32 and back
        act += (_mask(t, 2) * i if s.dropout else 0) + (2 * i if relu and not lora else 0)
    return act + (0 if lora else (4 if s.gated_mlp else 2) * h)


def layer_bytes(s: ModelShape, lora: bool, t: _Target, r: int, cross: bool = False) -> int:
    blocks = 3 if cross else 2
    dropout = blocks * _mask(t, 2) * s.hidden_size if s.dropout else 0
    attention = _attention(s, lora, r) * (2 if cross else 1)
    return blocks * _norm(s, lora, t) + attention + _mlp(s, lora, t) + dropout


def outside_bytes(s: ModelShape, lora: bool, t: _Target, head: HeadKind = "lm") -> int:
    h = s.hidden_size
    encoder_only = s.family in ("bert", "distilbert")
    finals = 2 if s.is_encoder_decoder else (0 if encoder_only else 1)
    total = finals * _norm(s, lora, t)
    if encoder_only and head == "lm":  # masked-LM head: dense, GELU, LayerNorm, decoder
        total += (4 if t.fp32_ops else 2) * h + 8 + (2 if lora else 6) * h
    elif encoder_only and head == "token" and not lora:  # dropout, then the classifier's input
        total += (_mask(t, 4) if s.dropout else 0) * h + 2 * h
    if lora:  # nothing before the first adapter needs a gradient
        return total
    total += 24 if s.is_encoder_decoder else 16  # int64 ids and labels
    if not encoder_only:
        total += 2 * h  # the LM head's bf16 input
    if s.dropout and s.family in ("gpt2", "bert", "distilbert", "t5"):
        total += _mask(t, 4) * h  # dropout on the fp32 embeddings
    if encoder_only:
        total += 4 * h + 8  # embedding LayerNorm
    return total


def activation_bytes(
    shape: ModelShape,
    batch: int,
    seq: int,
    *,
    mode: Train = "full",
    lora_r: int = 16,
    target: Target = "cuda",
    head: HeadKind = "lm",
) -> int:
    """Bytes autograd keeps for backward after one forward pass (weights and logits excluded)."""
    lora, t = mode == "lora", TARGETS[target]
    per_token = (
        shape.num_layers * layer_bytes(shape, lora, t, lora_r)
        + shape.num_decoder_layers * layer_bytes(shape, lora, t, lora_r, cross=True)
        + outside_bytes(shape, lora, t, head)
    )
    if lora and shape.family not in ("bert", "distilbert"):  # the first pre-norm needs no grad
        per_token -= (2 if shape.is_encoder_decoder else 1) * _norm(shape, lora, t)
    total = batch * seq * per_token
    if shape.rope:  # cos and sin tables, shared by the layers
        total += (4 if lora else 8) * seq * shape.head_dim
    if shape.family == "t5":  # relative position bias: a batch x heads x seq^2 mask per attention
        calls = shape.num_layers + 2 * shape.num_decoder_layers
        total += (calls * batch * 2 + 2 * 4) * shape.num_heads * seq * seq
    return total


def kv_cache_bytes(shape: ModelShape, batch: int, seq: int, dtype_bytes: int = 2) -> int:
    """Keys and values a DynamicCache holds after one forward pass (GQA: kv heads only)."""
    if shape.is_encoder_decoder:  # self-attention plus cross-attention over the encoder's output
        return 2 * 2 * shape.num_decoder_layers * batch * seq * shape.kv_dim * dtype_bytes
    if not shape.is_decoder:
        return 0
    return 2 * shape.num_layers * batch * seq * shape.kv_dim * dtype_bytes


def inference_working_bytes(shape: ModelShape, batch: int, seq: int, dtype_bytes: int = 2) -> int:
    """The largest set of temporaries one layer holds in a no-grad forward pass."""
    s = shape
    mult = 3 if s.gated_mlp else 4 if s.activation == "gelu_new" else 2
    # Beside the MLP's temporaries: the embeddings, the residual stream and the normed input.
    hidden = {"gpt2": 5, "bert": 3, "distilbert": 3}.get(s.family, 4)
    total = batch * seq * dtype_bytes * (mult * s.intermediate_size + hidden * s.hidden_size)
    if s.family == "t5":  # the position bias (fp32) and one layer's mask
        total += (2 * 4 + batch * dtype_bytes) * s.num_heads * seq * seq
    return total
