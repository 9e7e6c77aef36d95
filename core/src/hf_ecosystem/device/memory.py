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

from hf_ecosystem.device.activations import (
    MIB,
    TARGETS,
    Target,
    Train,
    activation_bytes,
    inference_working_bytes,
    kv_cache_bytes,
    layer_bytes,
    outside_bytes,
)
from hf_ecosystem.device.fit import GIB, FitVerdict, fit_verdict
from hf_ecosystem.device.heads import ModelHead, head_for_task, head_from_config
from hf_ecosystem.device.model_shape import ModelShape, shape_from_config
from hf_ecosystem.device.repo_model import load_repo_model
from hf_ecosystem.device.weight_bytes import (
    DTYPE_BYTES,
    DTYPES,
    DType,
    MemoryEstimateError,
    weights_by_dtype,
    weights_bytes,
)
from hf_ecosystem.errors import HfEcoError

if TYPE_CHECKING:
    from hf_ecosystem.device.types import DeviceSnapshot
    from hf_ecosystem.hub.backend import HubBackend

BREAKDOWN_KEYS = (
    "weights", "kv_cache", "activations", "logits", "gradients", "optimizer_states", "overhead",
)  # fmt: skip
BREAKDOWN_LABELS = {
    "weights": "weights", "kv_cache": "KV cache", "activations": "activations", "logits": "logits",
    "gradients": "gradients", "optimizer_states": "optimizer states", "overhead": "overhead",
}  # fmt: skip


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


def _size(value: float) -> str:
    return f"{value / GIB:.1f} GiB" if value >= GIB else f"{value / MIB:.0f} MiB"


# --- weights ---------------------------------------------------------------------------------


# --- the estimate ----------------------------------------------------------------------------


def _check(dtype: str, batch: int, seq: int, train: str | None, lora_r: int) -> None:
    if dtype not in DTYPE_BYTES:
        raise MemoryEstimateError(f"Unknown dtype {dtype!r}", f"Use one of {', '.join(DTYPES)}.")
    for name, value in (("batch", batch), ("seq", seq), ("LoRA rank", lora_r)):
        # Callers outside the type checker (CLI, JSON) can pass anything.
        if not isinstance(value, int) or value < 1:  # pyright: ignore[reportUnnecessaryIsInstance]
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
    if s.activation == "gelu_new" and TARGETS[target].fp32_ops:
        mult *= 2  # its written-out GELU runs in fp32 under CUDA autocast
    return mult * tokens * s.intermediate_size


def _lookup_only(s: ModelShape | None, head: ModelHead) -> int:
    """Parameters only looked up, never multiplied (autocast copies none of them to bf16): the
    embeddings, and tied word embeddings too when no LM head multiplies by them."""
    if s is None:
        return 0
    unused_tie = s.vocab_size * s.hidden_size if s.tie_word_embeddings and head.kind != "lm" else 0
    return s.embedding_parameters() + unused_tie


def _moment(**parts: int) -> dict[str, int]:
    return {key: int(parts.get(key, 0)) for key in BREAKDOWN_KEYS}


def _total(moment: dict[str, int]) -> int:
    return sum(moment.values())


def _training(
    s: ModelShape | None,
    p: int,
    dtype: str,
    n: int,
    seq: int,
    train: str,
    r: int,
    t: Target,
    head: ModelHead,
) -> tuple[dict[str, int], int, list[str]]:
    """(breakdown at the peak, the first step's peak, notes) of a training step over n tokens."""
    vocab, h = (head.width, s.hidden_size) if s else (0, 0)
    mode: Train = "lora" if train == "lora" else "full"
    acts = (
        activation_bytes(s, n // seq, seq, mode=mode, lora_r=r, target=t, head=head.kind)
        if s
        else 0
    )
    work = _backward_work(s, n, t) if s else 0
    cast = p - _lookup_only(s, head)  # weights autocast copies to bf16
    # fp32 log-softmax, the loss's gradient and log-softmax's gradient, per output.
    logits = 12 * (n if head.per_position else n // seq) * vocab
    handles = 2 * TARGETS[t].workspace
    if mode == "lora":
        lp = s.lora_parameters(r) if s else 0
        base = weights_bytes(p, dtype, s, t) + (2 * cast if dtype == "fp32" else 0)
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
    # Tied embeddings: the embedding's fresh fp32 gradient meets the LM head's, already in the
    # weight's gradient buffer, and is added into it in place: one vocab x hidden tensor more.
    tied = 4 * vocab * h if s and s.tie_word_embeddings and head.kind == "lm" else 0
    end = _moment(weights=4 * p, gradients=4 * p + tied, optimizer_states=8 * p, overhead=handles)
    first = max(_total(start) - 8 * p, _total(end))
    if _total(start) >= _total(end):
        note = "peak at the start of backward: weights (with autocast's bf16 copies), saved"
        return start, first, [note + " activations, logits and Adam states"]
    notes = ["peak at the end of backward / the optimizer step (weights, gradients, states)"]
    if tied:
        notes.append("tied embeddings: the LM head's and the embedding's gradients meet at the")
        notes[-1] += " end of backward as two fp32 vocab x hidden tensors (added in place)"
    return end, first, notes


def _inference(
    s: ModelShape | None, w: int, dtype: str, batch: int, seq: int, t: Target, head: ModelHead
) -> tuple[dict[str, int], list[str]]:
    handles = TARGETS[t].workspace
    if s is None:
        return _moment(weights=w, overhead=handles), []
    quantised = dtype in ("int8", "int4")
    # int8/int4 compute in bf16 on CUDA (bitsandbytes), in fp32 on the CPU (torchao)
    act_b = 4 if dtype == "fp32" or (quantised and t == "cpu") else 2
    kv = kv_cache_bytes(s, batch, seq, act_b)
    work = inference_working_bytes(s, batch, seq, act_b)
    if dtype in ("int8", "int4"):  # one weight matrix dequantised to bf16 at a time
        work += 2 * s.hidden_size * s.intermediate_size
    final = batch * seq * act_b * s.hidden_size
    logits = (batch * seq if head.per_position else batch) * act_b * head.width
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
    task: str | None = None,
) -> MemoryEstimate:
    """Peak memory for inference (and training, when `train` is full or lora) of one model.

    Inference follows the head config.json's `architectures` names; training the head `task`
    trains (default: the model's usual fine-tuning task, a classifier for an encoder)."""
    _check(dtype, batch, seq, train, lora_r)
    shape = shape_or_params if isinstance(shape_or_params, ModelShape) else None
    p = parameters if parameters is not None else (
        shape.parameter_count() if shape else int(shape_or_params)  # type: ignore[arg-type]
    )  # fmt: skip
    w = weights_bytes(p, dtype, shape, target)
    head = head_from_config(shape) if shape else ModelHead("none", 0)
    infer, notes = _inference(shape, w, dtype, batch, seq, target, head)
    notes = _base_notes(shape, dtype, seq, target, head) + notes
    breakdown, training = infer, None
    if train:
        head = head_for_task(shape, task) if shape else head
        n = batch * seq
        breakdown, first, more = _training(shape, p, dtype, n, seq, train, lora_r, target, head)
        training = _total(breakdown)
        notes += more + _training_notes(shape, train, lora_r, dtype, target, head)
        if first < training:
            notes.append(
                f"from the 2nd step on (Adam states exist); step 1 peaks at {_size(first)}"
            )
    estimate = MemoryEstimate(
        parameters=p, dtype=dtype, batch=batch, seq=seq, mode=train or "inference",  # type: ignore[arg-type]
        weights_bytes=w, inference_bytes=_total(infer), training_bytes=training,
        breakdown=breakdown, assumptions=tuple(notes), model=model,
        weights_by_dtype=weights_by_dtype(p, shape, target),
    )  # fmt: skip
    if snapshot is not None:
        estimate = replace(estimate, verdict=fit_verdict(estimate.peak_bytes, snapshot))
    return estimate


def _base_notes(
    s: ModelShape | None, dtype: str, seq: int, target: Target, head: ModelHead
) -> list[str]:
    notes = [
        "targets torch.cuda.max_memory_allocated(): tensors only, not the CUDA context (~0.5 GiB)"
        " or the allocator's cached free blocks; overhead: cuBLAS workspaces, 32 MiB each on"
        " Hopper (8 MiB before), one for inference and two for training (backward's own thread)"
        if target == "cuda"
        else "target CPU: CPU autocast's op lists; no cuBLAS workspace",
    ]
    if dtype in ("int8", "int4") and target == "cuda":
        notes.append(
            f"{dtype} as bitsandbytes stores it (LLM.int8: one fp32 scale per row; NF4: one fp32 "
            "absmax per 64 weights); embeddings and the LM head stay bf16; compute in bf16"
        )
    elif dtype in ("int8", "int4"):
        notes.append(
            f"{dtype} as torchao stores it on the CPU (int8: one fp32 scale per row; int4: one "
            "byte per value, an fp32 scale and int8 zero point per 32); embeddings and the LM "
            "head stay fp32; compute in fp32"
        )
    if s is None:
        notes.append("architecture unknown: only weights, gradients and optimizer states count")
        return notes
    notes += [
        *s.notes,
        "attention is PyTorch SDPA (flash / memory-efficient): no seq^2 attention matrix is kept",
        f"inference: {head.describe()}, in the compute dtype (transformers 5 upcasts logits to "
        "fp32 only inside the loss; generate() keeps only the last position)",
        "inference: one forward pass with the KV cache on (DynamicCache)"
        if s.is_decoder or s.is_encoder_decoder
        else "encoder model: no KV cache",
    ]
    if s.is_encoder_decoder:
        notes.append("encoder and decoder both see seq tokens; T5's position bias adds seq^2 masks")
    if s.max_positions and seq > s.max_positions:
        notes.append(f"seq {seq} exceeds the model's {s.max_positions} positions")
    return notes


def _training_notes(
    s: ModelShape | None, train: str, r: int, dtype: str, tg: Target, head: ModelHead
) -> list[str]:
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
    lora, t = train == "lora", TARGETS[tg]
    notes += [
        f"saved activations: {s.total_layers} layers x {layer_bytes(s, lora, t, r) / 1024:.1f} "
        f"KiB per token + {outside_bytes(s, lora, t, head.kind) / 1024:.1f} KiB per token "
        f"outside them (counted op by op for a {s.family}-shaped block)",
        f"training: {head.describe()}; 12 bytes per logit (fp32 log-softmax and two gradients)",
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
    task: str | None = None,
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
        model=repo.name, task=task,
    )  # fmt: skip
    return replace(estimate, assumptions=(*notes, *estimate.assumptions))


def _live_snapshot() -> tuple[DeviceSnapshot | None, str | None]:
    try:
        from hf_ecosystem.device.inventory import snapshot

        return snapshot(), None
    except (ImportError, HfEcoError, OSError) as exc:  # an estimate is still useful without one
        return None, f"no verdict: the device snapshot failed ({exc})"
