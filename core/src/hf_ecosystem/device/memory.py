"""Estimate a model's peak GPU memory for inference and fine-tuning, without importing torch.

Targets `torch.cuda.max_memory_allocated()` (tensors, not the CUDA context) at batch x seq tokens:
inference (weights in `dtype`, one forward pass, KV cache on, logits for every position, SDPA);
full fine-tuning as `Trainer(bf16=True)` runs it (fp32 weights, bf16 autocast, fused AdamW); LoRA
with peft's defaults (frozen base in `dtype`, r=16 on query/value, fp32 adapters, AdamW). Saved
activations are counted op by op per block (`activation_bytes`); `target="cpu"` applies CPU
autocast's op lists, so the formula can be checked with saved-tensor hooks without a GPU.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field, replace
from typing import TYPE_CHECKING, Any, Literal

from hf_ecosystem.device.model_shape import ModelShape, load_repo_model, shape_from_config
from hf_ecosystem.errors import HfEcoError

if TYPE_CHECKING:
    from hf_ecosystem.device.types import DeviceSnapshot
    from hf_ecosystem.hub.backend import HubBackend

DType = Literal["fp32", "fp16", "bf16", "int8", "int4"]
Train = Literal["full", "lora"]
Target = Literal["cuda", "cpu"]
DTYPES: tuple[DType, ...] = ("fp32", "fp16", "bf16", "int8", "int4")
BREAKDOWN_KEYS = (
    "weights", "kv_cache", "activations", "logits", "gradients", "optimizer_states", "overhead",
)  # fmt: skip
BREAKDOWN_LABELS = {
    "weights": "weights", "kv_cache": "KV cache", "activations": "activations", "logits": "logits",
    "gradients": "gradients", "optimizer_states": "optimizer states", "overhead": "overhead",
}  # fmt: skip
GIB = 1024**3
MIB = 1024**2
_BYTES: dict[str, float] = {"fp32": 4, "fp16": 2, "bf16": 2, "int8": 1, "int4": 0.5}
# bitsandbytes NF4 keeps one fp32 absmax per block of 64 weights (no double quantisation).
_INT4_SCALES = 4 / 64
# The CUDA context and allocator slack live outside max_memory_allocated; keep this much free.
GPU_RESERVE = 512 * MIB


class MemoryEstimateError(HfEcoError):
    """The estimate's inputs are invalid (dtype, batch, sequence length, training mode)."""

    default_title = "Cannot estimate memory"
    default_hint = (
        "Use --dtype fp32|fp16|bf16|int8|int4, --batch >= 1, --seq >= 1, --train full|lora."
    )


@dataclass(frozen=True, slots=True)
class _Target:
    """What one device's autocast and kernels keep: CUDA is what the estimate is for."""

    mask_bytes: int | None  # bytes a dropout keeps per element; None: the input's dtype (CPU)
    fp32_ops: bool  # autocast runs pow and layer_norm in fp32 (CUDA's op list, not CPU's)
    workspace: int  # cuBLAS workspace per handle: 32 MiB on Hopper (8 MiB on older GPUs)


_TARGETS = {"cuda": _Target(1, True, 32 * MIB), "cpu": _Target(None, False, 0)}


@dataclass(frozen=True, slots=True)
class FitVerdict:
    """Where a job of `needed_bytes` fits on this machine: a GPU, CPU RAM, or nowhere."""

    kind: Literal["gpu", "cpu", "none"]
    gpu_index: int | None
    needed_bytes: int
    available_bytes: int
    text: str

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready mapping."""
        return asdict(self)


@dataclass(frozen=True, slots=True)
class MemoryEstimate:
    """Peak memory of one scenario, its breakdown, and what the formula assumed."""

    parameters: int
    dtype: DType
    batch: int
    seq: int
    mode: Literal["inference", "full", "lora"]
    weights_bytes: int
    inference_bytes: int
    training_bytes: int | None
    breakdown: dict[str, int] = field(hash=False)
    assumptions: tuple[str, ...]
    verdict: FitVerdict | None = None
    model: str = ""
    weights_by_dtype: dict[str, int] = field(default_factory=dict[str, int], hash=False)

    @property
    def peak_bytes(self) -> int:
        """The total of the estimated scenario: training when asked for, else inference."""
        return self.training_bytes if self.training_bytes is not None else self.inference_bytes

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready mapping (the verdict as a mapping or None)."""
        data = asdict(self)
        data["verdict"] = self.verdict.to_dict() if self.verdict else None
        data["assumptions"] = list(self.assumptions)
        if self.training_bytes is None:
            del data["training_bytes"]
        return data


def _gib(value: float) -> str:
    return f"{value / GIB:.1f}"


def _size(value: float) -> str:
    return f"{value / GIB:.1f} GiB" if value >= GIB else f"{value / MIB:.0f} MiB"


def fit_verdict(needed_bytes: int, snapshot: DeviceSnapshot) -> FitVerdict:
    """Whether `needed_bytes` fits on the GPU with the most free memory, else in CPU RAM."""
    gpus = sorted(snapshot.gpus, key=lambda g: (-g.memory_free_bytes, g.index))
    ram = snapshot.memory.available_bytes
    if gpus and needed_bytes + GPU_RESERVE <= gpus[0].memory_free_bytes:
        gpu = gpus[0]
        name = gpu.name.removeprefix("NVIDIA ").strip() or "GPU"
        text = (
            f"fits on GPU {gpu.index} ({name}: {_gib(gpu.memory_free_bytes)} of "
            f"{_gib(gpu.memory_total_bytes)} GiB free)"
        )
        return FitVerdict("gpu", gpu.index, needed_bytes, gpu.memory_free_bytes, text)
    if needed_bytes <= ram:
        text = f"fits in CPU RAM ({_gib(ram)} of {_gib(snapshot.memory.total_bytes)} GiB available)"
        if gpus:
            text += f"; largest GPU has {_gib(gpus[0].memory_free_bytes)} GiB free"
        return FitVerdict("cpu", None, needed_bytes, ram, text)
    gpu_part = f"largest GPU has {_gib(gpus[0].memory_free_bytes)} free" if gpus else "no GPU"
    text = f"does not fit: needs {_gib(needed_bytes)} GiB, {gpu_part}, RAM {_gib(ram)} available"
    best = max([ram, *(g.memory_free_bytes for g in gpus)])
    return FitVerdict("none", None, needed_bytes, best, text)


# --- weights ---------------------------------------------------------------------------------


def _unquantized(shape: ModelShape | None) -> int:
    """Parameters bitsandbytes leaves in bf16: embeddings and the LM head (tied or not)."""
    if shape is None:
        return 0
    return shape.embedding_parameters() + shape.vocab_size * shape.hidden_size


def weights_bytes(parameters: int, dtype: str, shape: ModelShape | None = None) -> int:
    """Bytes of the weights in `dtype`; int8/int4 as bitsandbytes stores them, with scales."""
    if dtype not in _BYTES:
        raise MemoryEstimateError(f"Unknown dtype {dtype!r}")
    if dtype not in ("int8", "int4"):
        return int(parameters * _BYTES[dtype])
    kept = min(_unquantized(shape), parameters)
    # LLM.int8 keeps one fp32 scale per output row: 4 bytes per row of `hidden_size` weights.
    scales = 4 / (shape.hidden_size if shape else 4096) if dtype == "int8" else _INT4_SCALES
    return int((parameters - kept) * (_BYTES[dtype] + scales) + kept * 2)


def weights_by_dtype(parameters: int, shape: ModelShape | None = None) -> dict[str, int]:
    """Weight bytes in every supported dtype."""
    return {dtype: weights_bytes(parameters, dtype, shape) for dtype in DTYPES}


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


def _layer(s: ModelShape, lora: bool, t: _Target, r: int, cross: bool = False) -> int:
    blocks = 3 if cross else 2
    dropout = blocks * _mask(t, 2) * s.hidden_size if s.dropout else 0
    attention = _attention(s, lora, r) * (2 if cross else 1)
    return blocks * _norm(s, lora, t) + attention + _mlp(s, lora, t) + dropout


def _outside(s: ModelShape, lora: bool, t: _Target) -> int:
    h = s.hidden_size
    encoder_only = s.family in ("bert", "distilbert")
    finals = 2 if s.is_encoder_decoder else (0 if encoder_only else 1)
    total = finals * _norm(s, lora, t)
    if encoder_only:  # masked-LM head: dense, GELU, LayerNorm, decoder
        total += (4 if t.fp32_ops else 2) * h + 8 + (2 if lora else 6) * h
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
) -> int:
    """Bytes autograd keeps for backward after one forward pass (weights and logits excluded)."""
    lora, t = mode == "lora", _TARGETS[target]
    per_token = (
        shape.num_layers * _layer(shape, lora, t, lora_r)
        + shape.num_decoder_layers * _layer(shape, lora, t, lora_r, cross=True)
        + _outside(shape, lora, t)
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


# --- the estimate ----------------------------------------------------------------------------


def _check(dtype: str, batch: int, seq: int, train: str | None, lora_r: int) -> None:
    if dtype not in _BYTES:
        raise MemoryEstimateError(f"Unknown dtype {dtype!r}", f"Use one of {', '.join(DTYPES)}.")
    for name, value in (("batch", batch), ("seq", seq), ("LoRA rank", lora_r)):
        if not isinstance(value, int) or value < 1:
            raise MemoryEstimateError(f"Invalid {name} {value!r}", f"The {name} must be >= 1.")
    if train not in (None, "full", "lora"):
        raise MemoryEstimateError(f"Unknown training mode {train!r}", "Use full or lora.")
    if train == "full" and dtype in ("int8", "int4"):
        raise MemoryEstimateError(
            f"Full fine-tuning cannot train {dtype} weights",
            "Use --train lora for quantised weights (QLoRA), or a float dtype.",
        )


def _backward_work(s: ModelShape, tokens: int, target: Target) -> int:
    """Gradients one MLP's backward holds at once (three intermediate-sized bf16 tensors)."""
    mult = 6 if s.gated_mlp else 4
    if s.activation == "gelu_new" and _TARGETS[target].fp32_ops:
        mult *= 2  # its written-out GELU runs in fp32 under CUDA autocast
    return mult * tokens * s.intermediate_size


def _moment(**parts: int) -> dict[str, int]:
    return {key: int(parts.get(key, 0)) for key in BREAKDOWN_KEYS}


def _total(moment: dict[str, int]) -> int:
    return sum(moment.values())


def _training(
    s: ModelShape | None, p: int, dtype: str, n: int, seq: int, train: str, r: int, t: Target
) -> tuple[dict[str, int], int, list[str]]:
    """(breakdown at the peak, the first step's peak, notes) of a training step over n tokens."""
    vocab, h = (s.vocab_size, s.hidden_size) if s else (0, 0)
    mode: Train = "lora" if train == "lora" else "full"
    acts = activation_bytes(s, n // seq, seq, mode=mode, lora_r=r, target=t) if s else 0
    work = _backward_work(s, n, t) if s else 0
    cast = p - (s.embedding_parameters() if s else 0)  # weights autocast copies to bf16
    logits = 12 * n * vocab  # fp32 log-softmax, the loss's gradient and log-softmax's gradient
    handles = 2 * _TARGETS[t].workspace
    if mode == "lora":
        lp = s.lora_parameters(r) if s else 0
        base = weights_bytes(p, dtype, s) + (2 * cast if dtype == "fp32" else 0)
        dequant = 2 * h * (s.intermediate_size if s else 0) if dtype in ("int8", "int4") else 0
        peak = _moment(
            weights=base + 6 * lp, activations=acts + max(work - logits, 0), logits=logits,
            gradients=4 * lp, optimizer_states=8 * lp, overhead=handles + dequant,
        )  # fmt: skip
        return peak, _total(peak) - 8 * lp, []
    start = _moment(
        weights=4 * p + 2 * cast, activations=acts, logits=logits, optimizer_states=8 * p,
        overhead=handles,
    )  # fmt: skip
    if work > logits:  # small vocabularies: the last MLP's gradients outweigh the logits
        start.update(activations=acts + work, logits=0, gradients=4 * vocab * h)
    tied = 8 * vocab * h if s and s.tie_word_embeddings else 0
    end = _moment(weights=4 * p, gradients=4 * p + tied, optimizer_states=8 * p, overhead=handles)
    first = max(_total(start) - 8 * p, _total(end))
    if _total(start) >= _total(end):
        note = "peak at the start of backward: weights (with autocast's bf16 copies), saved"
        return start, first, [note + " activations, logits and Adam states"]
    notes = ["peak at the end of backward / the optimizer step (weights, gradients, states)"]
    if tied:
        notes.append("tied embeddings: the LM head's and the embedding's gradients meet at the")
        notes[-1] += " end of backward as three fp32 vocab x hidden tensors"
    return end, first, notes


def _inference(
    s: ModelShape | None, w: int, dtype: str, batch: int, seq: int, t: Target
) -> tuple[dict[str, int], list[str]]:
    handles = _TARGETS[t].workspace
    if s is None:
        return _moment(weights=w, overhead=handles), []
    act_b = 4 if dtype == "fp32" else 2  # int8/int4 compute in bf16
    kv = kv_cache_bytes(s, batch, seq, act_b)
    work = inference_working_bytes(s, batch, seq, act_b)
    if dtype in ("int8", "int4"):  # one weight matrix dequantised to bf16 at a time
        work += 2 * s.hidden_size * s.intermediate_size
    final, logits = (batch * seq * act_b * x for x in (s.hidden_size, s.vocab_size))
    if work > final + logits:
        note = "inference peaks inside a layer (its MLP temporaries), not at the logits"
        return _moment(weights=w, kv_cache=kv, activations=work, overhead=handles), [note]
    moment = _moment(weights=w, kv_cache=kv, activations=final, logits=logits, overhead=handles)
    return moment, []


def estimate_memory(
    shape_or_params: ModelShape | int,
    *,
    dtype: str = "bf16",
    batch: int = 1,
    seq: int = 128,
    train: str | None = None,
    lora_r: int = 16,
    parameters: int | None = None,
    snapshot: DeviceSnapshot | None = None,
    target: Target = "cuda",
    model: str = "",
) -> MemoryEstimate:
    """Peak memory for inference (and training, when `train` is full or lora) of one model."""
    _check(dtype, batch, seq, train, lora_r)
    shape = shape_or_params if isinstance(shape_or_params, ModelShape) else None
    p = parameters if parameters is not None else (
        shape.parameter_count() if shape else int(shape_or_params)  # type: ignore[arg-type]
    )  # fmt: skip
    w = weights_bytes(p, dtype, shape)
    infer, notes = _inference(shape, w, dtype, batch, seq, target)
    notes = _base_notes(shape, dtype, seq, target) + notes
    breakdown, training = infer, None
    if train:
        breakdown, first, more = _training(shape, p, dtype, batch * seq, seq, train, lora_r, target)
        training = _total(breakdown)
        notes += more + _training_notes(shape, train, lora_r, dtype, target)
        if first < training:
            notes.append(
                f"from the 2nd step on (Adam states exist); step 1 peaks at {_size(first)}"
            )
    estimate = MemoryEstimate(
        parameters=p, dtype=dtype, batch=batch, seq=seq, mode=train or "inference",  # type: ignore[arg-type]
        weights_bytes=w, inference_bytes=_total(infer), training_bytes=training,
        breakdown=breakdown, assumptions=tuple(notes), model=model,
        weights_by_dtype=weights_by_dtype(p, shape),
    )  # fmt: skip
    if snapshot is not None:
        estimate = replace(estimate, verdict=fit_verdict(estimate.peak_bytes, snapshot))
    return estimate


def _base_notes(s: ModelShape | None, dtype: str, seq: int, target: Target) -> list[str]:
    notes = [
        "targets torch.cuda.max_memory_allocated(): tensors only, not the CUDA context (~0.5 GiB)"
        " or the allocator's cached free blocks; overhead: cuBLAS workspaces, 32 MiB each on"
        " Hopper (8 MiB before), one for inference and two for training (backward's own thread)"
        if target == "cuda"
        else "target CPU: CPU autocast's op lists; no cuBLAS workspace",
    ]
    if dtype in ("int8", "int4"):
        notes.append(
            f"{dtype} as bitsandbytes stores it (LLM.int8: one fp32 scale per row; NF4: one fp32 "
            "absmax per 64 weights); embeddings and the LM head stay bf16; compute in bf16"
        )
    if s is None:
        notes.append("architecture unknown: only weights, gradients and optimizer states count")
        return notes
    notes += [
        *s.notes,
        "attention is PyTorch SDPA (flash / memory-efficient): no seq^2 attention matrix is kept",
        "logits for every position in the compute dtype (transformers 5 upcasts them to fp32 "
        "only inside the loss; generate() keeps only the last position)",
        "inference: one forward pass with the KV cache on (DynamicCache)"
        if s.is_decoder or s.is_encoder_decoder
        else "encoder model: no KV cache; logits from the masked-LM head",
    ]
    if s.is_encoder_decoder:
        notes.append("encoder and decoder both see seq tokens; T5's position bias adds seq^2 masks")
    if s.max_positions and seq > s.max_positions:
        notes.append(f"seq {seq} exceeds the model's {s.max_positions} positions")
    return notes


def _training_notes(s: ModelShape | None, train: str, r: int, dtype: str, tg: Target) -> list[str]:
    if train == "full":
        notes = [
            "full fine-tuning as Trainer(bf16=True): fp32 master weights (whatever --dtype says), "
            "bf16 autocast, fused AdamW (Trainer's default), use_cache off, no gradient "
            "checkpointing: fp32 gradients and two fp32 Adam states per parameter"
        ]
    else:
        lp = s.lora_parameters(r) if s else 0
        targets = "the fused qkv projection" if s and s.fused_qkv else "query and value"
        notes = [
            f"LoRA r={r}, alpha {2 * r} on {targets} (peft's defaults): {lp:,} fp32 adapter "
            f"parameters with gradients and AdamW states; frozen base in {dtype}"
        ]
    if s is None:
        return notes
    lora, t = train == "lora", _TARGETS[tg]
    notes += [
        f"saved activations: {s.total_layers} layers x {_layer(s, lora, t, r) / 1024:.1f} KiB "
        f"per token + {_outside(s, lora, t) / 1024:.1f} KiB per token outside them (counted op "
        f"by op for a {s.family}-shaped block)",
        "training logits: 12 bytes x tokens x vocab (fp32 log-softmax and two gradients)",
    ]
    if s.dropout:
        notes.append(f"dropout p={s.dropout:g} is on: its masks count (1 byte per element on CUDA)")
    return notes


def estimate_for_repo(
    repo_id_or_path: str,
    backend: HubBackend | None = None,
    *,
    dtype: str = "bf16",
    batch: int = 1,
    seq: int = 128,
    train: str | None = None,
    lora_r: int = 16,
    snapshot: DeviceSnapshot | None = None,
    live_snapshot: bool = True,
    target: Target = "cuda",
) -> MemoryEstimate:
    """Estimate a model folder, local-hub repo or Hub repo; the verdict uses the live machine."""
    _check(dtype, batch, seq, train, lora_r)  # fail before any disk or network access
    repo = load_repo_model(repo_id_or_path, backend)
    shape = shape_from_config(repo.config) if repo.config is not None else None
    notes = [repo.source]
    if shape is None and repo.parameters is None:
        raise MemoryEstimateError(
            f"Cannot size {repo.name}: unknown architecture and no parameter count",
            "It needs a config.json of a known family, or safetensors weights.",
        )
    if repo.parameters is None:
        notes.append(
            "parameters derived from the shape: embeddings + attention/MLP/norms per layer"
        )
    if snapshot is None and live_snapshot:
        snapshot, problem = _live_snapshot()
        notes += [problem] if problem else []
    estimate = estimate_memory(
        shape or repo.parameters or 0, dtype=dtype, batch=batch, seq=seq, train=train,
        lora_r=lora_r, parameters=repo.parameters, snapshot=snapshot, target=target,
        model=repo.name,
    )  # fmt: skip
    return replace(estimate, assumptions=(*notes, *estimate.assumptions))


def _live_snapshot() -> tuple[DeviceSnapshot | None, str | None]:
    try:
        from hf_ecosystem.device.inventory import snapshot

        return snapshot(), None
    except (ImportError, HfEcoError, OSError) as exc:  # an estimate is still useful without one
        return None, f"no verdict: the device snapshot failed ({exc})"
